"""Deliberation and process pages: discussion channels joined from the vote page, hustings questions answered
by candidates beside their statements, the process timeline, and results showing every stage of a decision."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from leveller.chat.models import ChannelMembership
from leveller.elections.actions import amendments as amendment_actions
from leveller.elections.actions import deliberation as deliberation_actions
from leveller.elections.actions import motions as motion_actions
from leveller.elections.actions import processes as process_actions
from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.actions import voting as voting_actions
from leveller.elections.models import Motion
from tests.elections.helpers import stv_election, voter, voters

TEXT = "This organisation will campaign for rent controls in every city where we have a branch."


def _with_member_candidate(staff):
    election = stv_election(staff, names=("Bob", "Cat"), open_voting=False)
    ann = voter("Ann Candidate")
    setup_actions.add_candidate(
        actor=staff, election=election, name="Ann Candidate", statement="Ann's statement.", member=ann
    )
    transition_actions.open_voting(actor=staff, election=election)
    return election, ann


def test_a_member_asks_and_the_candidate_answers_beside_their_statement(staff, client):
    election, ann = _with_member_candidate(staff)
    asker = voter("Quinn Questioner")
    question = deliberation_actions.ask_question(
        actor=asker, election=election, text="What would you do about rents in year one?"
    )
    deliberation_actions.answer_question(
        actor=ann, question=question, text="Fund a renters' union organiser in every region."
    )
    client.force_login(asker)
    page = client.get(reverse("elections:detail", args=[election.pk])).content.decode()
    statement_at = page.index("Ann&#x27;s statement.")
    answers_at = page.index("Ann Candidate's hustings answers")
    assert statement_at < answers_at < page.index('id="hustings"')  # beside the statement, then the Q&A
    assert "Fund a renters&#x27; union organiser" in page and "Quinn Questioner" in page


def test_only_candidates_answer_and_a_second_answer_replaces_the_first(staff, api_client):
    election, ann = _with_member_candidate(staff)
    question = deliberation_actions.ask_question(actor=voter(), election=election, text="Will you publish your diary?")
    url = f"/api/v1/elections/{election.pk}/hustings/{question.pk}/answer"
    assert api_client(voter()).post(url, {"text": "I am not standing"}).status_code == 403
    assert api_client(ann).post(url, {"text": "Yes."}).status_code == 200
    got = api_client(ann).post(url, {"text": "Yes, every week."}).json()
    assert [a["text"] for a in got["answers"]] == ["Yes, every week."]
    listing = api_client(voter()).get(f"/api/v1/elections/{election.pk}/hustings").json()
    assert listing[0]["answers"][0]["candidate_name"] == "Ann Candidate"


def test_a_member_outside_the_electorate_cannot_ask(staff):
    from leveller.groups.models import Group

    Group.objects.create(name="North West", slug="north-west", kind="regional", status="approved")
    election = stv_election(staff, open_voting=False, electorate_groups=["north-west"])
    transition_actions.open_voting(actor=staff, election=election)
    with pytest.raises(PermissionDenied, match="North West"):
        deliberation_actions.ask_question(actor=voter(), election=election, text="Why can I not vote in this?")


def test_staff_remove_a_question_and_it_disappears(staff, api_client):
    election, _ = _with_member_candidate(staff)
    question = deliberation_actions.ask_question(actor=voter(), election=election, text="An off-topic question here")
    with pytest.raises(PermissionDenied):
        deliberation_actions.hide_question(actor=voter(), question=question)
    deliberation_actions.hide_question(actor=staff, question=question)
    assert api_client(staff).get(f"/api/v1/elections/{election.pk}/hustings").json() == []


def test_members_join_a_votes_discussion_from_its_page(staff, client):
    election = stv_election(staff)
    member = voter()
    client.force_login(member)
    response = client.post(reverse("elections:discuss", args=[election.pk]))
    election.refresh_from_db()
    assert response.status_code == 302 and response.url == reverse("chat:channel", args=[election.channel_id])
    assert ChannelMembership.objects.filter(channel=election.channel, member=member).exists()
    other = voter()
    client.force_login(other)
    client.post(reverse("elections:discuss", args=[election.pk]))
    election.refresh_from_db()
    assert ChannelMembership.objects.filter(channel=election.channel).count() == 2  # one channel per vote


def test_a_motion_and_its_votes_share_one_discussion(staff, client):
    mover = voter()
    motion = motion_actions.propose_motion(actor=mover, title="Rent controls", text=TEXT)
    channel = deliberation_actions.join_discussion(actor=mover, motion=motion)
    for seconder in voters(2):
        motion_actions.second_motion(actor=seconder, motion=motion)
    motion_actions.schedule_motion(actor=staff, motion=motion, voting_closes_at=timezone.now() + dt.timedelta(days=7))
    motion.refresh_from_db()
    assert motion.election.channel == channel
    member = voter()
    client.force_login(member)
    client.post(reverse("elections:discuss", args=[motion.election.pk]))
    assert ChannelMembership.objects.filter(channel=channel, member=member).exists()


def test_the_process_page_shows_its_stages_on_one_timeline_with_dates(staff, client):
    now = timezone.now()
    process = process_actions.create_process(
        actor=staff,
        title="Re-foundation",
        proposals_open_at=now - dt.timedelta(days=2),
        proposals_close_at=now + dt.timedelta(days=2),
        amendments_close_at=now + dt.timedelta(days=4),
        deliberation_close_at=now + dt.timedelta(days=6),
        voting_opens_at=now + dt.timedelta(days=6),
        voting_closes_at=now + dt.timedelta(days=10),
        results_at=now + dt.timedelta(days=11),
    )
    mover = voter("Mona Mover")
    motion_actions.propose_motion(actor=mover, title="Open minutes", text=TEXT, process=process)
    client.force_login(mover)
    page = client.get(reverse("elections:process", args=[process.slug])).content.decode()
    for stage in ("Proposals", "Amendments", "Deliberation", "Voting", "Results"):
        assert stage in page
    assert page.count('aria-current="step"') == 2  # proposals and amendments are both open now
    assert "Open minutes" in page and "Mona Mover" in page and "Move a motion" in page


def test_stages_must_be_in_order(staff):
    from django.core.exceptions import ValidationError

    now = timezone.now()
    with pytest.raises(ValidationError, match="in order"):
        process_actions.create_process(
            actor=staff, title="Backwards", proposals_open_at=now, proposals_close_at=now - dt.timedelta(days=1)
        )


def test_the_results_page_shows_every_stage_of_an_amended_motion(staff, client):
    mover = voter()
    motion = motion_actions.propose_motion(actor=mover, title="Rent controls", text=TEXT)
    for seconder in voters(2):
        motion_actions.second_motion(actor=seconder, motion=motion)
    amendment = amendment_actions.propose_amendment(actor=voter(), motion=motion, text=TEXT + " And in every town.")
    amendment_actions.second_amendment(actor=voter(), amendment=amendment)
    later = timezone.now()
    motion_actions.schedule_motion(
        actor=staff,
        motion=motion,
        voting_closes_at=later + dt.timedelta(days=14),
        amendments_close_at=later + dt.timedelta(days=7),
    )
    for step in ("amendment", "motion"):
        motion = Motion.objects.get(pk=motion.pk)
        election = motion.amendments.get().election if step == "amendment" else motion.election
        for member in voters(2):
            voting_actions.cast_ballot(actor=member, election=election, answer="yes")
        transition_actions.close_voting(actor=staff, election=election)
        election.refresh_from_db()
        transition_actions.publish_results(actor=staff, election=election)
    client.force_login(mover)
    page = client.get(reverse("elections:results", args=[motion.election.pk])).content.decode()
    assert "Every stage of this decision" in page
    stages = page[page.index('id="decision-stages"') :]
    assert stages.index("Moved") < stages.index("Amendment 1") < stages.index("The motion as amended")
    assert stages.count("<strong>carried</strong>") == 2 and "<ins>" in stages


def test_staff_create_and_edit_a_process_from_its_pages_and_members_cannot(staff, client):
    from leveller.elections.models import Process

    client.force_login(voter())
    assert client.get(reverse("elections:process_new")).status_code == 403
    client.force_login(staff)
    response = client.post(
        reverse("elections:process_new"),
        {"title": "Re-foundation 2027", "slug": "", "seconders_needed": 3, "amendment_seconders_needed": 1},
    )
    process = Process.objects.get(title="Re-foundation 2027")
    assert response.status_code == 302 and process.slug == "re-foundation-2027" and process.seconders_needed == 3
    edit = reverse("elections:process_edit", args=[process.slug])
    bad = client.post(
        edit,
        {
            "title": "Re-foundation 2027",
            "slug": process.slug,
            "seconders_needed": 3,
            "amendment_seconders_needed": 1,
            "proposals_open_at": "2027-03-01T10:00",
            "proposals_close_at": "2027-02-01T10:00",
        },
    )
    assert bad.status_code == 400 and "in order" in bad.content.decode()
    client.post(
        edit,
        {"title": "Re-foundation 2027", "slug": process.slug, "seconders_needed": 5, "amendment_seconders_needed": 2},
    )
    process.refresh_from_db()
    assert process.seconders_needed == 5 and process.amendment_seconders_needed == 2
