"""`leveller import slack` killed with SIGKILL half way, then run again, gives exactly what one clean run gives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from leveller.accounts.models import Member
from leveller.chat.models import Channel, Message
from leveller.chat.slack_import.models import SlackImportRun, SlackUser
from tests.chat.slack_support import copy_export, run, signature

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
PER_DAY = 400
DAYS = 12


def grow(export: Path) -> int:
    """Add DAYS busy days to #general (threads, reactions), so the import takes several batches."""
    people = ["U01DANA00", "U01ERIN00", "U01FINN00", "U01GWEN00"]
    total = 0
    for day in range(DAYS):
        base = 1706745600 + day * 86400
        items, parents = [], []
        for n in range(PER_DAY):
            ts = f"{base + n * 60}.{n:06d}"
            message = {"type": "message", "user": people[n % 4], "text": f"Day {day} note {n} about the rota", "ts": ts}
            if parents and n % 5 == 0:
                message["thread_ts"] = parents[-1]
            elif n % 7 == 0:
                message["thread_ts"], message["reply_count"] = ts, 1
                parents.append(ts)
            if n % 9 == 0:
                message["reactions"] = [{"name": "tada", "users": people[:2], "count": 2}]
            items.append(message)
        date = time.strftime("%Y-%m-%d", time.gmtime(base))
        (export / "general" / f"{date}.json").write_text(json.dumps(items, indent=4))
        total += len(items)
    return total


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgresql://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


def test_a_run_killed_with_sigkill_resumes_without_duplicates(admin, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    export = copy_export(tmp_path)
    extra = grow(export)
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL=database_url(), LEVELLER_DATA_DIR=str(tmp_path / "data"))
    env["LEVELLER_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    command = [sys.executable, "-m", "leveller", "import", "slack", str(export), "--no-progress"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if Message.objects.filter(slack_ts__isnull=False).count() > 0:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    stored = Message.objects.filter(slack_ts__isnull=False).count()
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()[-2000:]
    assert 0 < stored < 17 + extra  # killed half way, with whole batches written
    report = run(admin, export)
    assert report.messages["already"] == stored and report.messages["imported"] == 17 + extra - stored
    resumed = signature()

    Channel.objects.filter(slack_id__isnull=False).delete()
    Member.objects.filter(slack_users__isnull=False).delete()
    SlackUser.objects.all().delete()
    SlackImportRun.objects.all().delete()
    run(admin, export)
    assert signature() == resumed
    assert Message.objects.filter(slack_ts__isnull=False).count() == 17 + extra
