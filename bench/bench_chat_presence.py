"""What chat presence costs a websocket connection: the same `leveller serve` (SQLite, one process) with and without
presence's connection hook and DM-partner streams (bench/presence_off_server.py removes them), same clients, same
run.

    .venv/bin/python bench/bench_chat_presence.py [--quick] [--sockets 1000]

Members are paired into 1:1 DMs, so each connect may announce presence to a partner's socket. Phases per server:
- burst: N sockets connect (64 at a time) until every one has its `hello`; server memory per idle socket; all close;
- churn: 200 connect -> hello -> close cycles one after another (the per-connection cost, unhidden by concurrency).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import PYTHON, ROOT, Server, clean_dir, percentile, write_result


def setup_members(n: int, out: Path) -> None:
    """Runs inside the server's environment: n members with tokens, paired into 1:1 DMs."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leveller.settings")
    django.setup()
    from django.core.management import call_command

    from leveller.accounts.models import ApiToken, Member, hash_secret
    from leveller.chat.models import Channel, ChannelMembership, Kind

    call_command("migrate", verbosity=0)
    members = Member.objects.bulk_create(
        [Member(email=f"p{i}@bench.example", display_name=f"Present {i}", password="!") for i in range(n)]
    )
    secrets = [ApiToken.new_secret() for _ in members]
    ApiToken.objects.bulk_create(
        [ApiToken(member=m, token_hash=hash_secret(s), hint=s[:10]) for m, s in zip(members, secrets, strict=True)]
    )
    pairs = list(zip(members[::2], members[1::2], strict=False))
    dms = Channel.objects.bulk_create(
        [Channel(name=f"dm {a.pk}-{b.pk}", kind=Kind.DM, private=True, dm_key=f"{a.pk}-{b.pk}") for a, b in pairs]
    )
    ChannelMembership.objects.bulk_create(
        [ChannelMembership(channel=dm, member=m) for dm, pair in zip(dms, pairs, strict=True) for m in pair]
    )
    out.write_text(json.dumps({"tokens": secrets}))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class PresenceOff(Server):
    def command(self) -> list[str]:
        return [PYTHON, str(ROOT / "bench" / "presence_off_server.py"), *super().command()[3:]]


async def open_socket(url: str):
    import websockets

    ws = await websockets.connect(url, max_size=2**20, ping_interval=None, open_timeout=120, compression=None)
    while json.loads(await ws.recv())["type"] != "hello":
        pass
    return ws


async def burst(urls: list[str], pid: int) -> dict:
    gate = asyncio.Semaphore(64)
    latencies = []

    async def one(url):
        async with gate:
            started = time.perf_counter()
            ws = await open_socket(url)
            latencies.append((time.perf_counter() - started) * 1000)
            return ws

    rss_before = rss_kib(pid)
    started = time.perf_counter()
    sockets = await asyncio.gather(*(one(u) for u in urls))
    connect_s = time.perf_counter() - started
    await asyncio.sleep(2)
    rss_after = rss_kib(pid)
    started = time.perf_counter()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    close_s = time.perf_counter() - started
    await asyncio.sleep(1)
    return {
        "sockets": len(sockets),
        "connect_all_s": round(connect_s, 2),
        "hello_p50_ms": round(percentile(latencies, 50), 2),
        "hello_p99_ms": round(percentile(latencies, 99), 2),
        "close_all_s": round(close_s, 2),
        "kib_per_idle_socket": round((rss_after - rss_before) / len(sockets), 1),
    }


async def churn(urls: list[str], cycles: int) -> dict:
    times = []
    for i in range(cycles):
        started = time.perf_counter()
        ws = await open_socket(urls[i % len(urls)])
        await ws.close()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "cycles": cycles,
        "cycle_p50_ms": round(percentile(times, 50), 2),
        "cycle_p99_ms": round(percentile(times, 99), 2),
    }


def measure(kind: type[Server], name: str, n: int, cycles: int) -> dict:
    server = kind(clean_dir(ROOT / "var" / f"bench-chat-presence-{name}"))
    out = server.data_dir / "tokens.json"
    subprocess.run([PYTHON, __file__, "--setup", str(n), "--out", str(out)], env=server.env, cwd=ROOT, check=True)
    tokens = json.loads(out.read_text())["tokens"]
    with server:
        urls = [f"ws://127.0.0.1:{server.port}/ws/?token={t}" for t in tokens]
        asyncio.run(churn(urls, 20))  # warm up
        result = {"burst": asyncio.run(burst(urls, server.pid())), "churn": asyncio.run(churn(urls, cycles))}
    print(name, json.dumps(result), flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--setup", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_members(args.setup, args.out)
        return 0
    n, cycles = (300, 100) if args.quick else (args.sockets, 200)
    load = os.getloadavg()
    rounds = []
    for _ in range(2):  # alternated: the machine is shared, so one pair alone says little
        rounds.append(
            {
                "baseline_without_presence": measure(PresenceOff, "baseline", n, cycles),
                "with_presence": measure(Server, "presence", n, cycles),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        )
    path = write_result(
        "chat_presence" + ("_quick" if args.quick else ""),
        {
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "load_average_before": [round(x, 2) for x in load],
            "rounds": rounds,
        },
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
