"""Realtime fan-out benchmark: N websocket members of one channel connected to a real `leveller serve` (SQLite,
in-process channel layer), messages posted through the API; against a bare uvicorn + websockets broadcast
server (bench/fanout_baseline_server.py) with the same clients and the same message pattern, in the same run.

Targets (issue #3): deliveries/s >= 0.5x the baseline, p99 latency <= 2x, zero lost, < 128 KiB of server
memory per idle connection.

    .venv/bin/python bench/bench_chat_fanout.py [--quick] [--sizes 1000,2000]

Each size runs two phases per server: a steady phase (messages posted at a fixed rate: latency post -> receipt,
p50/p99) and a burst phase (messages posted back to back: deliveries per second from the first post to the last
receipt). Memory per idle connection = (server RSS with N idle sockets - RSS with none) / N, from /proc VmRSS.
Clients: one asyncio process using the `websockets` client without permessage-deflate (with it, decompressing
in Python made the client the bottleneck for both servers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import PYTHON, ROOT, Server, clean_dir, free_port, percentile, write_result

MARK = "fanout-seq:"
PAD = "Phonebank tonight from 6pm, everyone welcome - bring a charged phone and headphones."


def setup_members(n: int, out: Path) -> None:
    """Runs inside the server's environment: n+1 members (0 posts), one channel, tokens written to `out`."""
    import django

    django.setup()
    from django.core.management import call_command

    from leveller.accounts.models import ApiToken, Member, hash_secret
    from leveller.chat.models import Channel, ChannelMembership

    call_command("migrate", verbosity=0)
    members = Member.objects.bulk_create(
        [Member(email=f"fan{i}@bench.example", display_name=f"Fan {i}", password="!") for i in range(n + 1)]
    )
    secrets = [ApiToken.new_secret() for _ in members]
    ApiToken.objects.bulk_create(
        [ApiToken(member=m, token_hash=hash_secret(s), hint=s[:10]) for m, s in zip(members, secrets, strict=True)]
    )
    channel = Channel.objects.create(name="fanout", purpose="Fan-out benchmark")
    ChannelMembership.objects.bulk_create([ChannelMembership(channel=channel, member=m) for m in members])
    out.write_text(json.dumps({"channel_id": channel.pk, "poster": secrets[0], "tokens": secrets[1:]}))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Clients:
    """N websockets; each records (seq, receipt time) for every message.created it receives."""

    def __init__(self):
        self.sockets = []
        self.seen: list[set[int]] = []
        self.received: dict[int, list[float]] = {}
        self.tasks = []

    async def connect(self, urls: list[str], concurrency: int = 64) -> float:
        import websockets

        gate = asyncio.Semaphore(concurrency)
        started = time.perf_counter()

        async def one(url):
            async with gate:
                ws = await websockets.connect(
                    url, max_size=2**20, ping_interval=None, open_timeout=120, compression=None
                )
                hello = json.loads(await ws.recv())
                assert hello["type"] == "hello", hello
                return ws

        self.sockets = await asyncio.gather(*(one(u) for u in urls))
        self.seen = [set() for _ in self.sockets]
        self.tasks = [asyncio.create_task(self._listen(i, ws)) for i, ws in enumerate(self.sockets)]
        return time.perf_counter() - started

    async def _listen(self, index: int, ws) -> None:
        seen = self.seen[index]
        received = self.received
        try:
            async for raw in ws:
                at = time.perf_counter()
                pos = raw.find(MARK)
                if pos < 0 or '"message.created"' not in raw:
                    continue
                end = raw.find(" ", pos)
                seq = int(raw[pos + len(MARK) : end])
                if seq not in seen:
                    seen.add(seq)
                    received.setdefault(seq, []).append(at)
        except Exception:  # noqa: S110  (closed at the end of the run)
            pass

    async def close(self) -> None:
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        for task in self.tasks:
            task.cancel()


async def run_phase(post, clients: Clients, seqs: range, rate: float | None, n: int, timeout: float) -> dict:
    sent: dict[int, float] = {}
    errors = 0
    started = time.perf_counter()
    for i, seq in enumerate(seqs):
        if rate:
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        sent[seq] = time.perf_counter()
        errors += not await post(f"{MARK}{seq} {PAD}")
    deadline = time.perf_counter() + timeout
    expected = n * len(seqs)
    while time.perf_counter() < deadline:
        if sum(len(clients.received.get(s, ())) for s in seqs) >= expected:
            break
        await asyncio.sleep(0.05)
    latencies = [(at - sent[s]) * 1000 for s in seqs for at in clients.received.get(s, ())]
    delivered = len(latencies)
    last = max((max(clients.received[s]) for s in seqs if clients.received.get(s)), default=started)
    span = last - sent[seqs[0]]
    return {
        "messages": len(seqs),
        "post_errors": errors,
        "deliveries": delivered,
        "lost": expected - delivered,
        "deliveries_per_s": round(delivered / span, 1) if span > 0 else None,
        "latency_p50_ms": round(percentile(latencies, 50), 2),
        "latency_p99_ms": round(percentile(latencies, 99), 2),
        "latency_max_ms": round(max(latencies), 2) if latencies else None,
    }


async def measure(kind: str, base_url: str, pid: int, ws_urls: list[str], post, plan: dict) -> dict:
    import httpx

    n = len(ws_urls)
    async with httpx.AsyncClient(timeout=30) as probe:
        for _ in range(5):
            await probe.get(base_url + "/ping")
    for i in range(3):  # warm the posting path with no sockets attached
        await post(f"warm-up {i}")
    await asyncio.sleep(1)
    rss_empty = rss_kib(pid)
    clients = Clients()
    connect_s = await clients.connect(ws_urls)
    await asyncio.sleep(3)
    rss_idle = rss_kib(pid)
    steady = await run_phase(post, clients, range(1, plan["steady"] + 1), plan["rate"], n, timeout=30)
    first = plan["steady"] + 1
    burst = await run_phase(post, clients, range(first, first + plan["burst"]), None, n, timeout=60)
    await clients.close()
    result = {
        "sockets": n,
        "connect_seconds": round(connect_s, 1),
        "rss_kib_no_sockets": rss_empty,
        "rss_kib_idle_sockets": rss_idle,
        "memory_per_idle_connection_kib": round((rss_idle - rss_empty) / n, 1),
        "steady": steady,
        "burst": burst,
        "lost": steady["lost"] + burst["lost"],
    }
    print(
        f"  {kind:>8} N={n}: connect {result['connect_seconds']} s, "
        f"{result['memory_per_idle_connection_kib']} KiB/conn, steady p50 {steady['latency_p50_ms']} ms "
        f"p99 {steady['latency_p99_ms']} ms, burst {burst['deliveries_per_s']} deliveries/s, lost {result['lost']}"
    )
    return result


def uvicorn_command(port: int) -> list[str]:
    return [
        PYTHON, "-m", "uvicorn", "fanout_baseline_server:app", "--app-dir", str(ROOT / "bench"),
        "--port", str(port), "--lifespan", "off", "--log-level", "warning",
        "--ws-max-size", str(1024 * 1024), "--ws-ping-interval", "20", "--ws-ping-timeout", "20",
    ]  # fmt: skip


async def baseline_run(n: int, plan: dict) -> dict:
    import httpx

    port = free_port()
    proc = subprocess.Popen(uvicorn_command(port), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/ping", timeout=1)
                break
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:

            async def post(text: str) -> bool:
                body = {"id": 0, "channel_id": 1, "author": {"display_name": "Fan 0"}, "text": text}
                return (await client.post("/post", json=body)).status_code == 201

            urls = [f"ws://127.0.0.1:{port}/ws/?token=x{i}" for i in range(n)]
            return await measure("baseline", base, proc.pid, urls, post, plan)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def leveller_run(n: int, plan: dict, extra_env: dict) -> dict:
    import httpx

    server = Server(clean_dir(ROOT / "var" / "bench-chat-fanout"), extra_env=extra_env)
    server.data_dir.mkdir(parents=True, exist_ok=True)
    out = server.data_dir / "members.json"
    subprocess.run([PYTHON, __file__, "--setup", str(n), "--out", str(out)], env=server.env, cwd=ROOT, check=True)
    info = json.loads(out.read_text())
    with server:
        headers = {"Authorization": f"Bearer {info['poster']}"}
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as client:
            url = f"/api/v1/channels/{info['channel_id']}/messages"

            async def post(text: str) -> bool:
                return (await client.post(url, json={"text": text})).status_code == 201

            ws = server.url.replace("http://", "ws://")
            urls = [f"{ws}/ws/?token={t}" for t in info["tokens"][:n]]
            return await measure("leveller", server.url, server.pid(), urls, post, plan)


def compare(base: dict, lev: dict) -> dict:
    throughput = round(lev["burst"]["deliveries_per_s"] / base["burst"]["deliveries_per_s"], 2)
    p99 = round(lev["steady"]["latency_p99_ms"] / base["steady"]["latency_p99_ms"], 2)
    memory = lev["memory_per_idle_connection_kib"]
    checks = {
        "deliveries_per_s_ratio_at_least_0.5": throughput >= 0.5,
        "p99_ratio_at_most_2": p99 <= 2,
        "zero_lost": lev["lost"] == 0,
        "memory_per_idle_connection_below_128_kib": memory < 128,
    }
    return {"deliveries_per_s_ratio": throughput, "p99_ratio": p99, "checks": checks, "passed": all(checks.values())}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="500 sockets, fewer messages")
    parser.add_argument("--sizes", help="comma-separated socket counts (default 1000,2000)")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the Leveller server")
    parser.add_argument("--result", help="results file name (default chat_fanout)")
    parser.add_argument("--setup", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leveller.settings")
        sys.path.insert(0, str(ROOT))
        setup_members(args.setup, args.out)
        return 0
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sizes = [int(s) for s in (args.sizes or ("500" if args.quick else "1000,2000")).split(",")]
    plan = {"rate": 2.0, "steady": 12 if args.quick else 40, "burst": 10 if args.quick else 30}
    extra_env = dict(v.split("=", 1) for v in args.env)
    runs = {}
    for n in sizes:
        base = asyncio.run(baseline_run(n, plan))
        lev = asyncio.run(leveller_run(n, plan, extra_env))
        runs[str(n)] = {"baseline": base, "leveller": lev, **compare(base, lev)}
        print(f"  N={n}: {runs[str(n)]['checks']}")
    passed = all(r["passed"] for r in runs.values())
    command = (
        "python bench/bench_chat_fanout.py"
        + " --quick" * args.quick
        + (f" --sizes {args.sizes}" if args.sizes else "")
        + "".join(f" --env {v}" for v in args.env)
    )
    path = write_result(
        args.result or ("chat_fanout_quick" if args.quick else "chat_fanout"),
        {
            "command": command,
            "database": "sqlite, in-process channel layer (leveller serve, 1 process)",
            "server_env": extra_env,
            "baseline": "bench/fanout_baseline_server.py: bare ASGI app under uvicorn (same ws options as leveller "
            "serve) keeping a set of websockets, sending each POSTed message (JSON-encoded once) to all; "
            "same clients, same message pattern, same run",
            "plan": {
                "steady": f"{plan['steady']} messages at {plan['rate']}/s: latency post -> receipt",
                "burst": f"{plan['burst']} messages posted back to back: deliveries/s from first post to last receipt",
            },
            "runs": runs,
            "targets": {
                "deliveries_per_s_ratio_at_least": 0.5,
                "p99_ratio_at_most": 2,
                "lost": 0,
                "memory_per_idle_connection_kib_below": 128,
            },
            "passed": passed,
            "load_average_1_5_15_after_run": [round(x, 2) for x in os.getloadavg()],
        },
    )
    print(f"passed={passed}; written to {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
