"""Playwright for Python driving Debian's Chromium (never a downloaded browser), plus an axe-core check.

Browser tests are marked `browser`; without /usr/bin/chromium they skip with the reason printed.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("LEVELLER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test's thread, so Django would refuse the ORM
    # calls the test itself makes (SynchronousOnlyOperation). Only the browser tests lift the check, and they
    # run after every other test (pytest_collection_modifyitems in tests/conftest.py), so the rest of the
    # suite, and the server code under test, run with Django's async-safety check on.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def new_page(browser, live_server_asgi):
    """new_page(member=None) -> a Playwright page on the live server, logged in as `member` if given."""
    contexts = []

    def make(member=None, *, viewport=None, **options):
        """`options` go to the browser context as they are: has_touch=True for a touch screen, for example."""
        context = browser.new_context(
            base_url=live_server_asgi.url, viewport=viewport or {"width": 1280, "height": 900}, **options
        )
        context.set_default_timeout(10_000)
        if member is not None:
            context.add_cookies([{"name": "sessionid", "value": session_for(member), "url": live_server_asgi.url}])
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def session_for(member) -> str:
    from django.test import Client

    client = Client()
    client.force_login(member)
    return client.cookies["sessionid"].value


def assert_accessible(page, *, impacts=("serious", "critical")) -> None:
    """Fail when axe-core finds serious or critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in impacts]
    if bad:
        lines = []
        for violation in bad:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']} at {targets}")
        raise AssertionError("Accessibility violations on " + page.url + ":\n" + "\n".join(lines))


@pytest.fixture
def axe():
    return assert_accessible
