"""`leveller backup [PATH]`: a consistent copy of the database while Leveller keeps running.

SQLite (the default): SQLite's online backup API copies the live database in one read transaction (writers
carry on; the copy is one consistent moment), to a temporary file that is checked (`PRAGMA quick_check`) and then
renamed into place, so a half-written backup never carries the final name. PostgreSQL: `pg_dump
--format=custom` (restore with `pg_restore`). See docs/operations.md for restoring and what else to keep
(the uploads directory and the secret key).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup, or pg_dump on PostgreSQL) to PATH or the backups folder."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Where to write it (default: LEVELLER_DATA_DIR/backups/…).")
        parser.add_argument("--keep", type=int, default=0, help="Keep only the newest N backups in the folder.")

    def handle(self, *args, path, keep, **options):
        target = Path(path) if path else default_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "sqlite":
            pages = backup_sqlite(Path(str(settings.DATABASES["default"]["NAME"])), target)
            self.stdout.write(f"Backed up {pages} pages to {target}")
        elif connection.vendor == "postgresql":
            backup_postgresql(settings.DATABASES["default"], target)
            self.stdout.write(f"Backed up to {target} (pg_dump custom format; restore with pg_restore)")
        else:
            raise CommandError(f"No backup method for {connection.vendor}.")
        if keep > 0 and not path:
            prune(target.parent, keep)


def default_path() -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if connection.vendor == "sqlite" else "pgdump"
    return settings.DATA_DIR / "backups" / f"leveller-{stamp}.{suffix}"


def backup_sqlite(source: Path, target: Path) -> int:
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        # One step: a read transaction on the WAL database, so writers carry on, and the copy is one consistent
        # moment (a step-wise copy restarts whenever another connection writes, and might never finish).
        src.backup(dst)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:  # too damaged to check at all ("database disk image is malformed")
        check = str(error)
    finally:
        dst.close()
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise CommandError(f"The backup failed its integrity check: {check}")
    os.replace(partial, target)
    return pages


def backup_postgresql(db: dict, target: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise CommandError("pg_dump is not installed (Debian: apt install postgresql-client).")
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    partial = target.with_name(target.name + ".partial")
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={partial}", "--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        partial.unlink(missing_ok=True)
        raise CommandError(f"pg_dump failed: {result.stderr.strip()[:500]}")
    os.replace(partial, target)


def prune(folder: Path, keep: int) -> None:
    """Delete all but the newest `keep` backups; a .partial (a backup under way, or one cut off) is not one."""
    backups = [p for p in folder.glob("leveller-*") if not p.name.endswith(".partial")]
    for old in sorted(backups, key=lambda p: p.stat().st_mtime, reverse=True)[keep:]:
        old.unlink()
