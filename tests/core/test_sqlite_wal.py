import threading

import pytest
from django.conf import settings

from leveller.core import sqlite_wal
from tests.support.async_safety import async_safety_on  # noqa: F401 - fixture

pytestmark = pytest.mark.skipif(not settings.DATABASE_IS_SQLITE, reason="SQLite only: its write-ahead log is ours")


@pytest.fixture(autouse=True)
def _async_safety_check_on(async_safety_on):  # noqa: F811
    """The checkpoint thread runs with Django's async-safety check on (docs/architecture.md, Private runtime)."""


def test_a_checkpoint_copies_the_committed_log_back_into_the_database_file(transactional_db, member):
    member.display_name = "Renamed"
    member.save()
    busy, log_pages, copied = sqlite_wal.checkpoint()
    assert busy == 0
    assert log_pages >= 1
    assert copied == log_pages


def test_the_server_checkpoints_on_one_background_thread_per_process():
    import leveller.asgi  # noqa: F401 - building the app starts the thread

    threads = [t for t in threading.enumerate() if t.name == "sqlite-checkpoint-default"]
    assert len(threads) == 1
    assert threads[0].daemon
    assert sqlite_wal.start_checkpointer() is False  # already running: not a second one


def test_no_thread_is_started_when_the_interval_is_zero(settings):
    settings.SQLITE_CHECKPOINT_SECONDS = 0
    assert sqlite_wal.start_checkpointer(alias="default") is False
