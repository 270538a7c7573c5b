"""Minimum-representation rules: "at least K of the S seats go to candidates in category X".

Several categories may apply at once and a candidate may belong to several. The method, applied by every
rule set in this package:

1. **Election check.** A candidate who reaches the quota (or would otherwise be deemed elected) is elected
   only if, after electing them, the minimums can still all be met from the continuing candidates with the
   seats then left. Otherwise the candidate is not elected but *excluded*, and their papers are transferred
   as in any other exclusion ("excluded by minimum-representation rule").
2. **Closing seats.** When the seats left equal the places the categories still need, every continuing
   candidate who is in no category still short of its minimum is excluded (all of them, in one stage).
3. **Protection.** When the lowest candidate is to be excluded but their exclusion would make a minimum
   unreachable, they are passed over and the lowest candidate whose exclusion keeps every minimum reachable
   is excluded instead. (Rules 1 and 2 alone cannot stop the last member of a category being excluded as
   the lowest candidate, so this third rule is needed to guarantee the minimums.)

"The places the categories still need" is the smallest number of further seats that would satisfy every
category at once, found exactly (a small set-multicover search over groups of interchangeable candidates).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache

from .model import Election, ElectionError, MinimumRepresentation


class Constraints:
    """Minimum-representation rules resolved against one election."""

    def __init__(self, election: Election, rules: Sequence[MinimumRepresentation]) -> None:
        self.names = list(election.candidates)
        self.categories: list[tuple[str, frozenset[int], int]] = []
        for rule in rules:
            members = frozenset(election.index(m) for m in rule.members)
            if rule.minimum > election.seats:
                raise ElectionError(
                    f"category {rule.category!r} needs {rule.minimum} seats but there are {election.seats}"
                )
            self.categories.append((rule.category, members, rule.minimum))
        standing = [c for c in range(len(self.names)) if c not in election.withdrawn]
        if self.categories:
            needed = self.places_needed([], standing)
            if needed is None:
                raise ElectionError("the minimum-representation rules cannot be met by the candidates standing")
            if needed > election.seats:
                raise ElectionError("the minimum-representation rules need more seats than there are")

    def __bool__(self) -> bool:
        return bool(self.categories)

    def describe(self) -> list[dict[str, object]]:
        return [
            {"category": name, "minimum": k, "members": [self.names[c] for c in sorted(members)]}
            for name, members, k in self.categories
        ]

    def _needs(self, elected: Collection[int]) -> tuple[int, ...]:
        return tuple(max(0, k - sum(1 for c in elected if c in members)) for _, members, k in self.categories)

    def places_needed(self, elected: Collection[int], hopeful: Collection[int]) -> int | None:
        """The fewest further seats that satisfy every minimum from ``hopeful`` (None: impossible)."""
        needs = self._needs(elected)
        if not any(needs):
            return 0
        groups: dict[tuple[int, ...], int] = {}
        for c in hopeful:
            sig = tuple(i for i, (_, members, _) in enumerate(self.categories) if needs[i] and c in members)
            if sig:
                groups[sig] = groups.get(sig, 0) + 1
        return _multicover(needs, tuple(sorted(groups.items())))

    def feasible(self, elected: Collection[int], hopeful: Collection[int], seats_left: int) -> bool:
        if not self.categories:
            return True
        need = self.places_needed(elected, hopeful)
        return need is not None and need <= seats_left

    def can_elect(self, c: int, elected: Collection[int], hopeful: Collection[int], seats_left: int) -> bool:
        return self.feasible([*elected, c], [h for h in hopeful if h != c], seats_left - 1)

    def can_exclude(
        self, group: Collection[int], elected: Collection[int], hopeful: Collection[int], seats_left: int
    ) -> bool:
        return self.feasible(elected, [h for h in hopeful if h not in group], seats_left)

    def closing_exclusions(self, elected: Collection[int], hopeful: Collection[int], seats_left: int) -> list[int]:
        """Rule 2: when the seats left equal the places still needed, the continuing candidates in no
        category still short of its minimum."""
        if not self.categories or seats_left <= 0:
            return []
        need = self.places_needed(elected, hopeful)
        if need is None or need != seats_left:
            return []
        needs = self._needs(elected)
        useful: set[int] = set()
        for i, (_, members, _) in enumerate(self.categories):
            if needs[i]:
                useful |= members
        return sorted(c for c in hopeful if c not in useful)


@lru_cache(maxsize=4096)
def _multicover(needs: tuple[int, ...], groups: tuple[tuple[tuple[int, ...], int], ...]) -> int | None:
    """Smallest number of candidates, taking at most ``count`` from each group (a group covers the categories
    in its signature), so that category ``i`` gets at least ``needs[i]``. None if impossible."""
    if not any(needs):
        return 0
    if not groups:
        return None
    (sig, count), rest = groups[0], groups[1:]
    best = _multicover(needs, rest)
    useful = max(needs[i] for i in sig)
    for take in range(1, min(count, useful) + 1):
        reduced = list(needs)
        for i in sig:
            reduced[i] = max(0, reduced[i] - take)
        sub = _multicover(tuple(reduced), rest)
        if sub is not None and (best is None or sub + take < best):
            best = sub + take
    return best
