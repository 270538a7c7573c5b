"""The demo workspace loads, loads again without duplicating anything, and its logins work."""

import pytest
from django.apps import apps
from django.core.management import call_command

from leveller.core.demoload import DEMO_LOGINS, DEMO_PASSWORD


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "chat", "phonebank", "groups", "events", "elections", "newsletter"}
    }


@pytest.mark.django_db(transaction=True)
def test_loading_the_demo_twice_duplicates_nothing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", verbosity=0)
    first = row_counts()
    assert first["accounts.Member"] >= 30
    call_command("demo", verbosity=0)
    assert row_counts() == first


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_demo_member_logs_in_with_a_real_browser(new_page, axe):
    call_command("demo", verbosity=0)
    page = new_page()
    page.goto("/")
    page.get_by_label("Email").fill(dict(DEMO_LOGINS)["member"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Welcome, Sam")).to_be_visible()
    axe(page)
