"""`leveller worker`, run in this process as an operator would start it (`call_command`), in batch mode so it
stops once the queue is empty. The supervised loop underneath is tested in test_worker.py."""

from __future__ import annotations

import io
import logging
import signal
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from leveller.core import startup
from leveller.core.management.commands import worker as command
from leveller.env import ConfigError
from tests.core import faulty_tasks

STOP_SIGNALS = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)) if s is not None]


@pytest.fixture(autouse=True)
def _pytests_own_signal_handlers():
    """The command installs its stop handlers (Ctrl+C, SIGTERM) in this process: pytest's come back after."""
    saved = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


def _worker(*args: str) -> str:
    out = io.StringIO()
    call_command("worker", "--batch", "--interval", "0.01", *args, stdout=out)
    return out.getvalue()


def test_an_operator_starting_the_worker_sees_it_running_and_it_runs_the_queued_tasks(queue):
    from django_tasks_db.models import DBTaskResult

    first = faulty_tasks.note.enqueue(name="welcome email")
    second = faulty_tasks.note.enqueue(name="reminder")
    out = _worker()
    assert out == "Leveller worker running (Ctrl+C to stop)\n"
    assert sorted(faulty_tasks.RAN) == ["reminder", "welcome email"]
    assert set(DBTaskResult.objects.filter(pk__in=[first.id, second.id]).values_list("status", flat=True)) == {
        "SUCCESSFUL"
    }


def test_sigterm_stops_the_worker_after_the_task_under_way_and_leaves_the_rest_queued(queue):
    from django_tasks_db.models import DBTaskResult

    interrupted = faulty_tasks.stop_worker.enqueue(name="the send under way")
    waiting = faulty_tasks.note.enqueue(name="the next send")
    _worker()
    assert faulty_tasks.RAN == ["the send under way"]
    assert DBTaskResult.objects.get(pk=interrupted.id).status == "SUCCESSFUL"  # finished, not cut off
    assert DBTaskResult.objects.get(pk=waiting.id).status == "READY"  # for the next worker


def test_a_worker_started_before_its_database_is_up_waits_for_it_then_runs_the_queue(queue, monkeypatch, caplog):
    real_check = startup.check_database
    tries = {"n": 0}

    def database_coming_up():
        tries["n"] += 1
        if tries["n"] < 3:
            raise ConfigError("DATABASE_URL: cannot connect to PostgreSQL at db:5432/leveller: Connection refused")
        real_check()

    waits = []
    monkeypatch.setattr(startup, "check_database", database_coming_up)
    monkeypatch.setattr(command, "time", SimpleNamespace(sleep=waits.append))  # this module's sleep only
    faulty_tasks.note.enqueue(name="queued while the database was down")
    with caplog.at_level(logging.ERROR, logger="leveller.core.worker"):
        out = _worker()
    assert "Leveller worker running" in out
    assert faulty_tasks.RAN == ["queued while the database was down"]
    assert waits == [0.5, 1.0]  # backing off, each failure logged with its reason
    assert [r.getMessage() for r in caplog.records if r.name == "leveller.core.worker"][:2] == [
        "DATABASE_URL: cannot connect to PostgreSQL at db:5432/leveller: Connection refused; trying again in 0.5 s",
        "DATABASE_URL: cannot connect to PostgreSQL at db:5432/leveller: Connection refused; trying again in 1.0 s",
    ]


def test_the_wait_for_the_database_backs_off_to_at_most_thirty_seconds(monkeypatch):
    tries = {"n": 0}

    def down_for_a_while():
        tries["n"] += 1
        if tries["n"] <= 8:
            raise ConfigError("DATABASE_URL: cannot connect")

    waits = []
    monkeypatch.setattr(startup, "check_database", down_for_a_while)
    monkeypatch.setattr(command, "time", SimpleNamespace(sleep=waits.append))  # this module's sleep only
    command.wait_for_database()
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
