"""Chat posting benchmark: server time to post a message through the API (render Markdown, store, index for
search, write realtime events, broadcast), against a bare Django view (/ping) on the same server, same run.

Target (issue #3): posting p50 <= 20 ms.

    .venv/bin/python bench/bench_chat_post.py [--quick] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import ROOT, Server, clean_dir, leveller, summarise, write_result

MEMBER = "member@demo.leveller.org"
TEXT = "Door-knocking on **Elm Street** at 6pm? Bring leaflets: https://example.org/leaflet.pdf cc @priya.raman"


def timed(client: httpx.Client, method: str, url: str, n: int, **kwargs) -> tuple[list[float], int, float]:
    latencies, errors = [], 0
    started = time.perf_counter()
    for i in range(n):
        body = kwargs.get("json")
        if body is not None:
            kwargs["json"] = {**body, "text": f"{TEXT} #{i}"}
        t0 = time.perf_counter()
        response = client.request(method, url, **kwargs)
        latencies.append(time.perf_counter() - t0)
        errors += response.status_code >= 400
    return latencies, errors, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL=postgresql://…/leveller_bench_chat")
    args = parser.parse_args()
    n = 150 if args.quick else 1000
    extra = {}
    if args.postgres:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS leveller_bench_chat")
            conn.execute("CREATE DATABASE leveller_bench_chat")
        extra["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:5432/leveller_bench_chat"
        # As a PostgreSQL deployment should run (docs/configuration.md): reuse connections between requests.
        extra["LEVELLER_DB_CONN_MAX_AGE"] = "60"
    server = Server(clean_dir(ROOT / "var" / "bench-chat-post"), extra_env=extra, demo=True)
    server.prepare()
    token = leveller("token", "create", MEMBER, env=server.env).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    with server, httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        channels = client.get("/api/v1/channels").json()
        welcome = next(c for c in channels if c["name"] == "welcome")
        for _ in range(20):  # warm up
            client.get("/ping")
            client.post(f"/api/v1/channels/{welcome['id']}/messages", json={"text": "warm-up"})
        base_lat, base_err, base_dur = timed(client, "GET", "/ping", n)
        post_lat, post_err, post_dur = timed(
            client, "POST", f"/api/v1/channels/{welcome['id']}/messages", n, json={"text": TEXT}
        )
    baseline = summarise(base_lat, base_dur, base_err)
    posting = summarise(post_lat, post_dur, post_err)
    passed = posting["p50_ms"] <= 20 and post_err == 0
    command = (
        "python bench/bench_chat_post.py"
        + (" --quick" if args.quick else "")
        + (" --postgres" if args.postgres else "")
    )
    path = write_result(
        "chat_post" + ("_postgres" if args.postgres else ""),
        {
            "command": command,
            "database": "postgresql (LEVELLER_DB_CONN_MAX_AGE=60)" if args.postgres else "sqlite",
            "messages_posted": n,
            "channel": "#welcome (every demo member belongs to it); each message has Markdown, a link and a direct "
            "mention, so it also writes a notification",
            "baseline": "bare_view (/ping: a Django view with no database or session work, same server, same run)",
            "results": {"bare_view": baseline, "post_message": posting},
            "ratio_p50_to_baseline": round(posting["p50_ms"] / baseline["p50_ms"], 2) if baseline["p50_ms"] else None,
            "targets": {"post_message_p50_ms": 20},
            "passed": passed,
            "load_average_1_5_15_after_run": [round(x, 2) for x in os.getloadavg()],
            "notes": "Sequential requests from one client on the same machine: latency seen by the client, which is "
            "server time plus a loopback round trip.",
        },
    )
    print(f"bare view: {baseline}\npost message: {posting}\npassed={passed}; written to {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
