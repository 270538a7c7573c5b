"""The phonebank's links to groups and chat, as callers meet them: a campaign limited to a group's members lets
them in and nobody else, a caller's first contact puts them in the campaign's party channel, and a campaign whose
channel is gone (or never made) still calls, with no link to a missing channel."""

from __future__ import annotations

import pytest
from django.http import Http404

from leveller.chat.models import Channel, ChannelMembership
from leveller.groups.actions import groups as group_actions
from leveller.phonebank import access
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.models import Call, Campaign
from tests.phonebank.conftest import WEDNESDAY_AFTERNOON as NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenants(staff, member):
    group = group_actions.create_group(actor=staff, name="Harlesden Tenants", kind="local", districts=["NW10"])
    group_actions.add_group_member(actor=staff, group=group, member=member)
    return group


def test_a_group_campaign_lets_the_groups_members_call_and_nobody_else(
    client, make_campaign, tenants, member, outsider
):
    campaign = make_campaign(contacts=2, callers_mode="group", caller_group_id=tenants.pk)
    client.force_login(member)
    page = client.get(f"/phonebank/{campaign.pk}/")
    assert page.status_code == 200 and "Phonebank party: chat with the other callers" in page.content.decode()
    client.force_login(outsider)
    refused = client.get(f"/phonebank/{campaign.pk}/")
    assert refused.status_code == 404 and campaign.name not in refused.content.decode()
    assert client.post(f"/phonebank/{campaign.pk}/call/").status_code == 404
    assert not Call.objects.filter(caller=outsider).exists()


def test_a_group_campaign_that_lost_its_group_is_for_its_organisers_only(make_campaign, tenants, member, organiser):
    campaign = make_campaign(contacts=1, callers_mode="group", caller_group_id=tenants.pk)
    Campaign.objects.filter(pk=campaign.pk).update(caller_group_id=None)  # the form refuses this; old data may not
    campaign.refresh_from_db()
    with pytest.raises(Http404):
        access.campaign_for_caller(member, campaign.pk)
    assert access.campaign_for_caller(organiser, campaign.pk) == campaign


def test_a_callers_first_contact_puts_them_in_the_campaigns_party_channel(make_campaign, member):
    campaign = make_campaign(contacts=2)
    channel = Channel.objects.get(pk=campaign.chat_channel_id)
    assert channel.private and not ChannelMembership.objects.filter(channel=channel, member=member).exists()
    call_actions.next_contact(actor=member, campaign=campaign, now=NOW)
    assert ChannelMembership.objects.filter(channel=channel, member=member).exists()


def test_a_campaign_whose_channel_was_deleted_still_calls_and_shows_no_chat_link(client, make_campaign, member):
    campaign = make_campaign(contacts=1)
    Channel.objects.filter(pk=campaign.chat_channel_id).delete()
    assert call_actions.next_contact(actor=member, campaign=campaign, now=NOW) is not None
    assert not ChannelMembership.objects.filter(member=member, channel__name__startswith="phonebank-").exists()


def test_a_campaign_without_a_channel_calls_and_its_page_has_no_chat_link(client, make_campaign, member):
    campaign = make_campaign(contacts=1)
    Campaign.objects.filter(pk=campaign.pk).update(chat_channel_id=None)
    campaign.refresh_from_db()
    assert call_actions.next_contact(actor=member, campaign=campaign, now=NOW) is not None
    client.force_login(member)
    page = client.get(f"/phonebank/{campaign.pk}/")
    assert page.status_code == 200 and "Phonebank party" not in page.content.decode()


def test_the_campaign_form_offers_groups_to_limit_callers_to(client, organiser, tenants):
    client.force_login(organiser)
    form = client.get("/phonebank/new/").content.decode()
    assert f'<option value="{tenants.pk}">Harlesden Tenants</option>' in form
