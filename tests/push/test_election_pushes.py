"""Everyone told, on their phones too: nominations opening, voting opening and results are pushed to the
vote's electorate (and only to it); the reminder to vote is email only, so no list of non-voters is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from leveller.elections import notify
from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transitions_actions
from leveller.groups.models import Group, GroupMembership
from leveller.push.models import PushMessage
from tests.elections.helpers import FREEZE, vote_ranked, voter
from tests.push.test_push import sent, subscribe  # noqa: F401  (the fixture and the helper)

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def region(db):
    return Group.objects.create(name="North West", slug="north-west", kind="regional", status="approved")


def _regional_election(staff):
    election = setup_actions.create_election(
        actor=staff,
        title="Regional committee",
        kind="stv",
        seats=1,
        freeze_date=FREEZE,
        voting_closes_at=timezone.now() + dt.timedelta(hours=30),
        electorate_groups=["north-west"],
    )
    for name in ("Ann", "Bob"):
        setup_actions.add_candidate(actor=staff, election=election, name=name, statement=f"{name} stands.")
    return election


def test_nominations_voting_and_results_reach_the_electorate_and_nobody_outside_it(
    sent,  # noqa: F811
    staff,
    region,
    run_on_commit,
):
    inside, outside = voter("Inside"), voter("Outside")
    GroupMembership.objects.create(group=region, member=inside)
    subscribe(inside, 1)
    subscribe(outside, 2)
    election = _regional_election(staff)
    with run_on_commit():
        transitions_actions.open_nominations(actor=staff, election=election)
    with run_on_commit():
        transitions_actions.open_voting(actor=staff, election=election)
    vote_ranked(election, inside, "Ann")
    transitions_actions.close_voting(actor=staff, election=election)
    election.refresh_from_db()
    with run_on_commit():
        transitions_actions.publish_results(actor=staff, election=election)

    titles = [payload["title"] for endpoint, payload, _ in sent]
    assert titles == [
        "Nominations are open: Regional committee",
        "Voting is open: Regional committee",
        "Results: Regional committee",
    ]
    assert {endpoint for endpoint, _, _ in sent} == {"https://fcm.googleapis.com/fcm/send/device-1"}
    assert [payload["tag"] for _, payload, _ in sent] == [
        f"election-{election.pk}-nominations_open",
        f"election-{election.pk}",
        f"election-{election.pk}-vote_results",
    ]
    assert sent[-1][1]["url"].endswith(reverse("elections:results", args=[election.pk]))


def test_the_reminder_to_vote_is_never_pushed_so_no_list_of_non_voters_is_kept(sent, staff, region):  # noqa: F811
    waiting = voter("Waiting")
    GroupMembership.objects.create(group=region, member=waiting)
    election = _regional_election(staff)
    transitions_actions.open_voting(actor=staff, election=election)
    subscribe(waiting)
    before = PushMessage.objects.count()
    notify.send_reminder(election)
    assert PushMessage.objects.count() == before
    assert not [p for _, p, _ in sent if "closes soon" in p["title"]]


def test_a_member_who_turned_results_off_gets_no_results_push(sent, staff, region, run_on_commit):  # noqa: F811
    from leveller.push.actions import notifications as notifications_actions

    member = voter("Quiet")
    GroupMembership.objects.create(group=region, member=member)
    subscribe(member)
    notifications_actions.set_preferences(actor=member, kinds=["voting_open"])
    election = _regional_election(staff)
    with run_on_commit():
        transitions_actions.open_voting(actor=staff, election=election)
    transitions_actions.close_voting(actor=staff, election=election)
    election.refresh_from_db()
    with run_on_commit():
        transitions_actions.publish_results(actor=staff, election=election)
    assert [p["title"] for _, p, _ in sent] == ["Voting is open: Regional committee"]
