"""Faults under load: kill -9 of the server mid-write, the database cut, Redis cut. Prints and records, per fault,
how many posts were acknowledged, lost (acknowledged but not stored), duplicated (stored twice) and the seconds
until the service answered again.

    .venv/bin/python bench/bench_faults.py [--quick] [--postgres]

Clients do what a client of the API should: post chat messages with an `Idempotency-Key` and, on any failure
(a 503, a dropped connection, a timeout), send the same request again with the same key until it is
acknowledged. Faults:

- kill: `kill -9` of `leveller serve` three times while 8 clients post; it is restarted at once, as a
  supervisor would (Restart=always).
- database (--postgres): PostgreSQL reached through a TCP proxy written here (asyncio, loopback) that is cut
  for CUT_S seconds: every open connection is dropped and new ones are refused.
- redis (--postgres): the same proxy in front of a redis-server of our own (never the shared one) for the
  server's channel layer, with a websocket connected throughout: every message acknowledged must reach it.

A no-fault phase of the same load is the baseline (throughput and latency). The machine may be shared: the
load average is recorded with the results.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import ROOT, Server, clean_dir, free_port, leveller, summarise, write_result

MEMBER = "member@demo.leveller.org"
CLIENTS = 8
CUT_S = 5.0
PG = "postgresql://postgres@127.0.0.1:5432"
BENCH_DB = "leveller_h21"


# --- a TCP proxy that can be cut ---------------------------------------------------------------------------------
class Proxy:
    """Forwards 127.0.0.1:port to 127.0.0.1:target on its own event loop thread; `cut()` drops every connection
    and refuses new ones until `restore()`."""

    def __init__(self, target: int):
        self.target = target
        self.port = free_port()
        self.cut_now = False
        self.transports: set[asyncio.Transport] = set()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> Proxy:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(5)
        return self

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def _handle(self, reader, writer) -> None:
        if self.cut_now:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.transport.abort()
            return
        pair = {writer.transport, up_writer.transport}
        self.transports |= pair
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True)
        self.transports -= pair

    def cut(self) -> None:
        def drop():
            self.cut_now = True
            for transport in list(self.transports):
                transport.abort()

        self.loop.call_soon_threadsafe(drop)

    def restore(self) -> None:
        self.loop.call_soon_threadsafe(setattr, self, "cut_now", False)


async def _pipe(reader, writer) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        with contextlib.suppress(Exception):
            writer.transport.abort()


# --- clients -----------------------------------------------------------------------------------------------------
class Writers:
    """CLIENTS clients posting numbered messages with Idempotency-Keys, retrying each until acknowledged."""

    def __init__(self, url: str, token: str, channel_id: int, tag: str):
        self.url, self.token, self.channel_id, self.tag = url, token, channel_id, tag
        self.acknowledged: list[str] = []
        self.ack_times: list[float] = []
        self.latencies: list[float] = []
        self.failures: list[tuple[float, float]] = []  # (when, how long the failed attempt took)
        self.stop = False

    async def run(self, seconds: float) -> None:
        stop_at = time.monotonic() + seconds
        limits = httpx.Limits(max_connections=CLIENTS)
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(base_url=self.url, headers=headers, timeout=3, limits=limits) as client:
            await asyncio.gather(*(self._client(client, n, stop_at) for n in range(CLIENTS)))

    async def _client(self, client, n: int, stop_at: float) -> None:
        i = 0
        while time.monotonic() < stop_at:
            text, key = f"{self.tag} c{n} m{i}", str(uuid.uuid4())
            while True:  # the same request, the same key, until it is acknowledged
                started = time.monotonic()
                try:
                    response = await client.post(
                        f"/api/v1/channels/{self.channel_id}/messages",
                        json={"text": text},
                        headers={"Idempotency-Key": key},
                    )
                    if response.status_code == 201:
                        self.acknowledged.append(text)
                        self.ack_times.append(time.monotonic())
                        self.latencies.append(time.monotonic() - started)
                        break
                except httpx.HTTPError:
                    pass
                self.failures.append((started, time.monotonic() - started))
                if time.monotonic() > stop_at + 60:
                    return
                await asyncio.sleep(0.1)
            i += 1


def recovery(writers: Writers, fault_at: float, back_at: float) -> dict:
    """Seconds from the fault's end (the service restored) to the first acknowledgement after it."""
    after = [t for t in writers.ack_times if t > back_at]
    failed = [d for t, d in writers.failures if fault_at <= t <= back_at + 30]
    return {
        "recovery_s": round(min(after) - back_at, 2) if after else None,
        "failed_attempts_during_fault": len(failed),
        "slowest_failed_attempt_s": round(max(failed), 2) if failed else None,
    }


def tally(stored: Counter, writers: Writers) -> dict:
    acknowledged = writers.acknowledged
    mine = {text: count for text, count in stored.items() if text.startswith(writers.tag + " ")}
    return {
        "acknowledged": len(acknowledged),
        "lost": sum(1 for text in acknowledged if text not in mine),
        "duplicated": sum(count - 1 for count in mine.values() if count > 1),
        "stored_unacknowledged": sum(1 for text in mine if text not in set(acknowledged)),
    }


class FaultServer(Server):
    """support.Server with its log in a file: faults make servers log a lot, and a full pipe would stall them."""

    def start(self) -> FaultServer:
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - the server process holds it
        self.process = subprocess.Popen(self.command(), env=self.env, cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.data_dir / "server.log").read_text()[-2000:])
            try:
                if httpx.get(self.url + "/ping", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")


# --- the server and its data ---------------------------------------------------------------------------------------
def stored_messages(server: Server, postgres: bool) -> Counter:
    if postgres:
        import psycopg

        with psycopg.connect(f"{PG}/{BENCH_DB}") as conn:
            rows = conn.execute("SELECT text, count(*) FROM chat_message GROUP BY text").fetchall()
    else:
        with sqlite3.connect(server.data_dir / "leveller.sqlite3") as conn:
            rows = conn.execute("SELECT text, count(*) FROM chat_message GROUP BY text").fetchall()
    return Counter(dict(rows))


def prepare(server: Server) -> tuple[str, int]:
    server.prepare()
    token = leveller("token", "create", MEMBER, env=server.env).stdout.strip()
    return token, 0


def welcome_channel(server: Server, token: str) -> int:
    channels = httpx.get(f"{server.url}/api/v1/channels", headers={"Authorization": f"Bearer {token}"}).json()
    return next(c["id"] for c in channels if c["name"] == "welcome")


def kill_and_restart(server: Server) -> float:
    os.kill(server.pid(), signal.SIGKILL)
    server.process.wait()
    killed_at = time.monotonic()
    server.start()
    return killed_at


# --- scenarios -------------------------------------------------------------------------------------------------------
async def baseline(server: Server, token: str, channel: int, seconds: float) -> dict:
    writers = Writers(server.url, token, channel, "baseline")
    started = time.monotonic()
    await writers.run(seconds)
    return {"writers": writers, "load": summarise(writers.latencies, time.monotonic() - started)}


async def kills(server: Server, token: str, channel: int, seconds: float) -> dict:
    writers = Writers(server.url, token, channel, "kill")
    task = asyncio.ensure_future(writers.run(seconds + 10))  # time for three restarts
    restarts = []
    for _ in range(3):
        await asyncio.sleep(seconds / 4)
        killed_at = await asyncio.to_thread(kill_and_restart, server)
        restarts.append((killed_at, time.monotonic()))
    await task
    per_kill = []
    for killed_at, up_at in restarts:
        after = [t for t in writers.ack_times if t > killed_at]
        per_kill.append(
            {
                "restart_s": round(up_at - killed_at, 2),
                "first_ack_after_kill_s": round(min(after) - killed_at, 2) if after else None,
            }
        )
    return {"writers": writers, "kills": per_kill}


async def cut(writers: Writers, proxy: Proxy, seconds: float) -> dict:
    task = asyncio.ensure_future(writers.run(seconds))
    await asyncio.sleep(seconds / 3)
    fault_at = time.monotonic()
    proxy.cut()
    await asyncio.sleep(CUT_S)
    proxy.restore()
    back_at = time.monotonic()
    await task
    return {**recovery(writers, fault_at, back_at), "_back_at": back_at}


async def socket_through_redis_cut(server: Server, token: str, channel: int, proxy: Proxy, seconds: float) -> dict:
    import websockets

    writers = Writers(server.url, token, channel, "redis")
    received: list[dict] = []
    url = f"ws://127.0.0.1:{server.port}/ws/?token={token}"
    async with websockets.connect(url) as ws:

        async def listen():
            with contextlib.suppress(Exception):
                async for frame in ws:
                    received.append(json.loads(frame))

        listener = asyncio.ensure_future(listen())
        await asyncio.sleep(0.5)
        result = await cut(writers, proxy, seconds)
        back_at = result.pop("_back_at")
        wanted = set(writers.acknowledged)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            texts = {f.get("message", {}).get("text") for f in received if f.get("type") == "message.created"}
            if wanted <= texts:
                break
            await asyncio.sleep(0.1)
        all_in_at = time.monotonic()
        listener.cancel()
    shown = Counter(f["message"]["text"] for f in received if f.get("type") == "message.created")
    ids = [f["event_id"] for f in received if "event_id" in f]
    result.update(
        {
            "socket_missed": sum(1 for text in wanted if text not in shown),
            "socket_duplicated": sum(count - 1 for text, count in shown.items() if text in wanted and count > 1),
            "socket_out_of_order": sum(1 for a, b in itertools.pairwise(ids) if b < a),
            "socket_all_shown_s_after_restore": round(all_in_at - back_at, 2),
        }
    )
    return {"writers": writers, **result}


def start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return process


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", action="store_true", help=f"PostgreSQL ({BENCH_DB}) and Redis, with cuts")
    args = parser.parse_args()
    seconds = 8.0 if args.quick else 16.0
    extra = {"LEVELLER_LOG_LEVEL": "ERROR"}
    proxies: dict[str, Proxy] = {}
    redis_process = None
    if args.postgres:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
        proxies["database"] = Proxy(5432).start()
        redis_port = free_port()
        redis_process = start_redis(redis_port)
        proxies["redis"] = Proxy(redis_port).start()
        extra["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{proxies['database'].port}/{BENCH_DB}"
        extra["REDIS_URL"] = f"redis://127.0.0.1:{proxies['redis'].port}/0"
        extra["LEVELLER_REDIS_PREFIX"] = "h21bench"
    server = FaultServer(
        clean_dir(ROOT / "var" / ("bench-faults-pg" if args.postgres else "bench-faults")), extra_env=extra
    )
    server.demo = True
    results: dict = {}
    try:
        token, _ = prepare(server)
        server.start()
        channel = welcome_channel(server, token)
        loop = asyncio.new_event_loop()
        base = loop.run_until_complete(baseline(server, token, channel, seconds / 2))
        killed = loop.run_until_complete(kills(server, token, channel, seconds))
        scenarios = {"baseline": base, "kill -9 x3": killed}
        if args.postgres:
            db_writers = Writers(server.url, token, channel, "dbcut")
            db_cut = loop.run_until_complete(cut(db_writers, proxies["database"], seconds))
            db_cut.pop("_back_at")
            scenarios["database cut"] = {"writers": db_writers, **db_cut}
            scenarios["redis cut"] = loop.run_until_complete(
                socket_through_redis_cut(server, token, channel, proxies["redis"], seconds)
            )
        time.sleep(1)
        stored = stored_messages(server, args.postgres)
        for name, data in scenarios.items():
            writers = data.pop("writers")
            results[name] = {**tally(stored, writers), **data}
    finally:
        server.stop()
        if redis_process is not None:
            redis_process.kill()
    load_average = os.getloadavg()
    command = (
        "python bench/bench_faults.py" + (" --quick" if args.quick else "") + (" --postgres" if args.postgres else "")
    )
    for name, data in results.items():
        print(f"{name:>14}: " + ", ".join(f"{k}={v}" for k, v in data.items() if k != "load"))
    passed = all(r["lost"] == 0 and r["duplicated"] == 0 for r in results.values())
    passed = passed and all(r.get("socket_missed", 0) == 0 for r in results.values())
    path = write_result(
        "faults" + ("_postgres" if args.postgres else "") + ("_quick" if args.quick else ""),
        {
            "command": command,
            "database": "postgresql + redis" if args.postgres else "sqlite",
            "clients": CLIENTS,
            "cut_seconds": CUT_S,
            "load_average_1_5_15": [round(x, 2) for x in load_average],
            "note": "machine shared with other sessions' work; figures are from one run",
            "results": results,
            "passed": passed,
        },
    )
    print(f"wrote {path}; load average {load_average}; {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
