"""/healthz tells the truth, fast: 503 within 2 s when the database cannot write or is gone, when the channel
layer is down, or when due tasks wait with no worker; only staff see the details."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.support.services import on_sqlite


def _get(client=None):
    """GET /healthz (an async view) from a thread of its own: a browser test earlier in the run may have left an
    event loop on this one, where Django's test client cannot call async views."""
    result = {}

    def fetch():
        started = time.monotonic()
        result["response"] = (client or Client()).get("/healthz")
        result["took"] = time.monotonic() - started

    thread = threading.Thread(target=fetch)
    thread.start()
    thread.join()
    return result["response"], result["took"]


def test_healthz_is_ok_and_tells_anonymous_callers_only_the_status(transactional_db):
    response, _ = _get()
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_shows_staff_every_check(transactional_db, client):
    from tests.support.personas import make_member

    staff = make_member("Stella Staff", "staff@example.org", roles=["staff"])
    client.force_login(staff)
    body = _get(client)[0].json()
    assert body["status"] == "ok"
    assert {body["database"]["status"], body["channel_layer"]["status"], body["tasks"]["status"]} == {"ok"}


def test_healthz_hides_details_from_a_member_who_is_not_staff(transactional_db, client):
    from tests.support.personas import make_member

    client.force_login(make_member("Mo Member", "member@example.org", roles=["member"]))
    assert _get(client)[0].json() == {"status": "ok"}


@contextlib.contextmanager
def _new_connections(**changes):
    """Change how every new database connection is made (all threads share the settings), then restore."""
    settings_dict = connection.settings_dict
    saved = {key: settings_dict.get(key) for key in changes if key != "OPTIONS"}
    saved_options = dict(settings_dict["OPTIONS"])
    for key, value in changes.items():
        if key == "OPTIONS":
            settings_dict["OPTIONS"].update(value)
        else:
            settings_dict[key] = value
    _reset_pool()
    try:
        yield
    finally:
        settings_dict.update(saved)
        settings_dict["OPTIONS"].clear()
        settings_dict["OPTIONS"].update(saved_options)
        _reset_pool()


def _reset_pool():
    connection.close()
    if connection.vendor == "postgresql" and connection.pool is not None:
        connection.close_pool()


def _read_only():
    if on_sqlite:
        return {
            "OPTIONS": {"init_command": connection.settings_dict["OPTIONS"]["init_command"] + "PRAGMA query_only=1;"}
        }
    return {"OPTIONS": {"options": "-c default_transaction_read_only=on"}}


def test_healthz_is_503_within_2_seconds_when_the_database_cannot_write(transactional_db):
    with _new_connections(**_read_only()):
        response, took = _get()
    assert response.status_code == 503
    assert response.json() == {"status": "error"}
    assert took < 2


def test_healthz_tells_staff_why_the_database_failed(transactional_db, client):
    from tests.support.personas import make_member

    client.force_login(make_member("Stella Staff", "staff@example.org", roles=["staff"]))
    with _new_connections(**_read_only()):
        response, _ = _get(client)
    # the session could not be read either, or it was: either way no details leak, and it is 503
    assert response.status_code == 503


@contextlib.contextmanager
def _silent_server():
    """A TCP port that accepts connections and never answers: a database host that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def _gone(port):
    if on_sqlite:
        return {"NAME": "/nonexistent-dir/leveller.sqlite3"}
    return {"HOST": "127.0.0.1", "PORT": str(port)}


def test_healthz_is_503_within_2_seconds_when_the_database_is_gone(transactional_db):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # closed again below: nothing listens there
    with _new_connections(**_gone(port)):
        response, took = _get()
    assert response.status_code == 503
    assert took < 2


@pytest.mark.skipif(on_sqlite, reason="a database host that hangs is a network fault (PostgreSQL)")
def test_healthz_is_503_within_2_seconds_when_the_database_host_hangs(transactional_db):
    with _silent_server() as port, _new_connections(HOST="127.0.0.1", PORT=str(port)):
        response, took = _get()
    assert response.status_code == 503
    assert took < 2


@pytest.mark.skipif(not on_sqlite, reason="SQLite's write lock")
def test_healthz_is_503_within_2_seconds_while_another_writer_holds_sqlite_for_long(transactional_db):
    import sqlite3

    holder = sqlite3.connect(connection.settings_dict["NAME"])
    holder.execute("BEGIN EXCLUSIVE")
    try:
        response, took = _get()
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503
    assert took < 2


def test_healthz_is_503_when_the_channel_layer_is_down(transactional_db, monkeypatch):
    from leveller.core import health

    class Broken:
        async def new_channel(self):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(health, "get_channel_layer", lambda: Broken())
    response, took = _get()
    assert response.status_code == 503
    assert took < 2


def test_healthz_is_503_when_a_due_task_has_waited_too_long_for_a_worker(transactional_db, settings):
    from django_tasks_db.models import DBTaskResult

    from tests.core import faulty_tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LEVELLER_HEALTH_TASK_DELAY_SECONDS = 60
    result = faulty_tasks.note.enqueue(name="waiting")
    assert _get()[0].status_code == 200  # just queued: a worker has time to take it
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - dt.timedelta(minutes=5))
    assert _get()[0].status_code == 503
    DBTaskResult.objects.filter(pk=result.id).update(status="SUCCESSFUL")
    assert _get()[0].status_code == 200
