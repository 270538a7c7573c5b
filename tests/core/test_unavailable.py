"""A database outage fails fast: JSON {"detail"} 503 on the API, a styled 503 page on pages, within 2 s."""

from __future__ import annotations

import socket
import time

from django.test import Client

from tests.core.test_health import _gone, _new_connections


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_api_call_during_a_database_outage_is_a_json_503_within_2_seconds(transactional_db, api_client, member):
    client = api_client(member)
    client.client.raise_request_exception = False
    with _new_connections(**_gone(_closed_port())):
        started = time.monotonic()
        response = client.get("/api/v1/channels")
        took = time.monotonic() - started
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert "database" in response.json()["detail"]
    assert response["Retry-After"]
    assert took < 2
    assert client.get("/api/v1/channels").status_code == 200  # and back at once


def test_a_page_during_a_database_outage_is_the_styled_503_page(transactional_db, member):
    browser = Client(raise_request_exception=False)
    browser.force_login(member)
    with _new_connections(**_gone(_closed_port())):
        started = time.monotonic()
        response = browser.get("/")
        took = time.monotonic() - started
    assert response.status_code == 503
    html = response.content.decode()
    assert "We’ll be back in a moment" in html
    assert 'href="/static/' in html or "app.css" in html  # the site's own styles: it extends the base
    assert took < 2
    assert browser.get("/").status_code == 200


def test_only_database_outages_become_503_other_errors_stay_500(rf):
    from django.db import IntegrityError, OperationalError

    from leveller.core.unavailable import server_error

    def answer(error, path="/"):
        try:
            raise error
        except Exception:
            return server_error(rf.get(path))

    assert answer(OperationalError("database or disk is full")).status_code == 503
    assert answer(OperationalError("connection refused"), "/api/v1/x")["Content-Type"] == "application/json"
    assert answer(IntegrityError("a bug")).status_code == 500
    assert answer(RuntimeError("a bug")).status_code == 500
