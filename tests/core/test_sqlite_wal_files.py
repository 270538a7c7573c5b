"""SQLite's background checkpoint (leveller/core/sqlite_wal.py) against SQLite files each test makes itself.

These run on either backend: the database under test is a SQLite file named by a connection alias of the
test's own, never the run's default connection (which may be PostgreSQL).
"""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import pytest

from leveller.core import sqlite_wal


class _Aliases(dict):
    """Stands in for django.db.connections: alias -> a connection with `vendor` and `settings_dict`."""


@pytest.fixture
def aliases(monkeypatch):
    found = _Aliases()
    monkeypatch.setattr(sqlite_wal, "connections", found)
    monkeypatch.setattr(sqlite_wal, "_started", set())
    return lambda alias, name, vendor="sqlite": found.__setitem__(
        alias, SimpleNamespace(vendor=vendor, settings_dict={"NAME": name})
    )


def _wal_database(path, rows=50):
    """A WAL-mode database with committed pages still in its log, kept open as a server would keep it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # only our checkpoint copies the log back
    conn.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
    conn.executemany("INSERT INTO note (text) VALUES (?)", [(f"minute {i} " * 20,) for i in range(rows)])
    return conn


def test_a_checkpoint_copies_a_databases_committed_log_back_into_its_file(aliases, tmp_path):
    path = tmp_path / "branch.sqlite3"
    writer = _wal_database(path)
    try:
        aliases("branch", str(path))
        busy, log_pages, copied = sqlite_wal.checkpoint("branch")
        assert busy == 0
        assert log_pages >= 1
        assert copied == log_pages
        fresh = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        assert fresh.execute("SELECT count(*) FROM note").fetchone()[0] == 50
        fresh.close()
    finally:
        writer.close()


@pytest.mark.parametrize("name", ["", ":memory:", "file:memdb1?mode=memory&cache=shared"])
def test_a_database_without_a_file_has_nothing_to_checkpoint(aliases, name):
    aliases("scratch", name)
    assert sqlite_wal.checkpoint("scratch") is None


def test_a_database_file_that_has_gone_away_has_nothing_to_checkpoint(aliases, tmp_path):
    aliases("gone", str(tmp_path / "renamed-by-the-test-runner.sqlite3"))
    assert sqlite_wal.checkpoint("gone") is None
    assert not (tmp_path / "renamed-by-the-test-runner.sqlite3").exists()  # and it is not created


def test_a_server_starts_one_checkpoint_thread_per_sqlite_database(aliases, monkeypatch, settings, tmp_path):
    settings.SQLITE_CHECKPOINT_SECONDS = 0.25
    started = []

    class _Thread:
        def __init__(self, *, target, args, name, daemon):
            self.target, self.args, self.name, self.daemon = target, args, name, daemon

        def start(self):
            started.append(self)

    monkeypatch.setattr(sqlite_wal.threading, "Thread", _Thread)
    aliases("branch", str(tmp_path / "branch.sqlite3"))
    assert sqlite_wal.start_checkpointer("branch") is True
    assert sqlite_wal.start_checkpointer("branch") is False  # already running: not a second one
    assert [(t.name, t.daemon, t.target, t.args) for t in started] == [
        ("sqlite-checkpoint-branch", True, sqlite_wal._run, ("branch", 0.25))
    ]


def test_no_checkpoint_thread_for_a_postgresql_database(aliases, settings):
    settings.SQLITE_CHECKPOINT_SECONDS = 0.5
    aliases("default", "leveller", vendor="postgresql")
    assert sqlite_wal.start_checkpointer("default") is False


def test_no_checkpoint_thread_when_the_operator_sets_the_interval_to_zero(aliases, settings, tmp_path):
    settings.SQLITE_CHECKPOINT_SECONDS = 0
    aliases("branch", str(tmp_path / "branch.sqlite3"))
    assert sqlite_wal.start_checkpointer("branch") is False


class _Stop(BaseException):
    """Ends the thread's endless loop from the test (not an Exception, so the loop does not swallow it)."""


def test_the_checkpoint_thread_checkpoints_every_interval_and_survives_busy_or_failing_checkpoints(
    aliases, monkeypatch, caplog
):
    outcomes = iter([sqlite3.OperationalError("database is locked"), RuntimeError("disk on fire"), (0, 3, 3)])
    sleeps, checkpoints = [], []

    def one_checkpoint(alias):
        checkpoints.append(alias)
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def sleep(seconds):
        if len(sleeps) == 3:
            raise _Stop
        sleeps.append(seconds)

    monkeypatch.setattr(sqlite_wal, "checkpoint", one_checkpoint)
    monkeypatch.setattr(sqlite_wal, "time", SimpleNamespace(sleep=sleep))  # this module's, not every thread's
    with pytest.raises(_Stop), caplog.at_level("ERROR", logger="leveller.core.sqlite_wal"):
        sqlite_wal._run("branch", 0.5)
    assert sleeps == [0.5, 0.5, 0.5]
    assert checkpoints == ["branch", "branch", "branch"]  # a busy database and a failure did not stop it
    assert [r.getMessage() for r in caplog.records] == ["SQLite checkpoint failed"]  # only the unexpected one
