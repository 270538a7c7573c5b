"""Slack import at scale: a generated export of 1,000,000 messages (200 channels, 5,000 people, 20% of them
thread replies, reactions, mentions, links and formatting) imported with `leveller import slack` on SQLite and
on PostgreSQL, against a raw bulk INSERT of the very rows the import wrote, in the same run.

Targets (issue #14): under 10 minutes per backend, at least 0.3x the raw INSERT's speed, peak memory (the
importing process's max RSS) under 500 MB.

    .venv/bin/python bench/bench_slack_import.py                 # 1M messages, both backends
    .venv/bin/python bench/bench_slack_import.py --quick         # 50k messages
    .venv/bin/python bench/bench_slack_import.py --messages 200000 --backends sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import PYTHON, ROOT, machine, write_result

WORK = ROOT / "var" / "bench-slack"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "leveller_h14_slack")
WORDS = [
    "meeting",
    "union",
    "rent",
    "strike",
    "leaflets",
    "doors",
    "tenants",
    "organise",
    "saturday",
    "sunday",
    "stall",
    "council",
    "vote",
    "campaign",
    "phonebank",
    "canvass",
    "street",
    "branch",
    "committee",
    "agenda",
    "minutes",
    "rota",
    "volunteers",
    "flyers",
    "print",
    "office",
    "table",
    "banner",
    "march",
    "rally",
    "petition",
    "landlord",
    "repairs",
    "deposit",
    "housing",
    "estate",
    "neighbours",
    "letter",
    "email",
    "call",
]
SQLITE_PRAGMAS = [
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA cache_size=-20000",
    "PRAGMA mmap_size=134217728",
]
TABLES = [  # what the import writes, in dependency order, for the raw-INSERT baseline
    "accounts_member",
    "accounts_memberrole",
    "chat_chatprofile",
    "chat_slackuser",
    "chat_channel",
    "chat_channelmembership",
    "chat_message",
    "chat_reaction",
    "chat_threadfollow",
]


# The export ---------------------------------------------------------------------------------------------------
def sentence(rng: random.Random, people: list[str], channels: list[str]) -> str:
    words = rng.choices(WORDS, k=rng.randint(4, 18))
    words[0] = words[0].capitalize()
    roll = rng.random()
    if roll < 0.06:
        words.insert(rng.randrange(len(words)), f"<@{rng.choice(people)}>")
    elif roll < 0.10:
        words.append(f"<https://example.org/{rng.choice(WORDS)}|{rng.choice(WORDS)}>")
    elif roll < 0.13:
        words[1] = f"*{words[1]}*"
    elif roll < 0.15:
        words.append(f"<#{rng.choice(channels)}>")
    elif roll < 0.16:
        words.append("&amp; `code`")
    return " ".join(words)


def generate(path: Path, *, messages: int, channels: int, people: int, days: int, seed: int = 14) -> dict:
    """Write the export a day file at a time (never all in memory)."""
    rng = random.Random(seed)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    user_ids = [f"U{n:08d}" for n in range(people)]
    users = [
        {
            "id": uid,
            "team_id": "T0BENCH00",
            "name": f"person{n}",
            "deleted": n % 97 == 0,
            "real_name": f"Person {n}",
            "tz": "Europe/London",
            "profile": {
                "real_name": f"Person {n}",
                "display_name": f"person{n}",
                **({"email": f"person{n}@bench.example.org"} if n % 10 else {}),
            },
            "is_bot": False,
        }
        for n, uid in enumerate(user_ids)
    ]
    (path / "users.json").write_text(json.dumps(users))
    channel_ids = [f"C{n:08d}" for n in range(channels)]
    start = int(dt.datetime(2022, 1, 1, tzinfo=dt.UTC).timestamp())
    members_of = {}
    rows = {"channels.json": [], "groups.json": []}
    for n, cid in enumerate(channel_ids):
        members = rng.sample(user_ids, k=min(people, rng.randint(20, 400)))
        members_of[cid] = members
        private = n % 10 == 9
        rows["groups.json" if private else "channels.json"].append(
            {
                "id": cid,
                "name": f"channel-{n}",
                "created": start - 86400,
                "creator": members[0],
                "is_archived": False,
                "is_general": n == 0,
                "members": members,
                "topic": {"value": f"Topic {n}", "creator": members[0], "last_set": start},
                "purpose": {"value": f"Purpose {n}", "creator": members[0], "last_set": start},
            }
        )
        (path / f"channel-{n}").mkdir()
    for name, items in rows.items():
        (path / name).write_text(json.dumps(items))
    per_day = messages / (channels * days)
    written = replies = reactions = 0
    open_threads: dict[str, list[str]] = {cid: [] for cid in channel_ids}
    for day in range(days):
        date = (dt.datetime.fromtimestamp(start, dt.UTC) + dt.timedelta(days=day)).date().isoformat()
        for n, cid in enumerate(channel_ids):
            remaining = messages - written
            if remaining <= 0:
                break
            count = min(remaining, int(per_day) + (1 if rng.random() < per_day - int(per_day) else 0))
            if day == days - 1 and n == channels - 1:
                count = remaining
            if not count:
                continue
            base = start + day * 86400
            stamps = sorted(rng.sample(range(86000), k=min(count, 86000)))
            items = []
            for i, offset in enumerate(stamps):
                ts = f"{base + offset}.{i:06d}"
                author = rng.choice(members_of[cid])
                message = {"type": "message", "user": author, "text": sentence(rng, user_ids, channel_ids), "ts": ts}
                threads = open_threads[cid]
                if threads and rng.random() < 0.2:
                    message["thread_ts"] = rng.choice(threads[-20:])
                    if rng.random() < 0.05:
                        message["subtype"] = "thread_broadcast"
                    replies += 1
                elif rng.random() < 0.15:
                    message["thread_ts"] = ts
                    message["reply_count"] = 1
                    threads.append(ts)
                if rng.random() < 0.1:
                    reactors = rng.sample(members_of[cid], k=min(3, len(members_of[cid])))
                    message["reactions"] = [
                        {"name": rng.choice(["+1", "tada", "heart", "eyes"]), "users": reactors, "count": 3}
                    ]
                    reactions += len(reactors)
                if rng.random() < 0.02:
                    message["edited"] = {"user": author, "ts": f"{base + offset + 60}.000000"}
                items.append(message)
            written += len(items)
            (path / f"channel-{n}" / f"{date}.json").write_text(json.dumps(items, indent=1))
    return {"messages": written, "replies": replies, "reactions": reactions, "channels": channels, "people": people}


# Running ------------------------------------------------------------------------------------------------------
def env_for(backend: str, name: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["LEVELLER_DATA_DIR"] = str(WORK / f"data-{backend}-{name}")
    env["LEVELLER_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    if backend == "postgres":
        env["DATABASE_URL"] = f"{PG_BASE}/{PG_PREFIX}_{name}"
    return env


def fresh_database(backend: str, name: str) -> dict:
    env = env_for(backend, name)
    data = Path(env["LEVELLER_DATA_DIR"])
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    if backend == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_PREFIX}_{name}"')
            conn.execute(f'CREATE DATABASE "{PG_PREFIX}_{name}"')
    leveller = [PYTHON, "-m", "leveller"]
    subprocess.run([*leveller, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*leveller, "member", "add", "admin@bench.example.org", "--name", "Bench Admin", "--role", "admin"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return env


def timed(command: list[str], env: dict) -> tuple[float, int, str, float]:
    """(seconds, peak RSS in MB of that process, its output, its CPU seconds)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output[-3000:]}")
    return elapsed, usage.ru_maxrss // 1024, output, usage.ru_utime + usage.ru_stime


def connect(backend: str, env: dict):
    if backend == "postgres":
        import psycopg

        return psycopg.connect(env["DATABASE_URL"])
    connection = sqlite3.connect(Path(env["LEVELLER_DATA_DIR"]) / "leveller.sqlite3")
    for pragma in SQLITE_PRAGMAS:  # the same settings the application's connections use
        connection.execute(pragma)
    return connection


def raw_insert(backend: str, source_env: dict, target_env: dict) -> tuple[float, dict]:
    """Copy every row the import wrote into a fresh, migrated database with plain executemany INSERTs in
    10,000-row transactions; only the INSERTs are timed (reading them out is not)."""
    source, target = connect(backend, source_env), connect(backend, target_env)
    counts, spent = {}, 0.0
    marker = "%s" if backend == "postgres" else "?"
    target_cursor = target.cursor()
    target_cursor.execute("DELETE FROM chat_channelmembership")  # the default channels' rows from `member add`
    target_cursor.execute("DELETE FROM chat_channel")
    target_cursor.execute("DELETE FROM accounts_memberrole")
    target_cursor.execute("DELETE FROM chat_chatprofile")
    target_cursor.execute("DELETE FROM accounts_member")
    target.commit()
    for table in TABLES:
        cursor = source.cursor()
        cursor.execute(f"SELECT * FROM {table} LIMIT 0")  # noqa: S608
        columns = [f'"{d[0]}"' for d in cursor.description if d[0] != "search_vector"]
        select = f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"  # noqa: S608
        insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"  # noqa: S608
        cursor = source.cursor(name=f"read_{table}") if backend == "postgres" else source.cursor()
        cursor.execute(select)
        total = 0
        while rows := cursor.fetchmany(10_000):
            began = time.perf_counter()
            target_cursor.executemany(insert, rows)
            target.commit()
            spent += time.perf_counter() - began
            total += len(rows)
        counts[table] = total
        cursor.close()
    source.close()
    target.close()
    return spent, counts


def run_backend(backend: str, export: Path) -> dict:
    env = fresh_database(backend, "import")
    command = [PYTHON, "-m", "leveller", "import", "slack", str(export), "--no-progress"]
    seconds, peak_mb, output, cpu = timed(command, env)
    base_env = fresh_database(backend, "raw")
    raw_seconds, counts = raw_insert(backend, env, base_env)
    rows = sum(counts.values())
    return {
        "backend": backend,
        "import_seconds": round(seconds, 1),
        "import_cpu_seconds": round(cpu, 1),  # the importing process's own CPU (not the database server's)
        "import_peak_rss_mb": peak_mb,
        "raw_insert_seconds": round(raw_seconds, 1),
        "rows_written": counts,
        "import_rows_per_s": round(rows / seconds),
        "raw_rows_per_s": round(rows / raw_seconds),
        "speed_vs_raw": round(raw_seconds / seconds, 3),
        "report": [
            line for line in output.strip().splitlines() if line.startswith(("People", "Conv", "Messages", "Seconds"))
        ],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--messages", type=int, default=0)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--keep-export", action="store_true", help="Reuse var/bench-slack/export if present.")
    args = parser.parse_args(argv)
    messages = args.messages or (50_000 if args.quick else 1_000_000)
    people = 5000 if messages >= 200_000 else 1000
    export = WORK / f"export-{messages}"
    began = time.perf_counter()
    if args.keep_export and (export / "users.json").exists():
        shape = json.loads((export.parent / f"{export.name}.json").read_text())
    else:
        days = 730 if messages >= 1_000_000 else max(30, messages // 1370)
        shape = generate(export, messages=messages, channels=200, people=people, days=days)
        (export.parent / f"{export.name}.json").write_text(json.dumps(shape))
    generate_s = time.perf_counter() - began
    load_before = os.getloadavg()
    results = [run_backend(backend, export) for backend in args.backends.split(",")]
    load_after = os.getloadavg()
    targets = {"import_seconds_max": 600, "speed_vs_raw_min": 0.3, "peak_rss_mb_max": 500}
    met = all(r["import_seconds"] < 600 and r["speed_vs_raw"] >= 0.3 and r["import_peak_rss_mb"] < 500 for r in results)
    size = "1m" if messages == 1_000_000 else f"{messages // 1000}k"
    name = f"slack_import_{size}" + ("" if "," in args.backends else f"_{args.backends}")
    write_result(
        name,
        {
            "command": "bench/bench_slack_import.py " + " ".join(argv),
            "export": {**shape, "layout": "unpacked folder (Slack's own layout)", "generate_s": round(generate_s)},
            "results": results,
            "targets": targets,
            "met": met,
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
            "note": "Shared 2-core machine (other sessions running); raw baseline = executemany INSERTs of the same "
            "rows into a fresh migrated database of the same backend (FTS triggers / tsvector column included).",
            "machine": machine(),
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    )
    print(json.dumps(results, indent=2))
    print("targets met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
