"""Phonebank shifts: when a campaign's calling opens (it goes live, or is created live) its callers' devices get
one "Calling is open" push, with the calling hours and a link to the campaign. Callers are the members who took
the role on: the named callers, or, in a campaign open to a group or to every member, those who have called in it
before and may still call. Never every member of the organisation, never the organiser who opened it, never a
draft."""

from __future__ import annotations

import datetime as dt

import pytest

from leveller.groups.actions import groups as group_actions
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.models import CampaignCaller
from tests.push.test_push import sent, subscribe  # noqa: F401 - the pushes sent, a device for a member
from tests.support.personas import make_member

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _no_trailing_progress_hints(settings):
    settings.PHONEBANK_PROGRESS_SECONDS = 0  # a campaign's changes hint at once, not from a timer after the test
    yield
    from leveller.phonebank import progress

    progress.cancel_pending()


def campaign_for(organiser, *, status="draft", **fields):
    return call_actions.create_campaign(
        actor=organiser,
        name="Eviction Resistance: call members",
        status=status,
        calling_start=dt.time(10, 0),
        calling_end=dt.time(20, 0),
        **fields,
    )


def go_live(organiser, campaign, run_on_commit):
    with run_on_commit():
        call_actions.update_campaign(actor=organiser, campaign=campaign, status="live")


def test_named_callers_hear_once_when_calling_opens_and_nobody_else(sent, organiser, member, outsider, run_on_commit):  # noqa: F811
    for who in (organiser, member, outsider):
        subscribe(who, who.pk)
    with run_on_commit():
        campaign = campaign_for(organiser, callers_mode="named", callers=[member.pk, organiser.pk])
    assert sent == []  # a draft tells nobody
    go_live(organiser, campaign, run_on_commit)
    assert [(endpoint.rsplit("-", 1)[1], payload["title"]) for endpoint, payload, _ in sent] == [
        (str(member.pk), "Calling is open: Eviction Resistance: call members")
    ]
    payload = sent[0][1]
    assert payload["body"] == "Calls today between 10:00 and 20:00."
    assert payload["url"] == f"/phonebank/{campaign.pk}/" and payload["tag"] == f"campaign-{campaign.pk}"

    with run_on_commit():  # an edit to a live campaign is not news
        call_actions.update_campaign(actor=organiser, campaign=campaign, goal="Call 200 members by Friday")
    assert len(sent) == 1


def test_a_campaign_created_live_tells_its_callers_at_once(sent, organiser, member, run_on_commit):  # noqa: F811
    subscribe(member)
    with run_on_commit():
        campaign_for(organiser, status="live", callers_mode="named", callers=[member.pk])
    assert [payload["title"] for _, payload, _ in sent] == ["Calling is open: Eviction Resistance: call members"]


def test_a_group_campaign_tells_group_members_who_called_in_it(sent, staff, organiser, member, outsider, run_on_commit):  # noqa: F811
    tenants = group_actions.create_group(actor=staff, name="Harlesden Tenants", kind="local", districts=["NW10"])
    neighbour = make_member("Nell Neighbour", "nell@example.org")
    for who in (member, neighbour):
        group_actions.add_group_member(actor=staff, group=tenants, member=who)
    for n, who in enumerate((member, neighbour, outsider), start=1):
        subscribe(who, n)
    campaign = campaign_for(organiser, callers_mode="group", caller_group_id=tenants.pk)
    for who in (member, outsider):  # the outsider called before the campaign was limited to the group
        CampaignCaller.objects.create(campaign=campaign, member=who)
    go_live(organiser, campaign, run_on_commit)
    assert [endpoint for endpoint, _, _ in sent] == ["https://fcm.googleapis.com/fcm/send/device-1"]


def test_a_campaign_for_everyone_tells_those_who_called_in_it(sent, organiser, member, outsider, run_on_commit):  # noqa: F811
    subscribe(member, 1)
    subscribe(outsider, 2)
    guest = make_member("Gil Guest", "guest@example.org", roles=["guest"])
    subscribe(guest, 3)
    campaign = campaign_for(organiser, callers_mode="everyone")
    for who in (member, guest):
        CampaignCaller.objects.create(campaign=campaign, member=who)  # they called in it before it was paused
    go_live(organiser, campaign, run_on_commit)
    assert [endpoint for endpoint, _, _ in sent] == ["https://fcm.googleapis.com/fcm/send/device-1"]


def test_a_caller_who_turned_phonebank_pushes_off_gets_none(sent, organiser, member, run_on_commit):  # noqa: F811
    from leveller.push.actions import notifications as push_actions

    subscribe(member)
    push_actions.set_preferences(actor=member, kinds=["mention", "dm"], quiet_start=None, quiet_end=None)
    campaign = campaign_for(organiser, callers_mode="named", callers=[member.pk])
    go_live(organiser, campaign, run_on_commit)
    assert sent == []
