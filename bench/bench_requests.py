"""Request benchmark: the home page, the chat channel page and an API call under load, against a bare Django
view (/ping: no database, no session) on the same server, in the same run. Targets (issue #13): home page and
channel page each >= 0.5x the bare view's requests/s.

The pages are asked for by one logged-in member (16 at a time), so after the first answer they come from the
short per-session page cache (core/page_cache.py, LEVELLER_PAGE_CACHE_SECONDS); `--no-cache` measures the pages
built every time.

    .venv/bin/python bench/bench_requests.py [--quick] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import ROOT, Server, clean_dir, leveller, load, write_result

MEMBER = "member@demo.leveller.org"
PASSWORD = "leveller-demo-2024"


def session_cookie(base: str) -> dict:
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        page = client.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = client.post("/login/", data={"username": MEMBER, "password": PASSWORD, "csrfmiddlewaretoken": token})
        assert response.status_code == 302, response.text[:500]
        return {"sessionid": client.cookies["sessionid"]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL=postgresql://…/leveller_bench")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/leveller_bench")
    parser.add_argument("--no-cache", action="store_true", help="LEVELLER_PAGE_CACHE_SECONDS=0")
    parser.add_argument("--result", help="results file name")
    args = parser.parse_args()
    seconds = 3.0 if args.quick else 10.0
    concurrency = 16
    extra = {}
    if args.no_cache:
        extra["LEVELLER_PAGE_CACHE_SECONDS"] = "0"
    if args.postgres:
        extra["DATABASE_URL"] = args.database_url
        import subprocess

        name = args.database_url.rsplit("/", 1)[1]
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], capture_output=True
        )
    server = Server(clean_dir(ROOT / "var" / "bench-requests"), extra_env=extra, demo=True)
    server.prepare()
    token = leveller("token", "create", MEMBER, env=server.env).stdout.strip()
    results = {}
    with server:
        cookies = session_cookie(server.url)
        with httpx.Client(base_url=server.url, cookies=cookies) as client:
            channel = client.get("/chat/", follow_redirects=False).headers["location"]  # -> #welcome
        cases = {
            "bare_view": (f"{server.url}/ping", {}, {}),
            "authenticated_page": (f"{server.url}/", {}, cookies),
            "channel_page": (f"{server.url}{channel}", {}, cookies),
            "api_me": (f"{server.url}/api/v1/me", {"Authorization": f"Bearer {token}"}, {}),
        }
        for name, (url, headers, jar) in cases.items():
            results[name] = asyncio.run(
                load(url, headers=headers, cookies=jar, concurrency=concurrency, seconds=seconds)
            )
            print(f"{name:>20}: {results[name]}")
    bare = results["bare_view"]["throughput_per_s"]
    ratios = {name: round(r["throughput_per_s"] / bare, 3) for name, r in results.items() if name != "bare_view"}
    errors = sum(r["errors"] for r in results.values())
    checks = {
        "home_page_at_least_0.5x_bare_view": ratios["authenticated_page"] >= 0.5,
        "channel_page_at_least_0.5x_bare_view": ratios["channel_page"] >= 0.5,
        "no_errors": errors == 0,
    }
    path = write_result(
        args.result or ("requests" + ("_postgres" if args.postgres else "") + ("_nocache" if args.no_cache else "")),
        {
            "command": "python bench/bench_requests.py"
            + (" --quick" if args.quick else "")
            + (" --postgres" if args.postgres else "")
            + (" --no-cache" if args.no_cache else ""),
            "page_cache_seconds": 0 if args.no_cache else "default (10)",
            "database": "postgresql" if args.postgres else "sqlite",
            "concurrency": concurrency,
            "seconds_per_case": seconds,
            "baseline": "bare_view (/ping: a Django view with no database or session work, same server)",
            "results": results,
            "throughput_ratio_to_baseline": ratios,
            "checks": checks,
            "passed": all(checks.values()),
            "load_average_1_5_15_after_run": [round(x, 2) for x in os.getloadavg()],
        },
    )
    print(f"ratios to the bare view: {ratios}; {checks}; written to {path}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
