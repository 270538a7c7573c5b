"""The entry point: ``count(election, rules=...)`` runs a count under one of the published rule sets."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .model import Election, ElectionError, MinimumRepresentation
from .report import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .base import CountBase

RULES = ("scottish", "ers97", "meek")


def engine(rules: str) -> type[CountBase]:
    """The class that counts under ``rules``, its module imported only now (a count needs only its own)."""
    if rules == "scottish":
        from .scottish import ScottishCount

        return ScottishCount
    if rules == "ers97":
        from .ers97 import ERS97Count

        return ERS97Count
    from .meek import MeekCount

    return MeekCount


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
    if key not in RULES:
        raise ElectionError(f"unknown rules {rules!r}: choose one of {', '.join(RULES)}")
    if seats is not None and seats != election.seats:
        election = dataclasses.replace(election, seats=seats)
    return engine(key)(election, seed, minimums).run()
