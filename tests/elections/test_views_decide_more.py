"""The pages for deciding together, as members and staff use them: the motions list, moving into a process,
withdrawing, amending (with errors that keep what was typed), seconding, accepting and withdrawing amendments,
scheduling, compositing, discussion, hustings, the process timeline and vote-email unsubscribes. A member
whose membership lapsed, or who is not staff, is refused with a reason and nothing changes."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from leveller.elections import notify
from leveller.elections.actions import amendments as amendment_actions
from leveller.elections.actions import deliberation as deliberation_actions
from leveller.elections.actions import motions as motion_actions
from leveller.elections.actions import processes as process_actions
from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.models import AmendmentState, MailKind, MailOptOut, Motion, MotionState, Process
from leveller.elections.views_decide import process_stages
from tests.elections.helpers import stv_election, voter, voters

pytestmark = pytest.mark.django_db

TEXT = "This organisation will campaign for rent controls in every city where we have a branch."
AMENDED = "This organisation will campaign for rent controls and secure tenancies in every city and town."


def _motion(mover, title="Rent controls", text=TEXT, **kwargs):
    return motion_actions.propose_motion(actor=mover, title=title, text=text, **kwargs)


def _eligible(mover, **kwargs):
    motion = _motion(mover, **kwargs)
    for member in voters(motion.seconders_needed):
        motion_actions.second_motion(actor=member, motion=motion)
    motion.refresh_from_db()
    return motion


def _later(days):
    return timezone.now() + dt.timedelta(days=days)


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def page(response) -> str:
    """The page's text with entities decoded (Django escapes apostrophes)."""
    return html.unescape(response.content.decode())


def test_the_motions_list_sorts_motions_by_where_they_stand(client, member):
    waiting = _motion(member, title="Needs seconders")
    eligible = _eligible(voter(), title="Ready to schedule")
    withdrawn = _motion(member, title="Changed my mind")
    motion_actions.withdraw_motion(actor=member, motion=withdrawn)
    client.force_login(member)
    html = page(client.get(reverse("elections:motions")))
    assert html.index("Seeking seconders") < html.index(waiting.title)
    assert html.index("Eligible, waiting to be scheduled") < html.index(eligible.title)
    assert html.index("Withdrawn or composited") < html.index(withdrawn.title)


def test_a_motion_moved_into_a_named_process_takes_its_seconder_rule(client, staff, member):
    process = process_actions.create_process(actor=staff, title="Conference 2026", seconders_needed=4)
    client.force_login(member)
    form = client.get(reverse("elections:motion_new"), {"process": process.slug})
    assert form.status_code == 200 and "Conference 2026" in page(form)
    response = client.post(
        reverse("elections:motion_new"), {"title": "Rent controls", "text": TEXT, "process": process.slug}, follow=True
    )
    motion = Motion.objects.get(title="Rent controls")
    assert motion.process == process and motion.seconders_needed == 4
    assert "It needs 4 seconder(s)." in page(response)


def test_a_lapsed_member_cannot_move_a_motion_and_keeps_what_they_typed(client):
    lapsed = voter("Lee Lapsed", status="lapsed")
    client.force_login(lapsed)
    response = client.post(reverse("elections:motion_new"), {"title": "Rent controls", "text": TEXT})
    assert response.status_code == 400
    assert "Only members whose membership is current" in page(response)
    assert TEXT in page(response)
    assert not Motion.objects.exists()


def test_the_mover_withdraws_their_motion_from_its_page_and_another_member_cannot(client, member):
    motion = _motion(member)
    other = voter("Otto Other")
    client.force_login(other)
    response = client.post(reverse("elections:motion_withdraw", args=[motion.pk]), follow=True)
    assert "Only the mover can withdraw a motion." in page(response)
    motion.refresh_from_db()
    assert motion.state == MotionState.SEEKING_SECONDERS
    client.force_login(member)
    response = client.post(reverse("elections:motion_withdraw", args=[motion.pk]), follow=True)
    assert "You withdrew your motion." in page(response)
    motion.refresh_from_db()
    assert motion.state == MotionState.WITHDRAWN


def test_an_amendment_that_changes_nothing_is_refused_and_the_reason_typed_is_kept(client, member):
    motion = _motion(voter())
    client.force_login(member)
    form = client.get(reverse("elections:motion_amend", args=[motion.pk]))
    assert form.status_code == 200 and TEXT in page(form)
    response = client.post(
        reverse("elections:motion_amend", args=[motion.pk]), {"text": TEXT, "reason": "Say more about towns"}
    )
    assert response.status_code == 400
    assert "does not change the motion" in page(response) and "Say more about towns" in page(response)
    assert not motion.amendments.exists()


def test_a_seconder_takes_an_amendment_to_eligible_and_its_mover_cannot_second_it(client, staff, member):
    process = process_actions.create_process(actor=staff, title="Conference", amendment_seconders_needed=1)
    motion = _motion(voter("Mona Mover"), process=process)
    amender = voter("Amy Amender")
    amendment = amendment_actions.propose_amendment(actor=amender, motion=motion, text=AMENDED)
    url = reverse("elections:amendment_second", args=[motion.pk, amendment.pk])
    client.force_login(amender)
    response = client.post(url, follow=True)
    assert "You proposed this amendment, so you cannot also second it." in page(response)
    client.force_login(member)
    response = client.post(url, follow=True)
    assert "You seconded the amendment." in page(response)
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.ELIGIBLE


def test_the_mover_accepts_a_friendly_amendment_and_nobody_else_can(client, member):
    motion = _motion(member)
    amender = voter("Amy Amender")
    amendment = amendment_actions.propose_amendment(actor=amender, motion=motion, text=AMENDED)
    url = reverse("elections:amendment_accept", args=[motion.pk, amendment.pk])
    client.force_login(amender)
    response = client.post(url, follow=True)
    assert "Only the motion's mover can accept an amendment as friendly." in page(response)
    motion.refresh_from_db()
    assert motion.text == TEXT
    client.force_login(member)
    response = client.post(url, follow=True)
    assert "the motion's text now includes it" in page(response)
    motion.refresh_from_db()
    assert motion.text == AMENDED


def test_the_amender_withdraws_their_amendment_and_the_mover_cannot(client, member):
    motion = _motion(member)
    amender = voter("Amy Amender")
    amendment = amendment_actions.propose_amendment(actor=amender, motion=motion, text=AMENDED)
    url = reverse("elections:amendment_withdraw", args=[motion.pk, amendment.pk])
    client.force_login(member)
    assert "Only the amendment's mover can withdraw it." in page(client.post(url, follow=True))
    client.force_login(amender)
    assert "Amendment withdrawn." in page(client.post(url, follow=True))
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.WITHDRAWN


def test_an_amendment_is_only_found_under_its_own_motion(client, member):
    motion = _motion(member)
    other = _motion(member, title="Another motion")
    amendment = amendment_actions.propose_amendment(actor=voter(), motion=motion, text=AMENDED)
    client.force_login(member)
    for name in ("amendment_second", "amendment_accept", "amendment_withdraw"):
        assert client.post(reverse(f"elections:{name}", args=[other.pk, amendment.pk])).status_code == 404, name
    assert client.post(reverse("elections:amendment_accept", args=[999999, amendment.pk])).status_code == 404
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.SEEKING_SECONDERS


def test_staff_schedule_an_eligible_motion_from_its_page(client, staff, member):
    motion = _eligible(member)
    client.force_login(staff)
    assert "Schedule the vote" in page(client.get(reverse("elections:motion", args=[motion.pk])))
    response = client.post(
        reverse("elections:motion_schedule", args=[motion.pk]),
        {"voting_closes_at": _local(_later(14)), "quorum": "10", "threshold": "two_thirds"},
        follow=True,
    )
    assert "The motion is scheduled." in page(response)
    motion.refresh_from_db()
    assert motion.state == MotionState.SCHEDULED
    assert motion.election.quorum == 10 and motion.election.threshold == "two_thirds"


def test_a_bad_quorum_or_closing_time_is_explained_and_the_motion_stays_eligible(client, staff, member):
    motion = _eligible(member)
    client.force_login(staff)
    url = reverse("elections:motion_schedule", args=[motion.pk])
    response = client.post(url, {"voting_closes_at": _local(_later(14)), "quorum": "ten"}, follow=True)
    assert "The quorum must be a whole number (0 for none)." in page(response)
    response = client.post(url, {"voting_closes_at": _local(_later(14)), "quorum": "-3"}, follow=True)
    assert "The quorum must be a whole number" in page(response)
    response = client.post(url, {"voting_closes_at": "next week"}, follow=True)
    assert "Set when the vote on the motion closes (in the future)." in page(response)
    motion.refresh_from_db()
    assert motion.state == MotionState.ELIGIBLE and motion.election is None


def test_an_ordinary_member_cannot_schedule_a_motion(client, member):
    motion = _eligible(member)
    client.force_login(member)
    assert "Schedule the vote" not in page(client.get(reverse("elections:motion", args=[motion.pk])))
    response = client.post(
        reverse("elections:motion_schedule", args=[motion.pk]), {"voting_closes_at": _local(_later(14))}, follow=True
    )
    assert "Only staff or the standing-orders group can schedule motions." in page(response)
    motion.refresh_from_db()
    assert motion.state == MotionState.ELIGIBLE


def test_staff_composite_two_motions_from_the_page(client, staff, member):
    first = _motion(member, title="Rent controls")
    second = _motion(voter(), title="Secure tenancies")
    client.force_login(staff)
    form = client.get(reverse("elections:motion_composite"))
    assert form.status_code == 200 and "Rent controls" in page(form) and "Secure tenancies" in page(form)
    response = client.post(
        reverse("elections:motion_composite"),
        {"motions": [str(first.pk), str(second.pk)], "title": "Housing justice", "text": AMENDED},
        follow=True,
    )
    assert "Composite motion made; the originals link to it." in page(response)
    composite = Motion.objects.get(title="Housing justice")
    assert set(composite.composited_from.all()) == {first, second}


def test_a_composite_of_one_motion_is_refused_and_keeps_the_title_typed(client, staff, member):
    first = _motion(member, title="Rent controls")
    client.force_login(staff)
    response = client.post(
        reverse("elections:motion_composite"),
        {"motions": [str(first.pk), "not-a-number"], "title": "Housing justice", "text": AMENDED},
    )
    assert response.status_code == 400
    assert "Choose at least two motions to composite." in page(response) and "Housing justice" in page(response)
    first.refresh_from_db()
    assert first.state == MotionState.SEEKING_SECONDERS and not Motion.objects.filter(title="Housing justice")


def test_a_member_cannot_open_the_composite_page(client, member):
    _motion(member, title="Rent controls")
    client.force_login(member)
    assert client.get(reverse("elections:motion_composite")).status_code == 403
    assert client.post(reverse("elections:motion_composite"), {"title": "x"}).status_code == 403


def test_a_member_joins_a_motions_discussion_and_is_told_when_it_is_archived(client, staff, member):
    from leveller.chat.actions import channels as channel_actions
    from leveller.chat.models import ChannelMembership

    motion = _motion(member)
    client.force_login(member)
    response = client.post(reverse("elections:motion_discuss", args=[motion.pk]))
    motion.refresh_from_db()
    assert response.status_code == 302 and response.url == reverse("chat:channel", args=[motion.channel_id])
    assert ChannelMembership.objects.filter(channel=motion.channel, member=member).exists()
    channel_actions.set_archived(actor=staff, channel=motion.channel, archived=True)
    late = voter("Lou Late")
    client.force_login(late)
    response = client.post(reverse("elections:motion_discuss", args=[motion.pk]), follow=True)
    assert response.redirect_chain[-1][0] == motion.get_absolute_url()
    assert "This channel is archived; nobody can join it." in page(response)
    assert not ChannelMembership.objects.filter(channel=motion.channel, member=late).exists()


def _with_member_candidate(staff):
    election = stv_election(staff, names=("Bob", "Cat"), open_voting=False)
    ann = voter("Ann Candidate")
    setup_actions.add_candidate(
        actor=staff, election=election, name="Ann Candidate", statement="Ann's statement.", member=ann
    )
    transition_actions.open_voting(actor=staff, election=election)
    return election, ann


def test_a_member_asks_the_hustings_a_question_from_the_vote_page(client, staff):
    election, _ = _with_member_candidate(staff)
    asker = voter("Quinn Questioner")
    client.force_login(asker)
    url = reverse("elections:hustings_ask", args=[election.pk])
    response = client.post(url, {"text": "What would you do about rents in year one?"})
    assert response.status_code == 302 and response.url.endswith("#hustings")
    assert election.questions.get().asked_by == asker
    response = client.post(url, {"text": "Why?"}, follow=True)
    assert "Write your question for the candidates" in page(response)
    assert election.questions.count() == 1


def test_the_candidate_answers_a_question_and_another_member_cannot(client, staff):
    election, ann = _with_member_candidate(staff)
    question = deliberation_actions.ask_question(actor=voter(), election=election, text="Will you publish a diary?")
    url = reverse("elections:hustings_answer", args=[election.pk, question.pk])
    client.force_login(voter("Nora Nobody"))
    response = client.post(url, {"text": "I would."}, follow=True)
    assert "Only the candidates in this election can answer" in page(response)
    client.force_login(ann)
    response = client.post(url, {"text": "Yes, every week."})
    assert response.status_code == 302 and response.url.endswith(f"#q-{question.pk}")
    assert [a.text for a in question.answers.all()] == ["Yes, every week."]


def test_staff_remove_a_hustings_question_and_then_it_is_gone_for_everyone(client, staff):
    election, ann = _with_member_candidate(staff)
    question = deliberation_actions.ask_question(actor=voter(), election=election, text="An off-topic question here")
    hide = reverse("elections:hustings_hide", args=[election.pk, question.pk])
    client.force_login(ann)
    assert "Only staff can remove hustings questions." in page(client.post(hide, follow=True))
    client.force_login(staff)
    assert "Question removed." in page(client.post(hide, follow=True))
    client.force_login(ann)
    answer = reverse("elections:hustings_answer", args=[election.pk, question.pk])
    assert client.post(answer, {"text": "Too late"}).status_code == 404
    assert not question.answers.exists()


def test_the_process_timeline_marks_each_stage_done_now_or_to_come(staff):
    now = timezone.now()
    process = Process(
        title="Conference",
        proposals_open_at=now - dt.timedelta(days=10),
        proposals_close_at=now - dt.timedelta(days=5),
        amendments_close_at=now - dt.timedelta(days=2),
        deliberation_close_at=now + dt.timedelta(days=2),
        voting_opens_at=now + dt.timedelta(days=3),
        voting_closes_at=now + dt.timedelta(days=10),
    )
    assert [s["status"] for s in process_stages(process, now)] == ["done", "done", "now", "to come", "to come"]
    blank = Process(title="Unscheduled")
    assert {s["status"] for s in process_stages(blank, now)} == {"not scheduled"}


def test_an_unknown_process_is_a_404_and_only_staff_edit_processes(client, staff, member):
    process = process_actions.create_process(actor=staff, title="Conference")
    client.force_login(member)
    assert client.get(reverse("elections:process", args=["no-such-process"])).status_code == 404
    assert client.get(reverse("elections:process_edit", args=[process.slug])).status_code == 403
    client.force_login(staff)
    assert client.get(reverse("elections:process_edit", args=["no-such-process"])).status_code == 404
    response = client.post(
        reverse("elections:process_edit", args=[process.slug]),
        {"title": "Conference", "slug": process.slug, "seconders_needed": -1, "amendment_seconders_needed": 1},
    )
    assert response.status_code == 400
    process.refresh_from_db()
    assert process.seconders_needed != -1


def test_an_unsubscribe_link_asks_first_then_unsubscribes_and_says_so_next_time(client, member):
    link = notify.unsubscribe_url(member.pk, MailKind.RESULTS).removeprefix("https://members.example.org")
    ask = client.get(link)
    assert ask.status_code == 200 and "Stop “Results published” emails?" in page(ask)
    assert not MailOptOut.objects.exists()
    done = client.post(link)
    assert done.status_code == 200 and "You will get no more “Results published” emails" in page(done)
    assert MailOptOut.objects.filter(member=member, kind=MailKind.RESULTS).exists()
    assert "You are already unsubscribed" in page(client.get(link))
