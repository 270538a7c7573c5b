"""The supervised task worker: a database error never stops it, and no task is left RUNNING."""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.db import OperationalError
from django.utils import timezone

from tests.core import faulty_tasks


def _worker_in_thread():
    from leveller.core.worker import make_worker

    worker = make_worker(interval=0.05)
    worker.startup_delay = False
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    return worker, thread


def _wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _status(result_id):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.get(pk=result_id).status


def test_a_worker_survives_a_database_error_and_runs_the_next_task(queue, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    real_claim = DBTaskResult.claim
    failures = {"left": 2}

    def flaky_claim(self, worker_id):
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real_claim(self, worker_id)

    monkeypatch.setattr(DBTaskResult, "claim", flaky_claim)
    first = faulty_tasks.note.enqueue(name="first")
    worker, thread = _worker_in_thread()
    try:
        assert _wait_for(lambda: "first" in faulty_tasks.RAN), "the worker stopped after the database error"
        second = faulty_tasks.note.enqueue(name="second")
        assert _wait_for(lambda: "second" in faulty_tasks.RAN)
        assert _wait_for(lambda: _status(second.id) == "SUCCESSFUL")
        assert _status(first.id) == "SUCCESSFUL"
        assert worker.restarts == 2
        assert thread.is_alive()
    finally:
        worker.running = False
        thread.join(timeout=5)


def test_a_task_whose_result_cannot_be_saved_is_requeued_not_left_running(queue, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    real = DBTaskResult.set_successful
    failures = {"left": 1}

    def flaky(self, value):
        if failures["left"] and self.task_path.endswith("faulty_tasks.note"):
            failures["left"] -= 1
            raise OperationalError("database or disk is full")
        return real(self, value)

    monkeypatch.setattr(DBTaskResult, "set_successful", flaky)
    monkeypatch.setattr("django_tasks_db.utils.time.sleep", lambda s: None)
    result = faulty_tasks.note.enqueue(name="twice")
    worker, thread = _worker_in_thread()
    try:
        assert _wait_for(lambda: _status(result.id) == "SUCCESSFUL", seconds=20)
        assert faulty_tasks.RAN.count("twice") == 2  # run again, since its success was never recorded
    finally:
        worker.running = False
        thread.join(timeout=5)


def test_a_task_left_running_by_a_killed_worker_is_requeued_and_run(queue):
    from django_tasks_db.models import DBTaskResult

    from leveller.core.models import WorkerBeat

    result = faulty_tasks.note.enqueue(name="orphan")
    WorkerBeat.objects.create(worker_id="gone-1", beat_at=timezone.now() - dt.timedelta(seconds=30))
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=["gone-1"], started_at=timezone.now() - dt.timedelta(seconds=30)
    )
    worker, thread = _worker_in_thread()
    try:
        assert _wait_for(lambda: _status(result.id) == "SUCCESSFUL")
        assert faulty_tasks.RAN == ["orphan"]
    finally:
        worker.running = False
        thread.join(timeout=5)


def test_a_running_task_of_a_live_worker_is_left_alone_and_a_repeat_crasher_is_failed(queue):
    from django_tasks_db.models import DBTaskResult

    from leveller.core.models import WorkerBeat
    from leveller.core.worker import recover_stuck

    alive = faulty_tasks.note.enqueue(name="alive")
    crasher = faulty_tasks.note.enqueue(name="crasher")
    old = timezone.now() - dt.timedelta(minutes=5)
    WorkerBeat.objects.create(worker_id="busy", beat_at=timezone.now())
    DBTaskResult.objects.filter(pk=alive.id).update(status="RUNNING", worker_ids=["busy"], started_at=old)
    DBTaskResult.objects.filter(pk=crasher.id).update(status="RUNNING", worker_ids=["a", "b", "c"], started_at=old)
    assert recover_stuck() == 1
    assert _status(alive.id) == "RUNNING"
    assert _status(crasher.id) == "FAILED"


def test_the_first_worker_schedules_event_retention(queue):
    from django_tasks_db.models import DBTaskResult

    worker, thread = _worker_in_thread()
    try:
        prunes = DBTaskResult.objects.filter(task_path="leveller.core.tasks.prune_events")
        assert _wait_for(lambda: prunes.filter(status="SUCCESSFUL").exists() and prunes.filter(status="READY").exists())
    finally:
        worker.running = False
        thread.join(timeout=5)
    waiting = DBTaskResult.objects.filter(task_path="leveller.core.tasks.prune_events", status="READY")
    assert waiting.count() == 1  # one chain: it ran at start and queued itself an hour on
    assert waiting.get().run_after > timezone.now() + dt.timedelta(minutes=55)


def test_leveller_worker_waits_for_an_unreachable_database_instead_of_exiting(monkeypatch):
    from leveller.core import startup
    from leveller.core.management.commands import worker as command
    from leveller.env import ConfigError

    tries = {"n": 0}

    def flaky_check():
        tries["n"] += 1
        if tries["n"] < 3:
            raise ConfigError("DATABASE_URL: cannot connect to PostgreSQL at db:5432/leveller: Connection refused")

    monkeypatch.setattr(startup, "check_database", flaky_check)
    monkeypatch.setattr(command.time, "sleep", lambda seconds: None)
    command.wait_for_database()
    assert tries["n"] == 3
