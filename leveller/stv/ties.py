"""Breaking ties: by the votes at earlier stages (backwards or forwards), then by lot with a recorded seed.

A "history" is the list of vote snapshots taken during the count, oldest first; each snapshot is a tuple of
integer vote units indexed by candidate number. Narrowing is progressive: at the first snapshot (in the search
direction) where the tied candidates do not all have the same vote, only those with the lowest (or highest)
vote stay in the tie; the search goes on with them until one is left or the history runs out, and then the
choice is made by lot.
"""

from __future__ import annotations

from collections.abc import Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    import random


def new_seed() -> int:
    """A fresh seed for drawing lots (recorded in the result so the count can be reproduced)."""
    import secrets  # imported when needed: `leveller stv count` starts faster without it (and hashlib)

    return secrets.randbits(63)


class Lot:
    """Drawing lots reproducibly with ``random.Random(seed)``; candidates are sorted by number first."""

    def __init__(self, seed: int | None) -> None:
        self.seed = new_seed() if seed is None else int(seed)
        self._rng: random.Random | None = None  # made at the first draw (most counts never draw)
        self.draws = 0

    def choose(self, candidates: Sequence[int]) -> int:
        if self._rng is None:
            import random

            self._rng = random.Random(self.seed)
        self.draws += 1
        return self._rng.choice(sorted(candidates))


def narrow(
    tied: Sequence[int], history: Sequence[Sequence[int]], *, lowest: bool, forward: bool
) -> tuple[list[int], int | None]:
    """Narrow a tie using earlier snapshots.

    Returns ``(remaining, snapshot_index)``: the candidates still tied after looking at the history, and the
    index of the last snapshot that narrowed the tie (None if none did).
    """
    remaining = sorted(tied)
    used = None
    indices = range(len(history)) if forward else range(len(history) - 1, -1, -1)
    for i in indices:
        if len(remaining) == 1:
            break
        snap = history[i]
        values = [snap[c] for c in remaining]
        target = min(values) if lowest else max(values)
        if any(v != target for v in values):
            remaining = [c for c in remaining if snap[c] == target]
            used = i
    return remaining, used


def break_tie(
    tied: Sequence[int],
    history: Sequence[Sequence[int]],
    labels: Sequence[str],
    lot: Lot,
    *,
    lowest: bool,
    forward: bool,
    names: Sequence[str],
    purpose: str,
) -> tuple[int, str | None]:
    """Choose one of ``tied``; returns the candidate and a sentence saying how (None if there was no tie).

    ``labels[i]`` names snapshot ``i`` (e.g. "stage 3") for the explanation.
    """
    if len(tied) == 1:
        return tied[0], None
    who = ", ".join(names[c] for c in sorted(tied))
    remaining, used = narrow(tied, history, lowest=lowest, forward=forward)
    if len(remaining) == 1 and used is not None:
        return remaining[0], (
            f"{purpose}: {who} were tied; broken by the votes at {labels[used]} -> {names[remaining[0]]}"
        )
    chosen = lot.choose(remaining)
    return chosen, (
        f"{purpose}: {who} were tied"
        + (f" (narrowed at {labels[used]})" if used is not None else "")
        + f"; broken by lot (seed {lot.seed}) -> {names[chosen]}"
    )
