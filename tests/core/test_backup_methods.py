"""`leveller backup` on either backend: the SQLite copy against SQLite files each test makes, the pg_dump
command it builds, the backups folder it keeps, and (on PostgreSQL) a real pg_dump of this run's database.

tests/core/test_backup.py covers the live SQLite database under concurrent writes.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from leveller.core.management.commands import backup
from tests.support.services import requires_postgres

has_pg_dump = pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump (postgresql-client)")


def _branch_database(path: Path, rows: int = 200) -> sqlite3.Connection:
    """A WAL database with an index, its last commits still in the log, left open as a running server would."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE member (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("CREATE INDEX member_name ON member (name)")
    conn.executemany("INSERT INTO member (name) VALUES (?)", [(str(i) * 50,) for i in range(rows)])
    return conn


def _damaged_database(path: Path, *, page: int) -> None:
    """A database with four bytes of one page's header overwritten, as a failing disk might leave it."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE member (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("CREATE INDEX member_name ON member (name)")
    conn.executemany("INSERT INTO member (name) VALUES (?)", [(str(i) * 50,) for i in range(200)])
    conn.commit()
    conn.close()
    with path.open("r+b") as file:
        file.seek(4096 * (page - 1) + 8)
        file.write(b"\x07\x01\x02\x03")


def _journal_mode(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_of_a_running_sqlite_database_is_one_self_contained_checked_file(tmp_path):
    source = tmp_path / "leveller.sqlite3"
    server = _branch_database(source)
    try:
        target = tmp_path / "copy.sqlite3"
        pages = backup.backup_sqlite(source, target)
    finally:
        server.close()
    assert pages > 1
    assert not (tmp_path / "copy.sqlite3.partial").exists()
    assert not (tmp_path / "copy.sqlite3-wal").exists()
    assert _journal_mode(target) == "delete"  # restorable by copying this one file
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM member").fetchone()[0] == 200  # the commits still in the log too
    copy.close()


def test_a_partial_file_left_by_an_interrupted_backup_is_replaced(tmp_path):
    source = tmp_path / "leveller.sqlite3"
    _branch_database(source, rows=3).close()
    (tmp_path / "copy.sqlite3.partial").write_bytes(b"half a backup from a power cut")
    backup.backup_sqlite(source, tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3.partial").exists()
    assert (tmp_path / "copy.sqlite3").read_bytes().startswith(b"SQLite format 3\x00")


def test_a_damaged_database_fails_its_integrity_check_and_never_gets_the_backups_name(tmp_path):
    source = tmp_path / "leveller.sqlite3"
    _damaged_database(source, page=4)  # an index page: quick_check lists what is wrong with it
    with pytest.raises(CommandError, match=r"^The backup failed its integrity check: "):
        backup.backup_sqlite(source, tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists()
    assert not (tmp_path / "copy.sqlite3.partial").exists()


def test_a_database_too_damaged_to_check_fails_with_one_message_and_leaves_no_partial_file(tmp_path):
    source = tmp_path / "leveller.sqlite3"
    _damaged_database(source, page=2)  # the table's root page: quick_check itself gives up
    with pytest.raises(
        CommandError, match=r"^The backup failed its integrity check: database disk image is malformed$"
    ):
        backup.backup_sqlite(source, tmp_path / "copy.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["leveller.sqlite3"]


def _backups_folder(folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for age, name in enumerate(names):
        (folder / name).write_text(name)
        os.utime(folder / name, (1_700_000_000 - age * 3600, 1_700_000_000 - age * 3600))  # newest first


def test_pruning_keeps_the_newest_backups_not_counting_a_partial_one_and_leaves_other_files_alone(tmp_path):
    names = [f"leveller-2026120{day}-030000.sqlite3" for day in (7, 6, 5, 4)]
    _backups_folder(tmp_path, [*names[:1], "leveller-20261208-030000.sqlite3.partial", *names[1:]])
    (tmp_path / "notes.txt").write_text("the treasurer's")
    backup.prune(tmp_path, 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [names[0], names[1], "leveller-20261208-030000.sqlite3.partial", "notes.txt"]
    )


def _on(monkeypatch, tmp_path, *, vendor: str, database: dict) -> None:
    """The command as it runs against a `vendor` database (a SQLite file or a PostgreSQL the test fakes)."""
    monkeypatch.setattr(backup, "connection", SimpleNamespace(vendor=vendor))
    monkeypatch.setattr(backup, "settings", SimpleNamespace(DATABASES={"default": database}, DATA_DIR=tmp_path))


def test_an_operator_backing_up_sqlite_gets_dated_copies_in_the_data_folder_and_keeps_the_newest(monkeypatch, tmp_path):
    source = tmp_path / "leveller.sqlite3"
    _branch_database(source, rows=5).close()
    _on(monkeypatch, tmp_path, vendor="sqlite", database={"NAME": str(source)})
    _backups_folder(tmp_path / "backups", ["leveller-20261201-030000.sqlite3", "leveller-20261130-030000.sqlite3"])
    out = io.StringIO()
    call_command("backup", "--keep", "2", stdout=out)
    kept = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(kept) == 2
    assert kept[0] == "leveller-20261201-030000.sqlite3"  # the oldest went
    new = tmp_path / "backups" / kept[1]
    assert new.name.startswith("leveller-") and new.suffix == ".sqlite3"
    assert out.getvalue().startswith("Backed up ") and out.getvalue().rstrip().endswith(f"pages to {new}")


def test_a_backup_to_a_path_the_operator_names_prunes_nothing(monkeypatch, tmp_path):
    source = tmp_path / "leveller.sqlite3"
    _branch_database(source, rows=5).close()
    _on(monkeypatch, tmp_path, vendor="sqlite", database={"NAME": str(source)})
    _backups_folder(tmp_path / "backups", [f"leveller-2026120{day}-030000.sqlite3" for day in (3, 2, 1)])
    call_command("backup", str(tmp_path / "usb" / "before-the-agm.sqlite3"), "--keep", "1", stdout=io.StringIO())
    assert (tmp_path / "usb" / "before-the-agm.sqlite3").exists()  # its folder made for it
    assert len(list((tmp_path / "backups").iterdir())) == 3


def test_a_database_leveller_has_no_backup_method_for_is_refused_by_name(monkeypatch, tmp_path):
    _on(monkeypatch, tmp_path, vendor="mysql", database={"NAME": "leveller"})
    with pytest.raises(CommandError, match=r"^No backup method for mysql\.$"):
        call_command("backup", str(tmp_path / "copy"), stdout=io.StringIO())


POSTGRES = {"NAME": "leveller", "HOST": "db.internal", "PORT": 5433, "USER": "leveller", "PASSWORD": "s3cret-pw"}


def test_without_pg_dump_the_operator_is_told_which_package_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match=r"pg_dump is not installed \(Debian: apt install postgresql-client\)"):
        backup.backup_postgresql(POSTGRES, tmp_path / "copy.pgdump")


def _fake_pg_dump(monkeypatch, *, returncode: int = 0, stderr: str = ""):
    runs = []

    def run(command, *, env, capture_output, text, check):
        runs.append(SimpleNamespace(command=command, env=env))
        partial = next(arg.removeprefix("--file=") for arg in command if arg.startswith("--file="))
        Path(partial).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(command, returncode, "", stderr)

    monkeypatch.setattr(backup.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(backup.subprocess, "run", run)
    return runs


def test_an_operator_backing_up_postgresql_runs_pg_dump_with_the_password_kept_off_its_command_line(
    monkeypatch, tmp_path
):
    runs = _fake_pg_dump(monkeypatch)
    _on(monkeypatch, tmp_path, vendor="postgresql", database=POSTGRES)
    out = io.StringIO()
    call_command("backup", "--keep", "3", stdout=out)
    [dump] = list((tmp_path / "backups").iterdir())
    assert dump.name.startswith("leveller-") and dump.suffix == ".pgdump"
    assert out.getvalue() == f"Backed up to {dump} (pg_dump custom format; restore with pg_restore)\n"
    [run] = runs
    assert run.command == [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        f"--file={dump}.partial",
        "--dbname",
        "leveller",
        "--host",
        "db.internal",
        "--port",
        "5433",
        "--username",
        "leveller",
    ]
    assert "s3cret-pw" not in " ".join(run.command)  # visible to every user of the machine in `ps`
    assert run.env["PGPASSWORD"] == "s3cret-pw"


def test_a_postgresql_reached_by_socket_and_peer_login_needs_no_host_port_or_user(monkeypatch, tmp_path):
    runs = _fake_pg_dump(monkeypatch)
    backup.backup_postgresql({"NAME": "leveller", "HOST": "", "PORT": "", "USER": ""}, tmp_path / "copy.pgdump")
    assert runs[0].command[-2:] == ["--dbname", "leveller"]
    assert runs[0].env["PGPASSWORD"] == ""


def test_a_failing_pg_dump_reports_its_error_and_leaves_no_partial_dump(monkeypatch, tmp_path):
    _fake_pg_dump(monkeypatch, returncode=1, stderr='pg_dump: error: connection to server at "db.internal" failed\n')
    with pytest.raises(CommandError, match=r'^pg_dump failed: pg_dump: error: connection to server at "db.internal"'):
        backup.backup_postgresql(POSTGRES, tmp_path / "copy.pgdump")
    assert list(tmp_path.iterdir()) == []


@requires_postgres
@has_pg_dump
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_backup_is_a_pg_dump_that_pg_restore_can_read(tmp_path, member):
    target = tmp_path / "leveller.pgdump"
    out = io.StringIO()
    call_command("backup", str(target), stdout=out)
    assert out.getvalue() == f"Backed up to {target} (pg_dump custom format; restore with pg_restore)\n"
    assert target.read_bytes().startswith(b"PGDMP")
    assert not (tmp_path / "leveller.pgdump.partial").exists()
    listing = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True)
    assert "TABLE public chat_message " in listing.stdout
