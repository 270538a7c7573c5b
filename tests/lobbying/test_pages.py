"""The pages: the public action page for a non-member, the write flow for a member, NI and ambiguous choices,
clear postcode errors, and the organisers' results (table, SVG chart, CSV) that outsiders cannot see."""

from __future__ import annotations

import pytest

from leveller.lobbying.actions import letters
from leveller.lobbying.models import Letter, LetterState
from tests.lobbying.conftest import PERSONAL, POSTCODE, SEAT, letter_fields, seat

pytestmark = pytest.mark.django_db


def test_anyone_can_open_the_action_page_and_find_their_mp(client, campaign):
    page = client.get(f"/act/{campaign.slug}/", {"postcode": POSTCODE}).content.decode()
    assert campaign.title in page and "<strong>vote against</strong>" in page
    assert SEAT in page and seat().mp.name in page
    assert "Open Parliament Licence" in page


def test_a_member_sees_their_postcode_prefilled_and_sends_from_the_page(client, campaign, writer, smtp, run_on_commit):
    client.force_login(writer)
    page = client.get(f"/act/{campaign.slug}/").content.decode()
    assert seat().mp.name in page and 'value="SW1A 1AA"' in page
    code = seat().code
    data = {"postcode": POSTCODE, "constituency_code": code, "name": "Wren Writer", "address": "1 The Mall",
            "town": "London", "letter": "Dear {mp_name},\n\n{personal_paragraph}\n\nWren", "personal": PERSONAL}  # fmt: skip
    with run_on_commit():
        response = client.post(f"/act/{campaign.slug}/?postcode={POSTCODE}", data)
    assert response.status_code == 200 and "on its way" in response.content.decode()
    assert Letter.objects.get(writer=writer).state == LetterState.SENT
    assert smtp.to(seat().mp.email)


def test_a_non_member_on_the_page_must_consent_and_is_asked_to_confirm(client, campaign, smtp, run_on_commit):
    data = {"postcode": POSTCODE, "constituency_code": seat().code, "name": "Sam", "email": "sam@example.net",
            "address": "1 The Mall", "letter": campaign.template, "personal": PERSONAL}  # fmt: skip
    page = client.post(f"/act/{campaign.slug}/", data).content.decode()
    assert "Tick the box" in page and not Letter.objects.exists()
    with run_on_commit():
        page = client.post(f"/act/{campaign.slug}/", {**data, "consent": "on"}).content.decode()
    assert "We have emailed" in page
    assert Letter.objects.get().consent_wording == letters.SUPPORTER_WORDING


def test_a_bt_postcode_on_the_page_offers_the_18_ni_seats(client, campaign):
    page = client.get(f"/act/{campaign.slug}/", {"postcode": "BT9 6AA"}).content.decode()
    assert "18 Northern Ireland seats" in page
    assert page.count('name="constituency_code"') == 18


def test_an_invalid_postcode_on_the_page_gets_a_clear_message(client, campaign):
    page = client.get(f"/act/{campaign.slug}/", {"postcode": "nonsense"}).content.decode()
    assert "is not a UK postcode" in page and 'name="personal"' not in page


def test_organisers_see_counts_by_constituency_and_party_with_a_chart_and_csv(client, campaign, writer, organiser,
                                                                             smtp, run_on_commit):  # fmt: skip
    with run_on_commit():
        letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    client.force_login(organiser)
    page = client.get(f"/lobbying/campaigns/{campaign.slug}/").content.decode()
    assert "<svg" in page and SEAT in page and seat().mp.party in page
    assert PERSONAL not in page  # counts only, never the letters
    csv_text = client.get(f"/lobbying/campaigns/{campaign.slug}/letters.csv").content.decode()
    assert csv_text.splitlines()[1].startswith(f"{seat().code},{SEAT},")
    assert "Wren" not in csv_text


def test_an_outsider_cannot_see_a_campaigns_results_or_a_draft(client, campaign, outsider, organiser):
    from leveller.lobbying.actions import campaigns

    client.force_login(outsider)
    assert client.get(f"/lobbying/campaigns/{campaign.slug}/").status_code == 403
    assert client.get(f"/lobbying/campaigns/{campaign.slug}/letters.csv").status_code == 403
    campaigns.set_status(actor=organiser, campaign=campaign, status="draft")
    assert client.get(f"/act/{campaign.slug}/").status_code == 404


def test_the_lobbying_home_lists_open_campaigns_and_my_letters(client, campaign, writer):
    letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    client.force_login(writer)
    page = client.get("/lobbying/").content.decode()
    assert campaign.title in page and f"to {seat().mp.name}" in page


def test_the_home_page_invites_a_member_to_an_open_campaign_until_they_have_written(client, campaign, writer):
    client.force_login(writer)
    assert campaign.title in client.get("/").content.decode()
    letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    assert campaign.title not in client.get("/").content.decode()
