"""Two-factor sign-in in a real browser: Stella, whose role requires it, is sent to enrolment, scans (here: reads)
the key, confirms with a code, keeps her recovery codes, and from then on logs in with her password and a code
computed as her authenticator app would."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest
from django_otp.oath import hotp
from playwright.sync_api import expect

from leveller.accounts.actions import two_factor as two_factor_actions
from tests.support.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for `secret` (the base32 key on the page)."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{hotp(key, int(time.time()) // 30 + steps_ahead):06d}"


def test_stella_is_sent_to_enrolment_sets_up_her_app_and_then_logs_in_with_a_code(new_page, admin, staff, axe):
    two_factor_actions.set_policy(actor=admin, roles=["admin", "staff"])
    page = new_page(staff)
    page.goto("/manage/members/")
    expect(page.get_by_role("heading", name="Two-factor sign-in", exact=True)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Your role requires two-factor sign-in")
    axe(page)

    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    axe(page)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_role("textbox", name="Code").fill(app_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the codes").click()
    saved = Path(download.value.path()).read_text()
    assert saved.count("\n") >= 12 and page.locator("#recovery-codes li").first.inner_text() in saved

    page.get_by_role("link", name="I have saved them").click()
    page.goto("/manage/members/")
    expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto("/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in", exact=True)).to_be_visible()
    axe(page)
    page.get_by_role("textbox", name="Code").fill(
        app_code(secret, steps_ahead=1)
    )  # the app's next code: the last one is used
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=staff.display_name)).to_be_visible()
    page.goto("/manage/members/")
    expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
