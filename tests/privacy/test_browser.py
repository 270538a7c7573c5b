"""Data rights in a real browser: a member's choices, copy and erasure request; staff pages; all axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from leveller.privacy import consent
from leveller.privacy.models import ErasureRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_sets_choices_gets_a_copy_and_asks_for_erasure(new_page, member, axe, settings, tmp_path):
    settings.PRIVACY_EXPORT_DIR = tmp_path
    page = new_page(member)
    page.goto("/settings/")
    page.get_by_role("link", name="Manage your data").click()
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    axe(page)
    page.get_by_label("Research and surveys").check()
    page.get_by_label("Reminders about events you signed up to").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status").first).to_contain_text("Your choices are saved")
    assert consent.permits("research", member=member) and not consent.permits("event_reminders", member=member)

    page.get_by_role("button", name="Email me a copy").click()
    expect(page.get_by_role("link", name="Download the zip")).to_be_visible()
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the zip").click()
    assert download.value.suggested_filename.startswith("my-data-")

    page.goto("/settings/data/")
    page.get_by_label("I understand this cannot be undone").check()
    page.get_by_role("button", name="Ask for my data to be erased").click()
    expect(page.get_by_role("button", name="Withdraw my request")).to_be_visible()
    axe(page)
    assert ErasureRequest.objects.filter(member_ref=member.pk, status="requested").exists()


def test_staff_and_admin_pages_are_usable_and_accessible(new_page, admin, member, axe):
    from leveller.privacy.actions import erasure as erasure_actions

    erasure_actions.request_erasure(actor=member)
    page = new_page(admin)
    page.goto("/manage/privacy/")
    expect(page.get_by_role("cell", name="Mo Member")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Retention").click()
    expect(page.get_by_role("heading", name="Retention")).to_be_visible()
    axe(page)
    page.goto("/manage/audit/")
    page.get_by_label("Action starts with").fill("privacy.")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("cell", name="privacy.erasure_requested")).to_be_visible()
    axe(page)
    page.goto("/manage/privacy/")
    page.get_by_role("button", name="Erase now").click()
    expect(page.get_by_role("status").first).to_contain_text("Erased")
    member.refresh_from_db()
    assert member.display_name == "Former member"


def test_an_organiser_finds_a_contact_and_records_consent_given_on_paper(new_page, organiser, axe):
    from leveller.phonebank.actions import calls as call_actions
    from leveller.phonebank.actions import contacts as contact_actions
    from tests.phonebank.conftest import csv_bytes

    campaign = call_actions.create_campaign(actor=organiser, name="Rent survey", status="live")
    contact_actions.upload_contacts(
        actor=organiser, campaign=campaign, data=csv_bytes([("Carol Contact", "+447400000001", "")])
    )
    page = new_page(organiser)
    page.goto(f"/phonebank/{campaign.pk}/")
    page.get_by_role("link", name="Contacts' consent").click()
    page.get_by_label("Name or phone number").fill("carol")
    page.get_by_role("button", name="Find").click()
    axe(page)
    page.get_by_role("link", name="Carol Contact").click()
    page.get_by_label("Purpose").select_option("research")
    page.get_by_label("How they told us").select_option("form")
    page.get_by_label("The exact words they were read or shown").fill("Invite me to research.")
    page.get_by_label("Where (which call, form or letter)").fill("paper form at the stall")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("cell", name="paper form at the stall")).to_be_visible()
    axe(page)
    assert consent.permits("research", contact=campaign.contacts.get())


def test_an_admin_sets_the_erasure_policy(new_page, admin, axe):
    from leveller.privacy import policy

    page = new_page(admin)
    page.goto("/manage/privacy/")
    page.get_by_role("link", name="Policy").click()
    axe(page)
    page.get_by_label("Always delete their text").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved")
    assert policy.current().messages_on_erasure == "delete"
