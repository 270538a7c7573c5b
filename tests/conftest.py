"""Shared test harness: personas, factories, a real ASGI live server, Playwright on Debian's Chromium,
and an accessibility check. Tests needing PostgreSQL, Redis or Chromium skip with a printed reason when
those are absent.
"""

from __future__ import annotations

import pytest

from tests.support.live import LiveServer, start_live_server

pytest_plugins = ["tests.support.browser"]


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: they switch Django's async-safety check off (see tests/support/browser.py)."""
    items[:] = [i for i in items if not i.get_closest_marker("browser")] + [
        i for i in items if i.get_closest_marker("browser")
    ]


def pytest_configure(config):
    import tempfile
    from pathlib import Path

    from django.conf import settings

    # The test process never collects static files into the data dir, but servers the tests start as
    # subprocesses (`leveller serve`) do. Pages rendered here must not pick up their manifest halfway through
    # a run (hashed names this process's WhiteNoise never scanned, so 404s): its own, empty STATIC_ROOT means
    # plain names, served by the finders, for the whole run.
    settings.STATIC_ROOT = Path(tempfile.mkdtemp(prefix="leveller-test-static-"))

    # Every realtime event any test publishes is checked against its schema (leveller/realtime/events.py).
    settings.LEVELLER_CHECK_EVENTS = True


def make_member(*args, **kwargs):
    from tests.support.personas import make_member as make

    return make(*args, **kwargs)


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    """PBKDF2's deliberate slowness is for attackers, not for a test suite that creates many members.
    (Skipped when pytest-django is off, as for the Django-free STV engine tests.)"""
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        # Tests change state behind the pages' backs (actions called directly): the pages' short cache
        # (core.page_cache) is tested on its own, in tests/core/test_page_cache.py.
        settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate-limit counters live in the cache, which outlives a test: each test starts with none."""
    if request.config.pluginmanager.hasplugin("django"):
        request.getfixturevalue("settings")
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (broadcasts, emails) at the end of the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def admin(db):
    return make_member("Ada Admin", "admin@example.org", roles=["admin"])


@pytest.fixture
def staff(db):
    return make_member("Stella Staff", "staff@example.org", roles=["staff"])


@pytest.fixture
def organiser(db):
    return make_member("Olu Organiser", "organiser@example.org", roles=["organiser"])


@pytest.fixture
def member(db):
    return make_member("Mo Member", "member@example.org", roles=["member"])


@pytest.fixture
def outsider(db):
    """An active member who belongs to nothing: must see nothing private."""
    return make_member("Oz Outsider", "outsider@example.org", roles=["member"])


@pytest.fixture
def api_client(client):
    """A Django test client that speaks JSON with a member's Bearer token: api_client(member).get(...)."""
    from tests.support.api import ApiClient

    return ApiClient


@pytest.fixture
def live_server_asgi(transactional_db) -> LiveServer:
    """The real ASGI app (HTTP and websockets) under uvicorn in a thread, on a free port."""
    server = start_live_server()
    yield server
    server.stop()
