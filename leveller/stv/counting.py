"""The entry point: ``count(election, rules=...)`` runs a count under one of the published rule sets."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .ers97 import ERS97Count
from .meek import MeekCount
from .model import Election, ElectionError, MinimumRepresentation
from .report import Result
from .scottish import ScottishCount

ENGINES = {"scottish": ScottishCount, "ers97": ERS97Count, "meek": MeekCount}
RULES = tuple(ENGINES)


def count(
    election: Election,
    rules: str = "scottish",
    *,
    seed: int | None = None,
    seats: int | None = None,
    minimums: Sequence[MinimumRepresentation] = (),
) -> Result:
    """Count ``election`` under ``rules`` ("scottish", "ers97" or "meek").

    ``seed`` seeds the drawing of lots (a fresh one is generated and recorded when None); ``seats`` overrides
    the election's number of seats; ``minimums`` are minimum-representation rules.
    """
    key = rules.lower()
    if key not in ENGINES:
        raise ElectionError(f"unknown rules {rules!r}: choose one of {', '.join(RULES)}")
    if seats is not None and seats != election.seats:
        election = dataclasses.replace(election, seats=seats)
    return ENGINES[key](election, seed, minimums).run()
