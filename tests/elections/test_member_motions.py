"""Member motions: moved by any member, seconded, scheduled once eligible, amended (friendly or by a vote),
composited with their history kept."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from leveller.elections import textdiff
from leveller.elections.actions import amendments as amendment_actions
from leveller.elections.actions import motions as motion_actions
from leveller.elections.actions import processes as process_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.actions import voting as voting_actions
from leveller.elections.models import AmendmentState, Motion, MotionState, State
from tests.elections.helpers import voter, voters

TEXT = "This organisation will campaign for rent controls in every city where we have a branch."
AMENDED = "This organisation will campaign for rent controls and secure tenancies in every city and town."


def _motion(mover, title="Rent controls", text=TEXT):
    return motion_actions.propose_motion(actor=mover, title=title, text=text)


def _eligible(mover, seconders=None, **kwargs):
    motion = _motion(mover, **kwargs)
    for member in seconders or voters(motion.seconders_needed):
        motion_actions.second_motion(actor=member, motion=motion)
    motion.refresh_from_db()
    return motion


def _later(days):
    return timezone.now() + dt.timedelta(days=days)


def _decide(staff, election, answers: dict[str, int]):
    """Cast `answers` (e.g. {"yes": 3, "no": 1}), close, and publish."""
    for answer, count in answers.items():
        for member in voters(count):
            voting_actions.cast_ballot(actor=member, election=election, answer=answer)
    transition_actions.close_voting(actor=staff, election=election)
    election.refresh_from_db()
    transition_actions.publish_results(actor=staff, election=election)


# --- seconding and scheduling ---------------------------------------------------------------------------


def test_a_motion_without_enough_seconders_cannot_be_scheduled(staff, member):
    motion = _motion(member)
    motion_actions.second_motion(actor=voter(), motion=motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.SEEKING_SECONDERS
    with pytest.raises(ValidationError, match="1 of the 2 seconders"):
        motion_actions.schedule_motion(actor=staff, motion=motion, voting_closes_at=_later(7))
    motion.refresh_from_db()
    assert motion.state == MotionState.SEEKING_SECONDERS and motion.election is None


def test_a_motion_without_enough_seconders_cannot_be_scheduled_through_the_api(staff, member, api_client):
    motion = _motion(member)
    response = api_client(staff).post(
        f"/api/v1/motions/{motion.pk}/schedule", {"voting_closes_at": _later(7).isoformat()}
    )
    assert response.status_code == 400
    assert "seconders" in response.json()["detail"]


def test_the_api_moves_a_motion_and_counts_its_seconders_up_to_eligible(member, api_client):
    mover = api_client(member)
    response = mover.post("/api/v1/motions", {"title": "Rent controls", "text": TEXT})
    assert response.status_code == 201
    body = response.json()
    assert {"id", "title", "text", "state", "mover", "seconders", "seconders_needed"} <= set(body)
    assert body["state"] == "seeking_seconders" and body["seconders"] == 0 and body["seconders_needed"] == 2
    assert body["mover"]["name"] == member.display_name
    url = f"/api/v1/motions/{body['id']}/seconders"
    assert mover.post(url).status_code == 403  # the mover cannot second their own motion
    first, second = api_client(voter("Sam Seconder")), api_client(voter())
    assert first.post(url).status_code == 201
    assert first.post(url).status_code == 409  # seconding twice
    assert second.post(url).status_code == 201
    got = mover.get(f"/api/v1/motions/{body['id']}").json()
    assert got["state"] == "eligible" and got["seconders"] == 2
    assert "Sam Seconder" in [s["name"] for s in got["seconded_by"]]


def test_an_eligible_motion_scheduled_by_staff_opens_a_vote_on_its_text(staff, member):
    motion = _eligible(member)
    motion_actions.schedule_motion(actor=staff, motion=motion, voting_closes_at=_later(7))
    motion.refresh_from_db()
    assert motion.state == MotionState.SCHEDULED
    assert motion.election.state == State.VOTING and motion.election.kind == "motion"
    assert TEXT in motion.election.description and member.display_name in motion.election.description


def test_a_member_of_the_standing_orders_group_may_schedule_and_an_ordinary_member_may_not(staff, member):
    from leveller.groups.models import Group, GroupMembership

    committee = Group.objects.create(name="Standing Orders Committee", slug="soc", kind="online", status="approved")
    clerk = voter("Clerk")
    GroupMembership.objects.create(group=committee, member=clerk)
    process = process_actions.create_process(actor=staff, title="Re-foundation", standing_orders_group="soc")
    motion = motion_actions.propose_motion(actor=member, title="Rent controls", text=TEXT, process=process)
    for seconder in voters(2):
        motion_actions.second_motion(actor=seconder, motion=motion)
    with pytest.raises(PermissionDenied):
        motion_actions.schedule_motion(actor=voter(), motion=motion, voting_closes_at=_later(7))
    motion_actions.schedule_motion(actor=clerk, motion=motion, voting_closes_at=_later(7))
    motion.refresh_from_db()
    assert motion.state == MotionState.SCHEDULED and motion.election.state == State.VOTING


def test_the_mover_withdraws_before_scheduling_but_not_after_and_nobody_else_can(staff, member):
    motion = _eligible(member)
    with pytest.raises(PermissionDenied):
        motion_actions.withdraw_motion(actor=voter(), motion=motion)
    scheduled = _eligible(member, title="Another")
    motion_actions.schedule_motion(actor=staff, motion=scheduled, voting_closes_at=_later(7))
    with pytest.raises(ValidationError, match="before it is scheduled"):
        motion_actions.withdraw_motion(actor=member, motion=scheduled)
    motion_actions.withdraw_motion(actor=member, motion=motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.WITHDRAWN
    with pytest.raises(ValidationError):
        motion_actions.second_motion(actor=voter(), motion=motion)


def test_a_supporter_whose_membership_lapsed_cannot_move_or_second(member):
    lapsed = voter(status="lapsed")
    with pytest.raises(PermissionDenied, match="current"):
        _motion(lapsed)
    with pytest.raises(PermissionDenied):
        motion_actions.second_motion(actor=lapsed, motion=_motion(member))


def test_a_process_sets_how_many_seconders_a_motion_needs(staff, member):
    process = process_actions.create_process(actor=staff, title="Re-foundation 2025", seconders_needed=3)
    motion = motion_actions.propose_motion(actor=member, title="Assembly", text=TEXT, process=process)
    assert motion.seconders_needed == 3
    for seconder in voters(2):
        motion_actions.second_motion(actor=seconder, motion=motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.SEEKING_SECONDERS


# --- amendments -------------------------------------------------------------------------------------------


def test_a_friendly_amendment_changes_the_text(member, api_client):
    motion = _motion(member)
    proposer = api_client(voter())
    response = proposer.post(f"/api/v1/motions/{motion.pk}/amendments", {"text": AMENDED})
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "seeking_seconders"
    assert {"op": "insert", "text": "and secure tenancies "} in body["diff"] or any(
        op["op"] == "insert" and "secure tenancies" in op["text"] for op in body["diff"]
    )
    assert proposer.post(f"/api/v1/motions/{motion.pk}/amendments/{body['id']}/accept").status_code == 403
    accepted = api_client(member).post(f"/api/v1/motions/{motion.pk}/amendments/{body['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["motion"]["text"] == AMENDED
    assert api_client(member).get(f"/api/v1/motions/{motion.pk}").json()["text"] == AMENDED
    motion.refresh_from_db()
    assert motion.text == AMENDED and motion.original_text == TEXT
    assert [r.reason for r in motion.revisions.all()] == ["proposed", "friendly amendment accepted by the mover"]


def test_an_amendment_that_changes_nothing_is_refused_with_a_reason(member):
    with pytest.raises(ValidationError, match="does not change"):
        amendment_actions.propose_amendment(actor=voter(), motion=_motion(member), text=TEXT)


def test_an_amendment_has_its_own_seconding_threshold(staff, member):
    process = process_actions.create_process(actor=staff, title="Conference", amendment_seconders_needed=2)
    motion = motion_actions.propose_motion(actor=member, title="Rent", text=TEXT, process=process)
    amender = voter()
    amendment = amendment_actions.propose_amendment(actor=amender, motion=motion, text=AMENDED)
    with pytest.raises(PermissionDenied):
        amendment_actions.second_amendment(actor=amender, amendment=amendment)
    amendment_actions.second_amendment(actor=voter(), amendment=amendment)
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.SEEKING_SECONDERS
    amendment_actions.second_amendment(actor=voter(), amendment=amendment)
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.ELIGIBLE


def test_a_contested_amendment_that_wins_changes_the_final_text_voted_on(staff, member):
    motion = _eligible(member)
    amendment = amendment_actions.propose_amendment(actor=voter(), motion=motion, text=AMENDED)
    amendment_actions.second_amendment(actor=voter(), amendment=amendment)  # contested: seconded, not accepted
    with pytest.raises(ValidationError, match="contested amendments"):
        motion_actions.schedule_motion(actor=staff, motion=motion, voting_closes_at=_later(14))
    motion_actions.schedule_motion(
        actor=staff, motion=motion, voting_closes_at=_later(14), amendments_close_at=_later(7)
    )
    motion.refresh_from_db()
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.SCHEDULED and amendment.election.state == State.VOTING
    assert motion.election.state == State.DRAFT  # the motion's vote waits for the amendment's

    _decide(staff, amendment.election, {"yes": 3, "no": 1})

    amendment.refresh_from_db()
    motion.refresh_from_db()
    assert amendment.state == AmendmentState.CARRIED
    assert motion.text == AMENDED
    final = motion.election
    assert final.state == State.VOTING and AMENDED in final.description and TEXT not in final.description
    _decide(staff, final, {"yes": 2})
    motion.refresh_from_db()
    assert motion.state == MotionState.CARRIED and motion.text == AMENDED


def test_a_contested_amendment_that_loses_leaves_the_motion_as_moved(staff, member):
    motion = _eligible(member)
    amendment = amendment_actions.propose_amendment(actor=voter(), motion=motion, text=AMENDED)
    amendment_actions.second_amendment(actor=voter(), amendment=amendment)
    motion_actions.schedule_motion(
        actor=staff, motion=motion, voting_closes_at=_later(14), amendments_close_at=_later(7)
    )
    amendment.refresh_from_db()
    _decide(staff, amendment.election, {"yes": 1, "no": 3})
    motion.refresh_from_db()
    assert motion.text == TEXT and motion.election.state == State.VOTING
    _decide(staff, motion.election, {"no": 2})
    motion.refresh_from_db()
    assert motion.state == MotionState.LOST


def test_two_carried_amendments_to_different_words_both_apply_and_an_overlapping_one_falls(staff, member):
    text = "We will hold an assembly every year in Manchester with free childcare."
    motion = _eligible(member, text=text)
    proposals = [
        text.replace("every year", "every spring"),
        text.replace("free childcare", "free childcare and travel grants"),
        text.replace("every year", "every two years"),
    ]
    amendments = []
    for proposal in proposals:
        amendment = amendment_actions.propose_amendment(actor=voter(), motion=motion, text=proposal)
        amendment_actions.second_amendment(actor=voter(), amendment=amendment)
        amendments.append(amendment)
    motion_actions.schedule_motion(
        actor=staff, motion=motion, voting_closes_at=_later(14), amendments_close_at=_later(7)
    )
    for amendment in amendments:
        amendment.refresh_from_db()
        _decide(staff, amendment.election, {"yes": 2})
    motion.refresh_from_db()
    assert motion.text == "We will hold an assembly every spring in Manchester with free childcare and travel grants."
    states = [Motion.objects.get(pk=motion.pk).amendments.get(pk=a.pk).state for a in amendments]
    assert states == [AmendmentState.CARRIED, AmendmentState.CARRIED, AmendmentState.FELL]


def test_a_composite_keeps_its_sources_and_their_supporters(staff, member):
    first = _eligible(member, title="Rent controls now")
    second_mover = voter("Second Mover")
    second = _motion(second_mover, title="Rent caps", text="We call for a cap on rents in every region of the country.")
    composite = motion_actions.composite_motions(
        actor=staff, motions=[first, second], title="Composite: rent", text=TEXT + " With caps in every region."
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == second.state == MotionState.COMPOSITED
    assert first.composited_into == composite == second.composited_into
    assert composite.state == MotionState.ELIGIBLE
    supporters = set(composite.seconders.values_list("member_id", flat=True))
    assert second_mover.pk in supporters and member.pk not in supporters  # the mover moves it
    assert "composited from" in composite.revisions.first().reason
    with pytest.raises(PermissionDenied):
        motion_actions.composite_motions(actor=member, motions=[first, second], title="x", text=TEXT)


# --- tracked changes ---------------------------------------------------------------------------------------


def test_the_diff_is_word_by_word_and_escapes_html():
    html = str(textdiff.diff_html("Fund the <b>hall</b> now", "Fund the <b>library</b> now"))
    assert "<del>" in html and "<ins>" in html and "&lt;b&gt;library&lt;/b&gt;" in html
    assert textdiff.counts("one two three", "one four three") == (1, 1)


def test_merge_combines_separate_changes_and_refuses_overlapping_ones():
    base = "a b c d e"
    assert textdiff.merge(base, "a X c d e", "a b c d Y") == "a X c d Y"
    with pytest.raises(textdiff.Conflict):
        textdiff.merge(base, "a X c d e", "a Z c d e")


# --- pages ------------------------------------------------------------------------------------------------


def test_the_motion_page_shows_the_mover_the_seconders_and_amendments_as_tracked_changes(client, member):
    seconder = voter("Sally Seconder")
    motion = _motion(member)
    motion_actions.second_motion(actor=seconder, motion=motion)
    amendment_actions.propose_amendment(actor=voter("Amy Amender"), motion=motion, text=AMENDED)
    client.force_login(member)
    page = client.get(reverse("elections:motion", args=[motion.pk])).content.decode()
    assert "Moved by <strong>Mo Member</strong>" in page and "Sally Seconder" in page and "Amy Amender" in page
    assert "<del>" in page and "<ins>" in page
    assert "Withdraw my motion" in page and "Second this motion" not in page


def test_a_member_moves_seconds_and_amends_through_the_pages(client, member):
    client.force_login(member)
    response = client.post(reverse("elections:motion_new"), {"title": "Rent controls", "text": TEXT})
    motion = Motion.objects.get(title="Rent controls")
    assert response.status_code == 302 and motion.mover == member
    bad = client.post(reverse("elections:motion_new"), {"title": "", "text": "short"})
    assert bad.status_code == 400 and "Give the motion a title" in bad.content.decode()
    other = voter()
    client.force_login(other)
    client.post(reverse("elections:motion_second", args=[motion.pk]))
    assert motion.seconders.filter(member=other).exists()
    preview = client.post(reverse("elections:motion_amend", args=[motion.pk]), {"text": AMENDED, "step": "preview"})
    assert "<ins>" in preview.content.decode()
    client.post(reverse("elections:motion_amend", args=[motion.pk]), {"text": AMENDED, "step": "propose"})
    assert motion.amendments.get().text == AMENDED
