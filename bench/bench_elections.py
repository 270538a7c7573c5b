"""Online ballots benchmark: what ballot secrecy costs. Casting with the per-cast mix (7 earlier ballots deleted
and re-inserted with the new one in random order) against a plain insert of the same ballots, in the same run;
then closing a large vote (re-shuffle of every ballot + STV count).

    .venv/bin/python bench/bench_elections.py [--quick] [--postgres]

Cases:
- baseline_plain_insert: cast_ballot with the mixing step replaced by one INSERT (everything else the same:
  lock, eligibility, validation, voter-roll row);
- cast_with_mix: the real cast_ballot;
- close_large_vote: close_voting on a vote with many ballots (bulk-loaded): re-shuffle + Scottish STV count.
Targets: cast_with_mix p95 < 50 ms and < 3x the baseline p95; closing 50,000 ballots < 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import ROOT, clean_dir, percentile, write_result

TARGET_CAST_P95_MS = 50.0
TARGET_RATIO = 3.0
TARGET_CLOSE_S = 60.0


def setup_django(data_dir: Path, database_url: str | None) -> None:
    os.environ["LEVELLER_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("LEVELLER_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "leveller.settings"
    os.environ["LEVELLER_ELECTIONS_SYNC_COUNT_LIMIT"] = "10000000"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_members(n: int):
    from leveller.accounts.models import Member, MemberRole

    Member.objects.bulk_create(
        [
            Member(
                email=f"bench{i}@example.org", display_name=f"Bench {i}", joined_on=dt.date(2020, 1, 1), password="!"
            )
            for i in range(n)
        ]
    )
    staff = Member.objects.create(email="staff@example.org", display_name="Staff", password="!")
    MemberRole.objects.create(member=staff, role="admin")
    return list(Member.objects.filter(email__startswith="bench")), staff


def make_election(staff, title: str, candidates: int = 12, seats: int = 9):
    from django.utils import timezone

    from leveller.elections.actions import setup as setup_actions
    from leveller.elections.actions import transitions as transition_actions

    election = setup_actions.create_election(
        actor=staff, title=title, seats=seats, voting_closes_at=timezone.now() + dt.timedelta(days=1)
    )
    for i in range(candidates):
        setup_actions.add_candidate(actor=staff, election=election, name=f"Candidate {i + 1}")
    transition_actions.open_voting(actor=staff, election=election)
    return election, [c.pk for c in election.candidates.all()]


def rankings(rng: random.Random, ids: list[int], n: int) -> list[list[int]]:
    out = []
    for _ in range(n):
        order = ids[:]
        rng.shuffle(order)
        out.append(order[: rng.randint(1, len(ids))])
    return out


def time_casts(election, members, papers) -> dict:
    from leveller.elections.actions import voting as voting_actions

    latencies = []
    started = time.perf_counter()
    for member, paper in zip(members, papers, strict=True):
        t = time.perf_counter()
        voting_actions.cast_ballot(actor=member, election=election, ranking=paper)
        latencies.append(time.perf_counter() - t)
    total = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    return {
        "ballots": len(ms),
        "per_second": round(len(ms) / total, 1),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--postgres", action="store_true", help="use postgresql://postgres@127.0.0.1:5432/leveller_bench_elections"
    )
    args = parser.parse_args()
    database_url = None
    if args.postgres:
        database_url = "postgresql://postgres@127.0.0.1:5432/leveller_bench_elections"
        for cmd in ("dropdb", "createdb"):
            extra = ["--if-exists"] if cmd == "dropdb" else []
            subprocess.run([cmd, "-h", "127.0.0.1", "-U", "postgres", *extra, "leveller_bench_elections"], check=False)
    setup_django(clean_dir(ROOT / "var" / "bench-elections"), database_url)

    from leveller.elections.actions import transitions as transition_actions
    from leveller.elections.actions import voting
    from leveller.elections.models import Ballot, new_receipt

    casts = 300 if args.quick else 2000
    big = 10_000 if args.quick else 50_000
    rng = random.Random(7)
    members, staff = make_members(casts)

    plain, plain_ids = make_election(staff, "Baseline")
    mixed, mixed_ids = make_election(staff, "Mixed")
    papers = rankings(rng, plain_ids, casts)
    real_insert = voting._insert_mixed
    voting._insert_mixed = lambda election, ballot: ballot.save(force_insert=True)
    try:
        baseline = time_casts(plain, members, papers)
    finally:
        voting._insert_mixed = real_insert
    offset = dict(zip(plain_ids, mixed_ids, strict=True))
    with_mix = time_casts(mixed, members, [[offset[c] for c in p] for p in papers])

    large, large_ids = make_election(staff, "Large")
    rows = [Ballot(election=large, receipt=new_receipt(), choices=p) for p in rankings(rng, large_ids, big)]
    Ballot.objects.bulk_create(rows, batch_size=2000)
    started = time.perf_counter()
    transition_actions.close_voting(actor=staff, election=large)
    close_s = round(time.perf_counter() - started, 2)
    large.refresh_from_db()
    assert large.state == "counted", large.result.error

    ratio = round(with_mix["p95_ms"] / baseline["p95_ms"], 2) if baseline["p95_ms"] else None
    passed = (
        with_mix["p95_ms"] < TARGET_CAST_P95_MS
        and ratio is not None
        and ratio < TARGET_RATIO
        and close_s < TARGET_CLOSE_S
    )
    results = {
        "baseline_plain_insert": baseline,
        "cast_with_mix": with_mix,
        "close_large_vote": {"ballots": big, "seconds": close_s, "elected": len(large.result.data["elected"])},
    }
    for name, r in results.items():
        print(f"{name:>22}: {r}")
    command = (
        "python bench/bench_elections.py"
        + (" --quick" if args.quick else "")
        + (" --postgres" if args.postgres else "")
    )
    path = write_result(
        "elections" + ("_postgres" if args.postgres else ""),
        {
            "command": command,
            "database": "postgresql" if args.postgres else "sqlite",
            "baseline": "baseline_plain_insert: cast_ballot with the secrecy mix replaced by one INSERT",
            "results": results,
            "cast_p95_ratio_to_baseline": ratio,
            "target": {
                "cast_with_mix_p95_ms_below": TARGET_CAST_P95_MS,
                "ratio_below": TARGET_RATIO,
                "close_large_vote_seconds_below": TARGET_CLOSE_S,
            },
            "passed": passed,
        },
    )
    print(f"cast p95 ratio {ratio}x; close {big} ballots in {close_s} s: {'PASS' if passed else 'FAIL'}; {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
