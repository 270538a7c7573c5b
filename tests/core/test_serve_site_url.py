"""`leveller serve --host H --port P` without LEVELLER_SITE_URL puts http://H:P in emailed and feed links."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command

from leveller.core.management.commands import serve


@pytest.fixture
def served(monkeypatch, settings):
    """Run `serve` up to the point where uvicorn would start, and report the address it was given."""
    started = {}
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: started.update(kwargs))
    monkeypatch.setattr("leveller.core.startup.check_all", lambda: None)
    # Collecting would write a manifest into this process's STATIC_ROOT, and every page rendered afterwards
    # (the browser tests, which run last) would link hashed names nothing serves.
    monkeypatch.setattr("leveller.core.static.collect_if_changed", lambda: False)
    monkeypatch.setenv("LEVELLER_SITE_URL", "")  # unset, and restored after

    def run(*args):
        call_command("serve", "--no-migrate", "--no-worker", *args)
        return started

    yield run


def test_the_port_and_host_given_to_serve_become_the_site_url(served, monkeypatch):
    started = served("--host", "127.0.0.1", "--port", "8123")
    assert started["port"] == 8123
    assert settings.SITE_URL == "http://127.0.0.1:8123"
    # Worker processes uvicorn spawns read it from the environment.
    import os

    assert os.environ["LEVELLER_SITE_URL"] == "http://127.0.0.1:8123"


def test_every_interface_is_named_by_the_machine_and_ipv6_is_bracketed(monkeypatch, settings):
    monkeypatch.setenv("LEVELLER_SITE_URL", "")  # unset, and restored after
    monkeypatch.setattr("socket.gethostname", lambda: "organising-box")
    assert serve.site_url_from_address("0.0.0.0", 9000) == "http://organising-box:9000"  # noqa: S104
    monkeypatch.setenv("LEVELLER_SITE_URL", "")
    assert serve.site_url_from_address("::1", 9000) == "http://[::1]:9000"


def test_a_configured_site_url_wins_over_the_port(monkeypatch, settings):
    monkeypatch.setenv("LEVELLER_SITE_URL", "https://members.example.org")
    settings.SITE_URL = "https://members.example.org"
    assert serve.site_url_from_address("127.0.0.1", 8123) == "https://members.example.org"
    assert settings.SITE_URL == "https://members.example.org"
