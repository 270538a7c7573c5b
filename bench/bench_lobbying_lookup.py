"""Postcode -> constituency lookup benchmark: random postcodes across every GB sector (plus Northern Ireland
postcodes and bare districts, as members type them), against a plain dict lookup in the same run.

    .venv/bin/python bench/bench_lobbying_lookup.py [--quick] [--postgres]

Cases (each over the same random sample, one postcode per call):
- baseline_plain_dict: `answers[compact(postcode)]` in a dict holding the precomputed answer for every sampled
  postcode (what a lookup could cost at best: one normalisation and one hash probe);
- lookup_function: leveller.lobbying.geography.lookup(postcode): parse, exact range table (bisect), the sector's
  other seats with shares, MPs attached;
- lookup_api: GET /api/v1/constituencies/lookup?postcode=... through Django's full request stack, JSON included
  (what the action page's client and API users do).
Target (the issue's "postcode lookup p95 under 5 ms against a plain dict lookup"): lookup_function p95 < 5 ms.
lookup_api is reported beside it, wall clock and CPU time (the thread's own time, which is what the wall
clock shows on an idle machine), with whether its wall p95 was under 5 ms too in this run: on a shared,
oversubscribed machine the wall-clock tail of a full Django request is mostly time spent waiting for a core.
Also reported: the one-off table load per process (time and memory) and the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import ROOT, clean_dir, percentile, write_result

TARGET_P95_MS = 5.0
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def setup_django(data_dir: Path, database_url: str | None) -> None:
    os.environ["LEVELLER_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("LEVELLER_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "leveller.settings"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def sample(rng: random.Random, n: int) -> list[str]:
    """90% full GB postcodes in random sectors (any case and spacing), 5% BT postcodes, 5% bare districts."""
    from leveller.lobbying import geography

    tables = geography.tables()
    sectors = sorted(tables.ranges)
    districts = sorted(tables.districts)
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.90:
            postcode = f"{rng.choice(sectors)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"
            out.append(postcode.lower().replace(" ", "") if rng.random() < 0.3 else postcode)
        elif roll < 0.95:
            out.append(f"BT{rng.randrange(1, 95)} {rng.randrange(10)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}")
        else:
            out.append(rng.choice(districts))
    return out


def timed(fn, inputs: list[str]) -> dict:
    for value in inputs[:50]:  # warm-up
        fn(value)
    ms, cpu = [], []
    for value in inputs:
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn(value)
        ms.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 4),
        "p95_ms": round(percentile(ms, 95), 4),
        "p99_ms": round(percentile(ms, 99), 4),
        "max_ms": round(max(ms), 3),
        # CPU time of this thread for the same calls: what the wall clock would show on an idle machine.
        "cpu_p50_ms": round(percentile(cpu, 50), 4),
        "cpu_p95_ms": round(percentile(cpu, 95), 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", action="store_true", help="DATABASE_URL from LEVELLER_BENCH_DATABASE_URL")
    args = parser.parse_args()
    database_url = None
    if args.postgres:
        database_url = os.environ.get("LEVELLER_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/leveller")
    setup_django(clean_dir(ROOT / "var" / "bench-lobbying"), database_url)

    from django.test import Client

    from leveller.lobbying import geography

    started = time.perf_counter()
    geography.reload()
    load_ms = round((time.perf_counter() - started) * 1000, 1)
    tracemalloc.start()
    geography.reload()
    load_mb = round(tracemalloc.get_traced_memory()[0] / 1e6, 1)
    tracemalloc.stop()

    rng = random.Random(17)
    n = 1000 if args.quick else 10_000
    inputs = sample(rng, n)
    answers = {geography.compact(p): geography.lookup(p).candidates for p in inputs}
    client = Client()

    def baseline(postcode: str):
        return answers[geography.compact(postcode)]

    def function(postcode: str):
        return geography.lookup(postcode)

    def api(postcode: str):
        response = client.get("/api/v1/constituencies/lookup", {"postcode": postcode})
        assert response.status_code == 200, response.content[:200]
        return response

    results = {
        "baseline_plain_dict": timed(baseline, inputs),
        "lookup_function": timed(function, inputs),
        "lookup_api": timed(api, inputs),
    }
    for name, r in results.items():
        print(f"{name:>20}: {r}")
    base = results["baseline_plain_dict"]["p95_ms"]
    passed = results["lookup_function"]["p95_ms"] < TARGET_P95_MS
    api = results["lookup_api"]
    command = (
        "python bench/bench_lobbying_lookup.py"
        + (" --quick" if args.quick else "")
        + (" --postgres" if args.postgres else "")
    )
    load = os.getloadavg()
    path = write_result(
        "lobbying_lookup" + ("_postgres" if args.postgres else "") + ("_quick" if args.quick else ""),
        {
            "command": command,
            "database": "postgresql" if args.postgres else "sqlite",
            "load_average_1_5_15": [round(x, 2) for x in load],
            "note": "shared 2-core machine (other helpers' work running)",
            "dataset": {
                "sectors": len(geography.tables().ranges),
                "range_rows": sum(len(f) for f, _ in geography.tables().ranges.values()),
                "constituencies": len(geography.tables().constituencies),
                "sample": n,
                "mix": "90% full GB postcodes (30% typed lower-case without a space), 5% BT, 5% bare districts",
            },
            "table_load_ms": load_ms,
            "table_memory_mb": load_mb,
            "baseline": "baseline_plain_dict: one normalisation and a dict probe of precomputed answers",
            "results": results,
            "p95_ratio_to_baseline": {k: round(r["p95_ms"] / base, 1) for k, r in results.items() if base},
            "target": {"case": "lookup_function", "p95_ms_below": TARGET_P95_MS},
            "passed": passed,
            "api_wall_p95_below_target": api["p95_ms"] < TARGET_P95_MS,
            "api_cpu_p95_below_target": api["cpu_p95_ms"] < TARGET_P95_MS,
        },
    )
    print(f"load {load}; table load {load_ms} ms, {load_mb} MB; wrote {path}; {'PASS' if passed else 'FAIL'}")
    print(f"lookup_api p95: wall {api['p95_ms']} ms, CPU {api['cpu_p95_ms']} ms (target {TARGET_P95_MS} ms)")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
