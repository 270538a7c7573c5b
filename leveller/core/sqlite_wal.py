"""SQLite's write-ahead log, checkpointed by a background thread instead of by whichever request commits.

SQLite copies the WAL back into the database file (a checkpoint) when a commit finds the WAL past
`wal_autocheckpoint` pages, so every thousand pages or so one unlucky request paid for the copy and the
fsyncs. In a server process a daemon thread runs a PASSIVE checkpoint every `LEVELLER_SQLITE_CHECKPOINT_SECONDS`
on its own connection instead; SQLite's C code runs it without holding Python's GIL, so requests go on meanwhile.
A PASSIVE checkpoint never blocks readers or the writer: it copies what it can and tries again next time.
Every connection keeps a larger `wal_autocheckpoint` (settings.py) as the safety valve for processes without
the thread (commands, the task worker) and for bursts the thread does not keep up with.
Measured in docs/architecture.md (Measured choices).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)
_started: set[str] = set()
_lock = threading.Lock()


def _database_path(alias: str) -> Path | None:
    """The file of `alias` as it is now (the test runner renames it after import), if it is a real file."""
    name = str(connections[alias].settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name)
    return path if path.exists() else None


def checkpoint(alias: str = "default") -> tuple[int, int, int] | None:
    """One PASSIVE checkpoint: (busy, WAL pages, pages copied), or None when there is no file to checkpoint."""
    path = _database_path(alias)
    if path is None:
        return None
    conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=1, isolation_level=None)
    try:
        return conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()


def _run(alias: str, every: float) -> None:
    while True:
        time.sleep(every)
        try:
            checkpoint(alias)  # a fresh connection each time: cheap twice a second, and nothing to go stale
        except sqlite3.Error:  # busy, or the file went away (tests): try again next time
            pass
        except Exception:  # never let the thread die quietly half-way
            log.exception("SQLite checkpoint failed")


def start_checkpointer(alias: str = "default") -> bool:
    """Start this process's checkpoint thread for `alias` once, if it is SQLite and the interval is not 0."""
    every = settings.SQLITE_CHECKPOINT_SECONDS
    if every <= 0 or connections[alias].vendor != "sqlite":
        return False
    with _lock:
        if alias in _started:
            return False
        _started.add(alias)
    threading.Thread(target=_run, args=(alias, every), name=f"sqlite-checkpoint-{alias}", daemon=True).start()
    return True
