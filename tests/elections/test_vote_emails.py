"""Everyone told: emails when nominations open, when voting opens, a reminder to non-voters only, and when
results are published — through the task queue, to a real SMTP server, each with one-click unsubscribe."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from leveller.core.models import AuditEntry
from leveller.elections import notify
from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.models import Election, MailKind, MailOptOut
from leveller.elections.tasks import send_election_mail_task
from leveller.groups.models import Group, GroupMembership
from tests.elections.helpers import FREEZE, vote_ranked, voter


def _election(staff, *, closes_in=dt.timedelta(days=1), **fields):
    election = setup_actions.create_election(
        actor=staff,
        title=fields.pop("title", "Regional committee"),
        kind="stv",
        seats=1,
        freeze_date=FREEZE,
        voting_closes_at=timezone.now() + closes_in,
        **fields,
    )
    for name in ("Ann", "Bob"):
        setup_actions.add_candidate(actor=staff, election=election, name=name, statement=f"{name} stands.")
    return election


@pytest.fixture
def region(db):
    return Group.objects.create(name="North West", slug="north-west", kind="regional", status="approved")


def _members_of(region, n, prefix):
    members = [voter(f"{prefix} {i}") for i in range(n)]
    for member in members:
        GroupMembership.objects.create(group=region, member=member)
    return members


def test_reminders_reach_exactly_the_non_voters_and_never_a_voter(staff, region, smtp):
    election = _election(staff, electorate_groups=["north-west"])
    transition_actions.open_voting(actor=staff, election=election)
    voted = _members_of(region, 3, "Voted")
    waiting = _members_of(region, 4, "Waiting")
    outside = voter("Outside")  # not in the electorate: never emailed
    for member in voted:
        vote_ranked(election, member, "Ann")

    result = send_election_mail_task.enqueue(election_id=election.pk, kind=MailKind.REMINDER)

    assert result.return_value == "sent 4"
    assert sorted(smtp.recipients()) == sorted(m.email for m in waiting)
    assert not {m.email for m in voted} & set(smtp.recipients())
    assert outside.email not in smtp.recipients()
    assert all("closes on" in m.get_content() for m in smtp.messages)


def test_the_reminder_goes_once_and_only_inside_the_last_two_days(staff, smtp):
    early = _election(staff, closes_in=dt.timedelta(days=5))
    transition_actions.open_voting(actor=staff, election=early)
    voter()
    assert notify.send_reminder(early) == 0  # not due yet
    assert smtp.messages == []
    late = _election(staff, title="Late", closes_in=dt.timedelta(hours=30))
    transition_actions.open_voting(actor=staff, election=late)
    assert notify.send_reminder(late) >= 1
    sent = len(smtp.messages)
    assert notify.send_reminder(late) == 0
    assert len(smtp.messages) == sent


def test_the_reminder_stores_nothing_about_who_was_reminded(staff, smtp):
    election = _election(staff)
    transition_actions.open_voting(actor=staff, election=election)
    vote_ranked(election, voter(), "Ann")
    voter()
    audit_before = AuditEntry.objects.count()
    notify.send_reminder(election)
    election.refresh_from_db()
    assert set(election.notices_sent) == {MailKind.REMINDER}  # a time, per election, not per member
    assert AuditEntry.objects.count() == audit_before
    assert MailOptOut.objects.count() == 0


def test_every_kind_of_vote_email_carries_one_click_unsubscribe(staff, smtp, run_on_commit):
    election = _election(staff, closes_in=dt.timedelta(hours=40))
    members = [voter() for _ in range(2)]
    with run_on_commit():
        transition_actions.open_nominations(actor=staff, election=election)
    with run_on_commit():
        transition_actions.open_voting(actor=staff, election=election)
    notify.send_reminder(election)
    vote_ranked(election, members[0], "Ann")
    transition_actions.close_voting(actor=staff, election=election)
    election.refresh_from_db()
    with run_on_commit():
        transition_actions.publish_results(actor=staff, election=election)

    subjects = {m["Subject"].split(":")[0] for m in smtp.messages}
    assert subjects == {"Nominations are open", "Voting is open", "Voting closes soon", "Results"}
    for message in smtp.messages:
        link = str(message["List-Unsubscribe"]).strip()
        assert link.startswith("<https://members.example.org/votes/unsubscribe/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link.strip("<>") in message.get_content()


def test_one_click_unsubscribes_from_that_kind_only(staff, smtp, client):
    election = _election(staff)
    member = voter("Una Subscribe")
    transition_actions.open_voting(actor=staff, election=election)
    link = notify.unsubscribe_url(member.pk, MailKind.REMINDER).removeprefix("https://members.example.org")
    response = client.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and response.content == b"Unsubscribed.\n"
    assert MailOptOut.objects.filter(member=member, kind=MailKind.REMINDER).exists()
    notify.send_reminder(election)
    assert member.email not in smtp.recipients()
    Election.objects.filter(pk=election.pk).update(notices_sent={})
    notify.send_voting_open(Election.objects.get(pk=election.pk))
    assert member.email in smtp.recipients()  # still gets the other kinds


def test_a_forged_or_altered_unsubscribe_link_does_nothing(client, member):
    link = notify.unsubscribe_url(member.pk, MailKind.RESULTS)
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = token.replace(f"{member.pk}-", f"{member.pk + 1}-", 1)
    assert client.post(reverse("elections:unsubscribe", args=[forged])).status_code == 404
    assert client.get(reverse("elections:unsubscribe", args=["nonsense"])).status_code == 404
    assert MailOptOut.objects.count() == 0


def test_members_choose_their_vote_emails_in_settings(client, member):
    client.force_login(member)
    client.post(reverse("elections:mail_settings"), {"voting_open": "1", "results": "1"})
    assert set(MailOptOut.objects.filter(member=member).values_list("kind", flat=True)) == {
        MailKind.NOMINATIONS_OPEN,
        MailKind.REMINDER,
    }
    page = client.get(reverse("elections:mail_settings")).content.decode()
    assert 'name="results" value="1" checked' in page


def test_a_vote_set_not_to_email_sends_nothing(staff, smtp, run_on_commit):
    election = _election(staff, email_members=False)
    voter()
    with run_on_commit():
        transition_actions.open_voting(actor=staff, election=election)
    assert notify.send_reminder(election) == 0
    assert smtp.messages == []
