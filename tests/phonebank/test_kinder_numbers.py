"""For people: survey numbers stay 1, 2, 3 when conditional questions are hidden, and "nobody can be called"
says when calling reopens."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest

from leveller.phonebank import hours
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.actions import contacts as contact_actions
from tests.phonebank.conftest import csv_bytes

QUESTIONS = [
    {"id": "attend", "text": "Will you come on Saturday?", "kind": "single_choice", "choices": ["Yes", "No"]},
    {
        "id": "lift",
        "text": "Do you need a lift?",
        "kind": "single_choice",
        "choices": ["Yes", "No"],
        "show_if": {"question": "attend", "answer": "Yes"},
    },
    {"id": "why", "text": "What stops you coming?", "kind": "text", "show_if": {"question": "attend", "answer": "No"}},
    {"id": "rating", "text": "How do you rate the union?", "kind": "scale"},
]


@pytest.mark.django_db
def test_calling_reopens_at_the_first_contacts_opening_skipping_sunday(organiser):
    campaign = call_actions.create_campaign(
        actor=organiser, name="Drive", calling_start="10:00", calling_end="20:00", call_on_sundays=False
    )
    campaign.time_zones = ["Europe/London", "America/New_York"]
    saturday_night = dt.datetime(2026, 12, 5, 22, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))  # 17:00 in New York
    assert hours.next_opening(campaign, saturday_night) is None  # New York is still open
    late = dt.datetime(2026, 12, 6, 2, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))  # Sunday 02:00 / Sat 21:00
    assert hours.next_opening(campaign, late) == dt.datetime(
        2026, 12, 7, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London")
    )


@pytest.mark.django_db
def test_nobody_to_call_outside_hours_says_when_calling_reopens(client, organiser, member):
    campaign = call_actions.create_campaign(
        actor=organiser, name="Drive", status="live", calling_start="00:00", calling_end="00:01", call_on_sundays=True
    )
    contact_actions.upload_contacts(
        actor=organiser, campaign=campaign, data=csv_bytes([("Ada One", "+447400000001", "")])
    )
    client.force_login(member)
    response = client.post(f"/phonebank/{campaign.pk}/call/", follow=True)
    page = response.content.decode()
    assert "Nobody can be called right now" in page
    assert "Calling reopens at 00:00" in page and "(your time)" in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_survey_numbers_stay_contiguous_when_conditional_questions_are_hidden(new_page, organiser, member, axe):
    from playwright.sync_api import expect

    campaign = call_actions.create_campaign(
        actor=organiser,
        name="Drive",
        status="live",
        calling_start="00:00",
        calling_end="23:59",
        call_on_sundays=True,
        questions=QUESTIONS,
    )
    contact_actions.upload_contacts(
        actor=organiser, campaign=campaign, data=csv_bytes([("Ada One", "+447400000001", "")])
    )
    page = new_page(member)
    page.goto(f"/phonebank/{campaign.pk}/")
    page.get_by_role("button", name="Start calling").click()
    # Chromium's accessibility tree: what a screen reader announces for each question shown.
    expect(page.get_by_role("group", name="How do you rate the union?")).to_be_visible()
    # The script hides the conditional questions once it has run; the tree is read only after that.
    expect(page.get_by_role("group", name=re.compile("Do you need a lift"))).to_be_hidden()
    assert eventually(page, ["1. Will you come on Saturday?", "2. How do you rate the union?"])
    page.get_by_role("group", name="Will you come on Saturday?").get_by_label("No").check()
    expect(page.get_by_role("group", name=re.compile("What stops you coming"))).to_be_visible()
    assert eventually(
        page,
        [
            "1. Will you come on Saturday?",
            "2. What stops you coming? (only if “No”)",
            "3. How do you rate the union?",
        ],
    )
    axe(page)


def eventually(page, expected: list[str], *, timeout: float = 5.0) -> bool:
    """The accessibility tree settles after the script renumbers; read it until it matches or time runs out."""
    import time

    deadline = time.monotonic() + timeout
    names = question_names(page)
    while names != expected and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        names = question_names(page)
    assert names == expected
    return True


def question_names(page) -> list[str]:
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    return [
        " ".join(n["name"]["value"].split())
        for n in nodes
        if n.get("role", {}).get("value") == "group" and not n.get("ignored") and n.get("name", {}).get("value")
    ]
