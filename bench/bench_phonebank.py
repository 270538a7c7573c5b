"""Phonebank benchmark (issue #4): contact assignment under 200 concurrent callers against one real server, on
SQLite and on PostgreSQL, against a raw assignment loop on the same database in the same run; and the
import of 100,000 contacts.

For each database:
1. `leveller serve` (one uvicorn process) and a `leveller worker` start on a fresh database.
2. Import: a 100,000-row CSV is POSTed to the API (202 + job); time until the job reports done.
3. Raw loop (baselines), on a second list in the same database: the bare assignment in SQL —
   `SELECT … FOR UPDATE SKIP LOCKED` + `UPDATE` (PostgreSQL) or `BEGIN IMMEDIATE` + `SELECT` + `UPDATE`
   (SQLite), then an `UPDATE` for the outcome —
   a. in-process, 16 threads (PostgreSQL) / 4 threads (SQLite): the database's ceiling;
   b. over HTTP: the same SQL behind the same uvicorn (bench/phonebank_raw_app.py, no Django), hammered by
      the same 200 callers as step 4. This is the baseline of the throughput target.
4. Hammer: 200 callers over HTTP, each asking `next` and posting an outcome as fast as answers come back
   (closed loop, no think time). Assignments per second, compared with 3b (target >= 0.25x).
5. Callers: 200 callers over HTTP who "talk" 5-15 s per contact before posting the outcome (real calls take
   minutes, so this is still ~10x busier than a real 200-caller phonebank). `next` latency: target p99 < 50 ms.
Double assignments are checked on the client (a contact handed out while another caller holds it) and in the
database afterwards (two calls to one contact overlapping in time). Target: zero.

    .venv/bin/python bench/bench_phonebank.py [--quick] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import PYTHON, ROOT, Server, clean_dir, leveller, summarise, write_result

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = os.environ.get("BENCH_PG_DB", "leveller_bench_phonebank")  # dropped and made afresh
CALLERS = 200
TALK = (5.0, 15.0)  # seconds a simulated caller "talks" before recording the outcome (real calls take minutes)
OUTCOMES = ["answered", "answered", "no_answer", "refused", "voicemail", "busy", "wrong_number"]

SETUP = """
import json
from leveller.accounts.actions import members as accounts
from leveller.accounts.models import Member
org, _ = accounts.add_or_update_member(actor=None, email="bench-organiser@example.org", display_name="Bench Organiser", roles=["organiser"])
tokens = {"organiser": accounts.create_api_token(actor=org, member=org, name="bench")[1], "callers": []}
for i in range(CALLERS):
    m, _ = accounts.add_or_update_member(actor=None, email=f"bench-caller{i}@example.org", display_name=f"Caller {i}", roles=["member"])
    tokens["callers"].append(accounts.create_api_token(actor=m, member=m, name="bench")[1])
print(json.dumps(tokens))
"""


def make_csv(rows: int, offset: int = 0) -> bytes:
    lines = ["name,phone,postcode,branch"]
    lines += [f"Contact {i},+447400{offset + i:06d},M1 1AA,Branch {i % 40}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def campaign_body(name: str) -> dict:
    return {
        "name": name,
        "script": "Hi {first_name} from {branch}!",
        "status": "draft",
        "questions": [{"id": "attend", "text": "Coming?", "kind": "single_choice", "choices": ["Yes", "No"]}],
        "calling_hours": {"start": "00:00", "end": "23:59"},
        "call_on_sundays": True,
        "max_attempts": 3,
        "retry_after_minutes": 600,
    }


def import_list(client: httpx.Client, org: dict, campaign_id: int, rows: int, offset: int = 0) -> dict:
    started = time.perf_counter()
    response = client.post(
        f"/api/v1/phonebank/campaigns/{campaign_id}/contacts",
        headers=org,
        files={"file": ("contacts.csv", make_csv(rows, offset), "text/csv")},
    )
    accepted = time.perf_counter() - started
    if response.status_code == 200:
        report = response.json()
    else:
        assert response.status_code == 202, response.text
        poll = response.json()["poll"]
        while True:
            report = client.get(poll, headers=org).json()
            if report["status"] in ("done", "failed"):
                break
            time.sleep(0.2)
    return {
        "rows": rows,
        "seconds": round(time.perf_counter() - started, 2),
        "accepted_in_s": round(accepted, 3),
        "loaded": report["loaded"],
        "status": report.get("status", "done"),
    }


# --- the raw assignment loop -----------------------------------------------------------------------------


def raw_loop(database: str, target: str, campaign_id: int, seconds: float) -> dict:
    threads = 16 if database == "postgresql" else 4
    counts = [0] * threads
    stop_at = time.perf_counter() + seconds

    def pg_worker(index: int) -> None:
        import psycopg

        with psycopg.connect(target, autocommit=False) as conn:
            while time.perf_counter() < stop_at:
                with conn.transaction():
                    row = conn.execute(
                        "SELECT id FROM phonebank_contact WHERE campaign_id = %s AND done = false AND available_at <= now()"
                        " ORDER BY available_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
                        (campaign_id,),
                    ).fetchone()
                    if row is None:
                        break
                    conn.execute(
                        "UPDATE phonebank_contact SET holder_id = NULL, available_at = now() + interval '10 minutes'"
                        " WHERE id = %s",
                        row,
                    )
                with conn.transaction():
                    conn.execute("UPDATE phonebank_contact SET done = true, attempts = attempts + 1 WHERE id = %s", row)
                counts[index] += 1

    def sqlite_worker(index: int) -> None:
        conn = sqlite3.connect(target, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        while time.perf_counter() < stop_at:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute(
                "SELECT id FROM phonebank_contact WHERE campaign_id = ? AND done = 0 AND available_at <= strftime('%Y-%m-%d %H:%M:%f', 'now')"
                " ORDER BY available_at, id LIMIT 1",
                (campaign_id,),
            ).fetchone()
            if row is None:
                conn.execute("COMMIT")
                break
            conn.execute(
                "UPDATE phonebank_contact SET holder_id = NULL, available_at = strftime('%Y-%m-%d %H:%M:%f', 'now', '+10 minutes')"
                " WHERE id = ?",
                row,
            )
            conn.execute("COMMIT")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE phonebank_contact SET done = 1, attempts = attempts + 1 WHERE id = ?", row)
            conn.execute("COMMIT")
            counts[index] += 1
        conn.close()

    worker = pg_worker if database == "postgresql" else sqlite_worker
    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    duration = time.perf_counter() - started
    return {
        "threads": threads,
        "assignments": sum(counts),
        "seconds": round(duration, 2),
        "assignments_per_s": round(sum(counts) / duration, 1),
    }


def reset(database: str, target: str, campaign_id: int) -> None:
    """Put the raw campaign's contacts back in the queue for the next baseline."""
    if database == "postgresql":
        import psycopg

        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(
                "UPDATE phonebank_contact SET done = false, available_at = now() - interval '1 hour'"
                " WHERE campaign_id = %s",
                (campaign_id,),
            )
        return
    conn = sqlite3.connect(target, timeout=30, isolation_level=None)
    conn.execute(
        "UPDATE phonebank_contact SET done = 0, available_at = strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 hour')"
        " WHERE campaign_id = ?",
        (campaign_id,),
    )
    conn.close()


class RawServer:
    """bench/phonebank_raw_app.py under the same uvicorn, one process: the raw loop over HTTP."""

    def __init__(self, target: str):
        from support import free_port

        self.port = free_port()
        self.target = target

    def __enter__(self) -> str:
        env = {**os.environ, "RAW_DB": self.target}
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "uvicorn",
                "--app-dir",
                str(ROOT / "bench"),
                "phonebank_raw_app:app",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--lifespan",
                "off",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/ping", timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the raw server did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Connection:
    """One caller's keep-alive HTTP/1.1 connection on bare asyncio streams. httpx's pool, shared by 200
    callers in one process, was the bottleneck of the first runs (it capped even the raw ASGI app)."""

    def __init__(self, url: str, token: str):
        self.host, self.port = url.removeprefix("http://").split(":")
        self.auth = f"Authorization: Bearer {token}\r\n" if token else ""
        self.reader = self.writer = None

    async def post(self, path: str, body: dict | None = None, *, retry: bool = True) -> tuple[int, dict | None]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, int(self.port))
        data = json.dumps(body).encode() if body is not None else b""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.auth}Content-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        self.writer.write(head.encode() + data)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line and retry:  # the server closed an idle keep-alive connection: reconnect once
            self.close()
            self.writer = None
            return await self.post(path, body, retry=False)
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            payload = b""
            while size := int((await self.reader.readline()).strip() or b"0", 16):
                payload += await self.reader.readexactly(size)
                await self.reader.readline()
            await self.reader.readline()
        else:
            payload = await self.reader.readexactly(length) if length else b""
        try:
            return status, (json.loads(payload) if payload else None)
        except ValueError:  # not JSON (an error page): start afresh rather than risk a desynchronised stream
            self.close()
            self.writer = None
            raise

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


# --- callers over HTTP -------------------------------------------------------------------------------------


async def callers(url: str, tokens: list[str], campaign_id: int, seconds: float, think: tuple[float, float]) -> dict:
    latencies: list[float] = []
    outcome_latencies: list[float] = []
    holder: dict[str, int] = {}
    doubles: list[str] = []
    status_counts: dict[str, int] = {}
    assigned = 0
    stop_at = time.perf_counter() + seconds

    def count(key: str) -> None:
        status_counts[key] = status_counts.get(key, 0) + 1

    async def caller(index: int, token: str) -> None:
        nonlocal assigned
        rng = random.Random(index)
        conn = Connection(url, token)
        await asyncio.sleep(rng.uniform(0, think[1] or 0.05))
        try:
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                status, body = await asyncio.wait_for(conn.post(f"/api/v1/phonebank/campaigns/{campaign_id}/next"), 60)
                latencies.append(time.perf_counter() - t0)
                count(str(status))
                if status != 200:
                    await asyncio.sleep(0.5)
                    continue
                phone = body["contact"]["phone_e164"]
                if holder.get(phone, index) != index:
                    doubles.append(phone)
                holder[phone] = index
                assigned += 1
                if think[1]:
                    await asyncio.sleep(rng.uniform(*think))
                holder.pop(phone, None)
                outcome = rng.choice(OUTCOMES)
                t1 = time.perf_counter()
                status, _ = await asyncio.wait_for(
                    conn.post(
                        f"/api/v1/phonebank/calls/{body['call_id']}/outcome",
                        {"outcome": outcome, "answers": {"attend": "Yes"} if outcome == "answered" else None},
                    ),
                    60,
                )
                outcome_latencies.append(time.perf_counter() - t1)
                count(f"outcome_{status}")
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            count(type(error).__name__)
            conn.close()
            if time.perf_counter() < stop_at:
                await caller(index, token)  # carry on calling on a fresh connection
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(caller(i, t) for i, t in enumerate(tokens)))
    duration = time.perf_counter() - started
    return {
        "callers": len(tokens),
        "think_seconds": list(think),
        "seconds": round(duration, 2),
        "assignments": assigned,
        "assignments_per_s": round(assigned / duration, 1),
        "next": summarise(latencies, duration),
        "outcome": summarise(outcome_latencies, duration),
        "statuses": status_counts,
        "client_double_assignments": len(doubles),
    }


async def scraper(url: str, token: str, campaign_id: int, seconds: float) -> dict:
    """One caller looping `next` then `release` as fast as answers come (the issue's finding 2: 191 contacts in
    2.8 s): with the default abuse limits, how many different contacts does it see, and how is it refused?"""
    conn = Connection(url, token)
    seen: set[str] = set()
    statuses: dict[str, int] = {}
    stop_at = time.perf_counter() + seconds
    try:
        while time.perf_counter() < stop_at:
            status, body = await conn.post(f"/api/v1/phonebank/campaigns/{campaign_id}/next")
            statuses[f"next_{status}"] = statuses.get(f"next_{status}", 0) + 1
            if status != 200:
                continue
            seen.add(body["contact"]["phone_e164"])
            status, _ = await conn.post(f"/api/v1/phonebank/calls/{body['call_id']}/release")
            statuses[f"release_{status}"] = statuses.get(f"release_{status}", 0) + 1
    finally:
        conn.close()
    return {"seconds": seconds, "distinct_contacts_seen": len(seen), "statuses": statuses}


def overlapping_calls(database: str, target: str, campaign_id: int) -> int:
    """Two calls to one contact that overlap in time (allowing 50 ms of clock skew between transactions)."""
    sql = (
        "SELECT COUNT(*) FROM phonebank_call a JOIN phonebank_call b ON a.contact_id = b.contact_id AND a.id < b.id "
        "WHERE a.campaign_id = {p} AND a.outcome <> 'expired' AND "
        "(a.ended_at IS NULL OR b.started_at < a.ended_at - {skew})"
    )
    if database == "postgresql":
        import psycopg

        with psycopg.connect(target) as conn:
            return conn.execute(sql.format(p="%s", skew="interval '50 milliseconds'"), (campaign_id,)).fetchone()[0]
    conn = sqlite3.connect(target)
    try:
        # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff': compare as julian days
        sqlite_sql = sql.format(p="?", skew="0").replace(
            "b.started_at < a.ended_at - 0", "julianday(b.started_at) < julianday(a.ended_at) - 0.05 / 86400.0"
        )
        return conn.execute(sqlite_sql, (campaign_id,)).fetchone()[0]
    finally:
        conn.close()


# --- one database ------------------------------------------------------------------------------------------


def run_database(database: str, quick: bool) -> dict:
    extra = {"LEVELLER_PHONEBANK_SYNC_IMPORT_ROWS": "2000", "LEVELLER_PHONEBANK_PROGRESS_SECONDS": "1"}
    # The hammer's callers call far faster than people can: the abuse limits stay on (their cost is measured)
    # but high enough never to refuse a benchmark caller.
    extra.update(
        LEVELLER_PHONEBANK_NEXT_PER_MINUTE="1000000",
        LEVELLER_PHONEBANK_RELEASES_PER_HOUR="1000000",
        LEVELLER_PHONEBANK_CONTACTS_PER_HOUR="1000000",
    )
    if database == "postgresql":
        import psycopg

        extra["LEVELLER_DB_CONN_MAX_AGE"] = "60"  # keep the connection: a reconnect per request costs more than a call
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        target = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
        extra["DATABASE_URL"] = target
    data_dir = clean_dir(ROOT / "var" / f"bench-phonebank-{database}")
    target = extra.get("DATABASE_URL") or str(data_dir / "leveller.sqlite3")
    server = Server(data_dir, extra_env=extra)
    server.prepare()
    tokens = json.loads(
        leveller("shell", "-c", SETUP.replace("CALLERS", str(CALLERS)), env=server.env).stdout.strip().splitlines()[-1]
    )
    org = {"Authorization": f"Bearer {tokens['organiser']}"}
    rows = 20_000 if quick else 100_000
    phase = 6.0 if quick else 15.0
    worker = subprocess.Popen(
        [PYTHON, "-m", "leveller", "worker"],
        env=server.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with server, httpx.Client(base_url=server.url, timeout=120) as client:
            live = client.post("/api/v1/phonebank/campaigns", headers=org, json=campaign_body("Bench")).json()["id"]
            raw = client.post("/api/v1/phonebank/campaigns", headers=org, json=campaign_body("Raw loop")).json()["id"]
            print("  … import", flush=True)
            imported = import_list(client, org, live, rows)
            import_list(client, org, raw, min(rows, 50_000), offset=500_000)
            client.patch(f"/api/v1/phonebank/campaigns/{live}", headers=org, json={"status": "live"})
            # warm up: each caller once (a caller's first `next` also joins the campaign's chat channel)
            for token in tokens["callers"]:
                client.post(f"/api/v1/phonebank/campaigns/{live}/next", headers={"Authorization": f"Bearer {token}"})
            print("  … raw SQL loop", flush=True)
            sql_loop = raw_loop(database, target, raw, phase)
            reset(database, target, raw)
            with RawServer(target) as raw_url:
                baseline = asyncio.run(callers(raw_url, tokens["callers"], raw, phase, (0.0, 0.0)))
            print("  … hammer", flush=True)
            hammer = asyncio.run(callers(server.url, tokens["callers"], live, phase, (0.0, 0.0)))
        # Callers who talk, and a scraper, against the same database with the default abuse limits (a fresh
        # process: fresh limit counters): the limits must never refuse the former and must stop the latter.
        limited = Server(data_dir, extra_env={k: v for k, v in extra.items() if "_PER_" not in k})
        with limited, httpx.Client(base_url=limited.url, timeout=120) as client:
            print("  … callers talking (default limits)", flush=True)
            paced = asyncio.run(callers(limited.url, tokens["callers"][:-1], live, phase * 3, TALK))
            print("  … scraper (default limits)", flush=True)
            scraping = asyncio.run(scraper(limited.url, tokens["callers"][-1], live, phase))
            stats = client.get(f"/api/v1/phonebank/campaigns/{live}/stats", headers=org).json()
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    overlaps = overlapping_calls(database, target, live)
    ratio = (
        round(hammer["assignments_per_s"] / baseline["assignments_per_s"], 3) if baseline["assignments_per_s"] else None
    )
    sql_ratio = (
        round(hammer["assignments_per_s"] / sql_loop["assignments_per_s"], 3) if sql_loop["assignments_per_s"] else None
    )
    doubles = hammer["client_double_assignments"] + paced["client_double_assignments"] + overlaps
    targets = {
        "next_p99_under_50ms": paced["next"]["p99_ms"] < 50,
        "throughput_at_least_0.25x_raw": ratio is not None and ratio >= 0.25,
        "zero_double_assignments": doubles == 0,
        "talking_callers_never_limited": not any(key.endswith("429") for key in paced["statuses"]),
        "scraper_limited": scraping["distinct_contacts_seen"] <= 2 and scraping["statuses"].get("next_429", 0) > 0,
        "import_100k_under_30s": imported["status"] == "done" and imported["seconds"] < 30 and not quick,
    }
    return {
        "database": database,
        "import": imported,
        "raw_http": baseline,
        "raw_sql_loop": sql_loop,
        "hammer": hammer,
        "callers": paced,
        "scraper": scraping,
        "http_to_raw_ratio": ratio,
        "http_to_raw_sql_loop_ratio": sql_ratio,
        "database_overlapping_calls": overlaps,
        "double_assignments": doubles,
        "stats_after": {k: stats[k] for k in ("contacts", "waiting", "in_progress", "attempted", "calls")},
        "limit_alerts_after": len(stats.get("limit_alerts") or []),
        "targets": targets,
        "passed": all(targets.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    databases = [args.only] if args.only else ["sqlite", "postgresql"]
    results = {}
    for database in databases:
        print(f"phonebank bench: {database} …", flush=True)
        try:
            results[database] = run_database(database, args.quick)
        except Exception as error:  # e.g. no PostgreSQL here: record it, fail the run
            import traceback

            traceback.print_exc()
            results[database] = {"database": database, "error": repr(error), "passed": False}
    command = (
        "python bench/bench_phonebank.py"
        + (" --quick" if args.quick else "")
        + (f" --only {args.only}" if args.only else "")
    )
    passed = all(r.get("passed") for r in results.values())
    path = write_result(
        "phonebank",
        {
            "command": command,
            "quick": args.quick,
            "targets": {
                "next_p99_ms": 50,
                "throughput_ratio_to_raw": 0.25,
                "double_assignments": 0,
                "import_100k_s": 30,
            },
            "results": results,
            "passed": passed,
        },
    )
    for database, r in results.items():
        if "error" in r:
            print(f"  {database}: ERROR {r['error']}")
            continue
        print(
            f"  {database}: import {r['import']['rows']:,} rows in {r['import']['seconds']} s; raw SQL loop "
            f"{r['raw_sql_loop']['assignments_per_s']}/s; raw loop over HTTP {r['raw_http']['assignments_per_s']}/s; "
            f"Leveller over HTTP {r['hammer']['assignments_per_s']}/s "
            f"(x{r['http_to_raw_ratio']}, next p99 {r['hammer']['next']['p99_ms']} ms); 200 callers talking: next "
            f"p50 {r['callers']['next']['p50_ms']} ms p99 {r['callers']['next']['p99_ms']} ms; "
            f"double assignments {r['double_assignments']}; targets {r['targets']}"
        )
    print(f"{'PASS' if passed else 'FAIL'}: {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
