"""Small helpers shared by the STV tests (no Django anywhere)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from leveller.stv import Election, Result

DATA = Path(__file__).resolve().parent.parent / "data" / "stv"
EDINBURGH = DATA / "edinburgh2017"


def election(names: str, seats: int, *ballots: tuple[int, str], withdrawn: tuple[str, ...] = ()) -> Election:
    """``election("A B C", 1, (3, "A B"), (2, "C"))``: names and rankings as space-separated letters."""
    return Election.build(names.split(), seats, list(ballots), withdrawn=withdrawn)


def stage_votes(result: Result, number: int) -> dict[str, str]:
    return {k: str(v) for k, v in result.stages[number - 1].votes.items()}


def total_at(result: Result, number: int) -> Decimal:
    s = result.stages[number - 1]
    return sum(s.votes.values(), Decimal(0)) + s.exhausted + s.loss_by_fraction


def reasons(result: Result) -> dict[str, str]:
    """Each candidate's fate: "elected: <reason>" or "excluded: <reason>" (first event wins)."""
    out: dict[str, str] = {}
    for s in result.stages:
        for e in s.elected:
            out.setdefault(e.candidate, f"elected: {e.reason}")
        for e in s.excluded:
            out.setdefault(e.candidate, f"excluded: {e.reason}")
    return out
