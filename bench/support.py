"""Shared pieces for benchmarks: start a real `leveller serve`, drive load, summarise, write results."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarise(latencies_s: list[float], duration_s: float, errors: int = 0) -> dict:
    ms = [x * 1000 for x in latencies_s]
    return {
        "requests": len(ms),
        "errors": errors,
        "throughput_per_s": round(len(ms) / duration_s, 1) if duration_s else None,
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else None,
    }


def write_result(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"benchmark": name, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(), **data}
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def leveller(*args: str, env: dict, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "leveller", *args], env=env, cwd=ROOT, check=check, text=True, capture_output=True, **kwargs
    )


class Server:
    """A real `leveller serve` on a free port with its own data directory."""

    def __init__(self, data_dir: Path, *, extra_env: dict | None = None, workers: int = 1, demo: bool = False):
        self.data_dir = data_dir
        self.port = free_port()
        self.env = {
            **os.environ,
            "LEVELLER_DATA_DIR": str(data_dir),
            "LEVELLER_LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        self.workers = workers
        self.demo = demo
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        leveller("migrate", "-v0", env=self.env)
        if self.demo:
            leveller("demo", env=self.env)

    def command(self) -> list[str]:
        """The server's command line (a benchmark may override it, e.g. to wrap the ASGI app)."""
        args = ["serve", "--port", str(self.port), "--no-migrate", "--no-worker", "--log-level", "warning"]
        return [PYTHON, "-m", "leveller", *args, "--workers", str(self.workers)]

    def start(self) -> Server:
        self.process = subprocess.Popen(
            self.command(), env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        import httpx

        deadline = time.monotonic() + 180  # a loaded, shared machine can take over a minute
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode())
            try:
                if httpx.get(self.url + "/ping", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


async def load(
    url: str,
    *,
    headers: dict | None = None,
    cookies: dict | None = None,
    concurrency: int = 16,
    seconds: float = 5.0,
    method: str = "GET",
) -> dict:
    """Closed-loop load: `concurrency` clients each send the next request when the last one answered."""
    import httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, cookies=cookies, limits=limits, timeout=30) as client:
        for _ in range(concurrency):  # warm the connections
            await client.request(method, url)
        stop_at = time.perf_counter() + seconds

        async def worker():
            nonlocal errors
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                response = await client.request(method, url)
                if response.status_code >= 400:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        duration = time.perf_counter() - started
    return summarise(latencies, duration, errors)


def clean_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


# --- a local SMTP sink (aiosmtpd in a process of its own) for the email benches --------------------------

_SMTP_SINK = r"""
import collections, json, sys, logging
from aiosmtpd.controller import Controller
logging.getLogger("mail.log").setLevel(logging.WARNING)
counts = collections.Counter()
class Handler:
    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            counts[rcpt] += 1
        return "250 OK"
controller = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
for line in sys.stdin:
    command = line.strip()
    if command == "count":
        print(json.dumps({"messages": sum(counts.values()), "recipients": sorted(counts),
                          "duplicates": sum(1 for v in counts.values() if v > 1)}), flush=True)
    elif command == "reset":
        counts.clear(); print("{}", flush=True)
    elif command == "stop":
        break
controller.stop()
"""


class SmtpSink:
    """Counts messages per recipient. ask("count") -> {"messages", "recipients" (sorted addresses),
    "duplicates"}; ask("reset") clears the counts."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SMTP_SINK, str(self.port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline().strip() == "ready"

    def ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.stdin.write("stop\n")
        self.process.stdin.flush()
        self.process.wait(timeout=10)


def setup_email_django(*, data_dir: Path, smtp_port: int, site_url: str, env: dict | None = None) -> None:
    """Django in this process on a fresh SQLite database in data_dir, sending email to the sink."""
    shutil.rmtree(data_dir, ignore_errors=True)
    os.environ.update(
        {
            "LEVELLER_DATA_DIR": str(data_dir),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "LEVELLER_SITE_URL": site_url,
            "LEVELLER_TASK_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "LEVELLER_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "leveller.settings",
            **(env or {}),
        }
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
