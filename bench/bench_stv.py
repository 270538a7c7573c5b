"""Benchmark the exact STV engine against pyrankvote on a large synthetic election.

    .venv/bin/python bench/bench_stv.py            # 500,000 ballots, 12 candidates, 9 seats
    .venv/bin/python bench/bench_stv.py --quick    # 50,000 ballots

Generates the ballots deterministically (seeded party-bloc model with noise and truncated rankings), then in
one run times: the Scottish-rules count, the Meek count, and pyrankvote's single_transferable_vote (the
baseline) on the same ballots. Targets: Scottish < 3 s and at least 10x faster than pyrankvote. pyrankvote is
run on the full set when that is predicted to take under ~10 minutes; otherwise it is timed at two subset sizes,
checked for linear scaling, and extrapolated (the JSON says which). Writes bench/results/stv.json and exits
non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leveller.stv import Election, count  # noqa: E402

CANDIDATES = 12
SEATS = 9
SEED = 20240611
# Parties: (share of first preferences, members). Twelve candidates in six parties.
PARTIES = [(0.30, [0, 1, 2]), (0.24, [3, 4, 5]), (0.16, [6, 7]), (0.13, [8, 9]), (0.10, [10]), (0.07, [11])]
# Which party a voter of each party tends to rank next (relative weights).
AFFINITY = [
    [0, 2, 6, 1, 3, 1], [2, 0, 1, 6, 1, 3], [6, 1, 0, 2, 4, 1],
    [1, 6, 2, 0, 1, 4], [4, 1, 5, 1, 0, 2], [1, 4, 1, 5, 2, 0],
]
POPULARITY = [1.6, 1.1, 0.7, 1.5, 1.0, 0.8, 1.3, 0.9, 1.2, 0.8, 1.0, 1.0]


def generate(n: int, seed: int = SEED) -> list[tuple[int, ...]]:
    """``n`` rankings: pick a party, rank its candidates (popularity-weighted order), then move to a related
    party and so on; 8% of voters swap two adjacent preferences; rankings are cut short at a random length."""
    rng = random.Random(seed)
    shares = [p[0] for p in PARTIES]
    out = []
    for _ in range(n):
        party = rng.choices(range(len(PARTIES)), shares)[0]
        visited = {party}
        ranking: list[int] = []
        length = min(CANDIDATES, 1 + int(rng.expovariate(0.28)))
        while len(ranking) < length:
            members = list(PARTIES[party][1])
            rng.shuffle(members)
            members.sort(key=lambda c: -POPULARITY[c] * rng.random())
            ranking.extend(members)
            left = [p for p in range(len(PARTIES)) if p not in visited]
            if not left:
                break
            party = rng.choices(left, [AFFINITY[party][p] + 0.2 for p in left])[0]
            visited.add(party)
        ranking = ranking[:length]
        if len(ranking) > 1 and rng.random() < 0.08:
            i = rng.randrange(len(ranking) - 1)
            ranking[i], ranking[i + 1] = ranking[i + 1], ranking[i]
        out.append(tuple(ranking))
    return out


def time_pyrankvote(rankings: list[tuple[int, ...]], names: list[str]) -> tuple[float, list[str]]:
    import pyrankvote
    from pyrankvote import Ballot, Candidate

    cands = [Candidate(n) for n in names]
    ballots = [Ballot(ranked_candidates=[cands[c] for c in r]) for r in rankings]
    start = time.perf_counter()
    result = pyrankvote.single_transferable_vote(cands, ballots, number_of_seats=SEATS)
    elapsed = time.perf_counter() - start
    return elapsed, [c.name for c in result.get_winners()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50,000 ballots instead of 500,000")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "stv.json"))
    parser.add_argument("--pyrankvote-budget", type=float, default=600.0,
                        help="seconds pyrankvote may take on the full set before extrapolating instead")
    args = parser.parse_args(argv)
    n = 50_000 if args.quick else 500_000
    names = [f"Candidate {chr(65 + i)}" for i in range(CANDIDATES)]

    t0 = time.perf_counter()
    rankings = generate(n)
    gen_time = time.perf_counter() - t0
    election = Election(names, SEATS, [(1, r) for r in rankings], title=f"benchmark {n}")
    distinct = len(set(rankings))

    t0 = time.perf_counter()
    scottish = count(election, "scottish", seed=1)
    scottish_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    meek = count(election, "meek", seed=1)
    meek_time = time.perf_counter() - t0

    # pyrankvote: measure at two subset sizes to check scaling, then the full set if it fits the budget.
    small, large = max(1000, n // 50), max(2000, n // 25)
    t_small, _ = time_pyrankvote(rankings[:small], names)
    t_large, _ = time_pyrankvote(rankings[:large], names)
    per_ballot_small, per_ballot_large = t_small / small, t_large / large
    linear = per_ballot_large <= per_ballot_small * 1.35
    predicted = per_ballot_large * n
    if predicted <= args.pyrankvote_budget or not linear:
        prv_time, prv_winners = time_pyrankvote(rankings, names)
        prv_method = f"measured on all {n} ballots"
    else:
        prv_time, prv_winners = predicted, None
        prv_method = (f"extrapolated linearly from {large} ballots ({t_large:.2f} s); scaling checked: "
                      f"{per_ballot_small * 1e6:.1f} us/ballot at {small}, {per_ballot_large * 1e6:.1f} at {large}")
    ratio = prv_time / scottish_time
    winners_agree = None if prv_winners is None else sorted(prv_winners) == sorted(scottish.elected)

    targets = {"scottish_under_3s": scottish_time < 3.0, "at_least_10x_pyrankvote": ratio >= 10.0}
    report = {
        "command": "python bench/bench_stv.py" + (" --quick" if args.quick else ""),
        "ballots": n,
        "distinct_ballots": distinct,
        "candidates": CANDIDATES,
        "seats": SEATS,
        "generator_seed": SEED,
        "generation_seconds": round(gen_time, 3),
        "timings_seconds": {
            "scottish": round(scottish_time, 3),
            "meek": round(meek_time, 3),
            "pyrankvote": round(prv_time, 3),
        },
        "pyrankvote_method": prv_method,
        "pyrankvote_scaling": {str(small): round(t_small, 3), str(large): round(t_large, 3)},
        "speedup_vs_pyrankvote": round(ratio, 1),
        "winners": {
            "scottish": scottish.elected,
            "meek": meek.elected,
            "pyrankvote": prv_winners,
        },
        "winner_sets_agree": {
            "scottish_vs_pyrankvote": winners_agree,
            "scottish_vs_meek": sorted(scottish.elected) == sorted(meek.elected),
        },
        "stages": {"scottish": len(scottish.stages), "meek": len(meek.stages)},
        "targets_met": targets,
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
        },
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"{n} ballots ({distinct} distinct), {CANDIDATES} candidates, {SEATS} seats")
    print(f"  scottish   {scottish_time:8.3f} s  elected {', '.join(scottish.elected)}")
    print(f"  meek       {meek_time:8.3f} s  elected {', '.join(meek.elected)}")
    print(f"  pyrankvote {prv_time:8.3f} s  ({prv_method})")
    print(f"  speed-up {ratio:.1f}x; winner sets agree (scottish vs pyrankvote): {winners_agree}")
    print(f"  targets: {targets} -> {args.out}")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
