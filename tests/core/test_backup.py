"""`leveller backup`: a consistent, checked copy of the live SQLite database that restores to the same data."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from tests.support.services import on_sqlite

pytestmark = [
    pytest.mark.skipif(not on_sqlite, reason="the SQLite backup (PostgreSQL uses pg_dump)"),
    pytest.mark.django_db(transaction=True),
]


def test_a_backup_taken_while_members_write_restores_every_committed_row(tmp_path, member, organiser):
    from leveller.chat.actions import channels as channel_actions
    from leveller.chat.actions import messages as message_actions
    from leveller.chat.models import Message

    channel = channel_actions.create_channel(actor=organiser, name="general")
    for i in range(20):
        message_actions.send_message(actor=organiser, channel=channel, text=f"before {i}")
    stop = threading.Event()

    def keep_writing():
        from django.db import connection as thread_connection

        n = 0
        while not stop.is_set():
            message_actions.send_message(actor=organiser, channel=channel, text=f"during {n}")
            n += 1
        thread_connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        target = tmp_path / "copy.sqlite3"
        call_command("backup", str(target), stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    finally:
        stop.set()
        writer.join()
    assert "Backed up" in (tmp_path / "out.txt").read_text()
    assert not (tmp_path / "copy.sqlite3.partial").exists()
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    table = Message._meta.db_table
    texts = {row[0] for row in copy.execute(f"SELECT text FROM {table} WHERE channel_id = ?", [channel.pk])}  # noqa: S608
    copy.close()
    assert {f"before {i}" for i in range(20)} <= texts  # everything committed before the backup began
    live = set(Message.objects.filter(channel=channel).values_list("text", flat=True))
    assert texts <= live  # and nothing that was not committed


def test_backups_go_to_the_data_folder_and_only_the_newest_are_kept(settings, tmp_path, db):
    settings.DATA_DIR = tmp_path
    for _ in range(3):
        call_command("backup", "--keep", "2", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    backups = sorted((tmp_path / "backups").glob("leveller-*.sqlite3"))
    assert 1 <= len(backups) <= 2  # names are per second: three quick runs may share one
    assert connection.vendor == "sqlite"
