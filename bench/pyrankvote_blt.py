"""Baseline for bench_stv.py's whole-process comparison: count a BLT file with pyrankvote, as a person would
who used pyrankvote instead of `leveller stv count` (read the file, build pyrankvote's objects, count, print
the winners). The BLT reading here is the minimum the format needs (weights, preferences, names)."""

from __future__ import annotations

import sys

import pyrankvote
from pyrankvote import Ballot, Candidate


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        n_candidates, seats = (int(x) for x in f.readline().split())
        rankings = []
        for line in f:
            numbers = [int(x) for x in line.split()]
            if numbers == [0]:
                break
            weight, prefs = numbers[0], numbers[1:-1]
            rankings.extend([prefs] * weight)
        names = [next(f).strip().strip('"') for _ in range(n_candidates)]
    candidates = [Candidate(name) for name in names]
    ballots = [Ballot(ranked_candidates=[candidates[p - 1] for p in r]) for r in rankings]
    result = pyrankvote.single_transferable_vote(candidates, ballots, number_of_seats=seats)
    print(", ".join(c.name for c in result.get_winners()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
