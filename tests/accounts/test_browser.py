"""Accounts in a real browser: invitation to workspace, throttled logins, CSV import; every page axe-clean."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.support.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email, password):
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_an_invited_member_sets_a_password_logs_in_and_reaches_the_workspace(new_page, staff, axe, settings):
    settings.SITE_URL = ""
    page = new_page(staff)
    page.goto("/manage/members/")
    axe(page)
    page.get_by_role("textbox", name="Email").fill("newcomer@example.org")
    page.get_by_label("Name").fill("Nadia Newcomer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to newcomer@example.org")

    link = re.search(r"(/invitation/[^/\s]+/)", mail.outbox[-1].body).group(1)
    visitor = new_page()
    visitor.goto(link)
    expect(visitor.get_by_role("heading", name="Welcome, Nadia")).to_be_visible()
    axe(visitor)
    visitor.locator("#id_new_password1").fill("a-long-enough-passphrase")
    visitor.locator("#id_new_password2").fill("a-long-enough-passphrase")
    visitor.get_by_role("button", name="Set password and enter").click()
    expect(visitor.get_by_role("heading", name="Welcome, Nadia")).to_be_visible()
    axe(visitor)

    visitor.get_by_role("button", name="Log out").click()
    log_in(visitor, "newcomer@example.org", "a-long-enough-passphrase")
    expect(visitor.get_by_role("heading", name="Welcome, Nadia")).to_be_visible()

    visitor.goto(link)
    expect(visitor.get_by_role("heading", name="This invitation can't be used")).to_be_visible()


def test_repeated_wrong_passwords_are_throttled_even_with_the_right_one_after(new_page, member, axe):
    page = new_page()
    page.goto("/login/")
    axe(page)
    for _ in range(5):
        log_in(page, "member@example.org", "wrong-password")
    expect(page.get_by_role("heading", name="Too many failed attempts")).to_be_visible()
    log_in(page, "member@example.org", PASSWORD)
    expect(page.get_by_role("heading", name="Too many failed attempts")).to_be_visible()


def test_a_csv_import_reports_invalid_rows_and_imports_the_rest(new_page, staff, tmp_path, axe):
    csv_file = tmp_path / "members.csv"
    csv_file.write_text(
        "email,name,phone,postcode\n"
        "ok1@example.org,Okay One,020 7946 0001,NW10 3LN\n"
        "broken,Broken Email,,\n"
        "ok2@example.org,Okay Two,,\n"
        "ok3@example.org,Okay Three,999,\n"
    )
    page = new_page(staff)
    page.goto("/manage/members/")
    page.get_by_label("Members CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-summary")).to_contain_text("2 new members imported")
    rows = page.locator("#import-errors tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("3")
    expect(rows.nth(0)).to_contain_text("not a valid email")
    expect(rows.nth(1)).to_contain_text("5")
    expect(rows.nth(1)).to_contain_text("phone")
    axe(page)


def test_every_account_page_passes_the_accessibility_check(new_page, member, axe):
    page = new_page(member)
    for path in ["/", "/settings/", "/settings/password/", f"/members/{member.pk}/"]:
        page.goto(path)
        axe(page)
    anonymous = new_page()
    for path in ["/password-reset/", "/password-reset/sent/", "/invitation/nope/"]:
        anonymous.goto(path)
        axe(anonymous)


def test_the_home_page_fits_a_phone_screen(new_page, member):
    page = new_page(member, viewport={"width": 360, "height": 740})
    page.goto("/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
