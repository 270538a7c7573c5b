"""In a real browser: a non-member finds their MP from a postcode, writes, consents and confirms; a member
writes from their prefilled postcode; the organiser sees the counts and the chart. Pages are checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from leveller.lobbying import tokens
from leveller.lobbying.models import Letter, LetterState
from tests.lobbying.conftest import PERSONAL, SEAT, seat

pytestmark = pytest.mark.browser


def test_a_non_member_writes_to_their_mp_and_the_organiser_sees_it_counted(
    smtp, campaign, organiser, new_page, axe, live_server_asgi
):
    page = new_page()
    page.goto(f"/act/{campaign.slug}/")
    axe(page)
    page.get_by_label("Your postcode").fill("not a postcode")
    page.get_by_role("button", name="Find my MP").click()
    expect(page.locator("body")).to_contain_text("is not a UK postcode")
    page.get_by_label("Your postcode").fill("sw1a 1aa")
    page.get_by_role("button", name="Find my MP").click()
    expect(page.get_by_label(f"{SEAT}: {seat().mp.name}", exact=False)).to_be_checked()
    axe(page)
    page.get_by_label("Your name").fill("Sam Supporter")
    page.get_by_label("Your email").fill("sam@example.net")
    page.get_by_label("Your address").fill("1 The Mall\nLondon")
    page.get_by_label("Your own paragraph").fill(PERSONAL)
    page.get_by_role("button", name="Send my letter").click()
    expect(page.locator("main")).to_contain_text("Tick the box")
    page.get_by_label("Send this letter in my name", exact=False).check()
    page.get_by_role("button", name="Send my letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    letter = Letter.objects.get()
    assert letter.state == LetterState.UNCONFIRMED

    page.goto(tokens.confirm_url(letter.pk).removeprefix("https://members.example.org"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmed")
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and smtp.to(seat().mp.email)

    staff_page = new_page(organiser)
    staff_page.goto(f"/lobbying/campaigns/{campaign.slug}/")
    expect(staff_page.locator("#sent-count")).to_contain_text("1 sent")
    expect(staff_page.locator("svg.lobbying-chart").first).to_be_visible()
    axe(staff_page)
