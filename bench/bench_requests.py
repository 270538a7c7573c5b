"""Request benchmark: an authenticated page and an API call under load, against a bare Django view
(/ping: no database, no session) on the same server, in the same run.

    .venv/bin/python bench/bench_requests.py [--quick] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
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
    args = parser.parse_args()
    seconds = 3.0 if args.quick else 10.0
    concurrency = 16
    extra = {}
    if args.postgres:
        extra["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:5432/leveller_bench"
        import subprocess

        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE leveller_bench"], capture_output=True
        )
    server = Server(clean_dir(ROOT / "var" / "bench-requests"), extra_env=extra, demo=True)
    server.prepare()
    token = leveller("token", "create", MEMBER, env=server.env).stdout.strip()
    results = {}
    with server:
        cookies = session_cookie(server.url)
        cases = {
            "bare_view": (f"{server.url}/ping", {}, {}),
            "authenticated_page": (f"{server.url}/", {}, cookies),
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
    path = write_result(
        "requests" + ("_postgres" if args.postgres else ""),
        {
            "command": "python bench/bench_requests.py"
            + (" --quick" if args.quick else "")
            + (" --postgres" if args.postgres else ""),
            "database": "postgresql" if args.postgres else "sqlite",
            "concurrency": concurrency,
            "seconds_per_case": seconds,
            "baseline": "bare_view (/ping: a Django view with no database or session work, same server)",
            "results": results,
            "throughput_ratio_to_baseline": ratios,
            "passed": errors == 0,
        },
    )
    print(f"ratios to the bare view: {ratios}; written to {path}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
