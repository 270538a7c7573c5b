"""Finding 2 and the abuse limits: a caller cannot copy a contact list by looping next/release."""

from __future__ import annotations

import pytest

from leveller.core.models import AuditEntry
from leveller.phonebank import limits
from leveller.phonebank.actions import calls as call_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_campaign(make_campaign):
    return make_campaign(contacts=40, calling_start="00:00", calling_end="23:59")


def _loop(caller, campaign_id: int, rounds: int) -> tuple[set[str], list[int]]:
    seen, statuses = set(), []
    for _ in range(rounds):
        got = caller.post(f"/api/v1/phonebank/campaigns/{campaign_id}/next")
        statuses.append(got.status_code)
        if got.status_code != 200:
            continue
        seen.add(got.json()["contact"]["phone_e164"])
        statuses.append(caller.post(f"/api/v1/phonebank/calls/{got.json()['call_id']}/release").status_code)
    return seen, statuses


def test_looping_next_and_release_shows_one_contact_not_the_list(api_client, open_campaign, member):
    seen, statuses = _loop(api_client(member), open_campaign.pk, 15)
    assert len(seen) == 1, "a released contact comes back to the same caller during the cool-down"
    assert 429 not in statuses


def test_another_caller_does_not_get_a_contact_released_during_its_cool_down(
    api_client, open_campaign, member, outsider
):
    caller = api_client(member)
    first = caller.post(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/next").json()
    caller.post(f"/api/v1/phonebank/calls/{first['call_id']}/release")
    other = api_client(outsider).post(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/next").json()
    assert other["contact"]["phone_e164"] != first["contact"]["phone_e164"]


def test_the_cool_down_ends_and_the_contact_goes_to_anyone(api_client, make_campaign, member, outsider, settings):
    settings.PHONEBANK_RELEASE_COOLDOWN_MINUTES = 0
    open_campaign = make_campaign(contacts=1, calling_start="00:00", calling_end="23:59")
    caller = api_client(member)
    first = caller.post(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/next").json()
    caller.post(f"/api/v1/phonebank/calls/{first['call_id']}/release")
    other = api_client(outsider).post(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/next").json()
    assert other["contact"]["phone_e164"] == first["contact"]["phone_e164"]


def test_next_is_rate_limited_per_caller_and_organisers_see_an_alert(
    api_client, open_campaign, member, organiser, settings
):
    settings.PHONEBANK_NEXT_PER_MINUTE = 5
    caller = api_client(member)
    answers = [caller.post(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/next") for _ in range(8)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    refused = answers[-1].json()
    assert "limit" in refused["detail"] and refused["retry_after"] > 0
    alerts = AuditEntry.objects.about(open_campaign).filter(action=limits.ALERT_ACTION)
    assert alerts.count() == 1, "one alert per window, not one per refusal"
    stats = api_client(organiser).get(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/stats").json()
    assert stats["limit_alerts"][0]["caller_id"] == member.pk
    assert api_client(member).get(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/stats").status_code == 403


def test_the_dashboard_shows_the_alert_to_organisers(client, open_campaign, member, organiser, settings):
    settings.PHONEBANK_NEXT_PER_MINUTE = 1
    call_actions.next_contact(actor=member, campaign=open_campaign)
    with pytest.raises(limits.Limited):
        call_actions.next_contact(actor=member, campaign=open_campaign)
    client.force_login(organiser)
    page = client.get(f"/phonebank/{open_campaign.pk}/dashboard/").content.decode()
    assert "Callers over a limit" in page and "Mo Member" in page


def test_releases_are_rate_limited(api_client, open_campaign, member, settings):
    settings.PHONEBANK_RELEASES_PER_HOUR = 3
    _seen, statuses = _loop(api_client(member), open_campaign.pk, 5)
    assert statuses.count(429) >= 1
    assert statuses[:6] == [200, 200, 200, 200, 200, 200]


def test_a_caller_gets_at_most_the_hourly_number_of_different_contacts(api_client, open_campaign, member, settings):
    settings.PHONEBANK_CONTACTS_PER_HOUR = 3
    settings.PHONEBANK_RELEASE_COOLDOWN_MINUTES = 0
    caller = api_client(member)
    seen = set()
    for _ in range(6):
        got = caller.post(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/next")
        if got.status_code == 200:
            seen.add(got.json()["contact"]["phone_e164"])
            caller.post(f"/api/v1/phonebank/calls/{got.json()['call_id']}/outcome", {"outcome": "no_answer"})
    assert len(seen) == 3
    assert caller.post(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/next").status_code == 429


def test_the_calling_page_explains_a_limit(client, open_campaign, member, settings):
    settings.PHONEBANK_NEXT_PER_MINUTE = 1
    client.force_login(member)
    client.post(f"/phonebank/{open_campaign.pk}/call/")
    page = client.post(f"/phonebank/{open_campaign.pk}/call/", follow=True).content.decode()
    assert "limit" in page
