"""The election being counted: candidates, seats, ballots, withdrawn candidates, minimum-representation rules.

Pure Python, standard library only. Candidates are numbered from 0 inside the engine (BLT counts from 1).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter


class STVError(Exception):
    """Base class of every error the STV engine raises on purpose."""


class ElectionError(STVError, ValueError):
    """The election itself is not countable (bad seats, unknown candidate, impossible minimum, ...)."""


def to_decimal(units: int, places: int) -> Decimal:
    """An exact fixed-point number: ``units`` counted in steps of 10**-places (never a binary float)."""
    return Decimal(units).scaleb(-places) if places else Decimal(units)


@dataclass
class Election:
    """A ranked-choice election.

    ``ballots`` is a list of ``(weight, ranking)`` pairs; a ranking is a tuple of candidate numbers (0-based),
    most preferred first, with no repeats. ``withdrawn`` candidates are passed over as if they were not on the
    ballot paper. ``parties`` (optional) holds each candidate's party or None.
    """

    candidates: list[str]
    seats: int
    ballots: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    withdrawn: frozenset[int] = frozenset()
    title: str = ""
    parties: list[str | None] | None = None

    def __post_init__(self) -> None:
        self.candidates = list(self.candidates)
        self.withdrawn = frozenset(self.withdrawn)
        n = len(self.candidates)
        if n == 0:
            raise ElectionError("an election needs at least one candidate")
        if len(set(self.candidates)) != n:
            raise ElectionError("two candidates have the same name")
        if isinstance(self.seats, bool) or not isinstance(self.seats, int) or self.seats < 1:
            raise ElectionError(f"seats must be a whole number of at least 1, not {self.seats!r}")
        for w in self.withdrawn:
            if not 0 <= w < n:
                raise ElectionError(f"withdrawn candidate {w} is not a candidate")
        if self.seats > n - len(self.withdrawn):
            raise ElectionError(f"{self.seats} seats but only {n - len(self.withdrawn)} candidates standing")
        if self.parties is not None and len(self.parties) != n:
            raise ElectionError("parties must give one entry per candidate")
        self._check_ballots()

    def _check_ballots(self) -> None:
        """Validate the ballots and group identical ones (kept for every later count: treat an Election as
        immutable once built). Only distinct rankings are examined, so this is fast for large elections."""
        ballots = self.ballots
        try:
            weights = list(map(itemgetter(0), ballots))
            rankings = list(map(itemgetter(1), ballots))
        except (TypeError, IndexError, KeyError):
            raise ElectionError("each ballot must be a (weight, ranking) pair") from None
        if weights and (set(map(type, weights)) != {int} or min(weights) < 1):
            bad = next(i for i, w in enumerate(weights) if type(w) is not int or w < 1)
            raise ElectionError(f"ballot {bad + 1}: weight must be a whole number of at least 1")
        try:
            if sum(weights) == len(weights):
                totals: dict = Counter(rankings)
            else:
                totals = {}
                for w, r in zip(weights, rankings, strict=True):
                    totals[r] = totals.get(r, 0) + w
        except TypeError:
            bad = next(i for i, r in enumerate(rankings) if type(r) is not tuple)
            raise ElectionError(f"ballot {bad + 1}: ranking must be a tuple of candidate numbers") from None
        n = len(self.candidates)
        for ranking in totals:
            problem = None
            if type(ranking) is not tuple:
                problem = "ranking must be a tuple of candidate numbers"
            elif len(set(ranking)) != len(ranking):
                problem = "a candidate is ranked twice"
            elif ranking and not all(type(c) is int and 0 <= c < n for c in ranking):
                problem = "ranking holds something that is not a candidate number"
            if problem:
                bad = next(i for i, r in enumerate(rankings) if r == ranking and type(r) is type(ranking))
                raise ElectionError(f"ballot {bad + 1}: {problem}")
        self._groups: tuple = (id(ballots), len(ballots), totals, None)  # see _cached_groups

    @classmethod
    def from_checked(
        cls,
        candidates: Sequence[str],
        seats: int,
        ballots: list[tuple[int, tuple[int, ...]]] | Callable[[], list[tuple[int, tuple[int, ...]]]],
        totals: dict[tuple[int, ...], int] | Callable[[], dict[tuple[int, ...], int]],
        withdrawn: frozenset[int] = frozenset(),
        title: str = "",
        parties: list[str | None] | None = None,
        packed: dict[bytes, int] | None = None,
    ) -> Election:
        """An election whose ballots a reader has already validated and grouped (``totals``: papers per
        distinct ranking, as ``_check_ballots`` would compute them). Everything else is checked as usual.
        ``ballots`` may be a function that makes the list: it is called the first time ``ballots`` is read
        (a count needs only the groups, so counting a large file never builds the list of every paper).
        ``totals`` may be a function too, when the reader also gives ``packed``: the same groups with each
        ranking as a byte string (a byte per candidate, at most 256 candidates), which is what a count uses."""
        election = cls(list(candidates), seats, [], withdrawn, title, parties)
        if callable(ballots):
            del election.ballots
            election._make_ballots = ballots  # type: ignore[attr-defined]  # read by __getattr__
            election._groups = (None, None, totals, packed)  # no list to identify yet
        else:
            election.ballots = ballots
            election._groups = (id(ballots), len(ballots), totals, packed)
        return election

    def __getattr__(self, name: str):
        """``ballots`` of an election made by from_checked with a function: made now, once."""
        make = self.__dict__.get("_make_ballots") if name == "ballots" else None
        if make is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        ballots = make()
        del self._make_ballots
        self.ballots = ballots
        self._groups = (id(ballots), len(ballots), *self._groups[2:])
        return ballots

    @classmethod
    def build(
        cls,
        candidates: Sequence[str],
        seats: int,
        ballots: Iterable[tuple[int, Sequence[str | int]] | Sequence[str | int] | str],
        *,
        withdrawn: Iterable[str | int] = (),
        title: str = "",
        parties: Sequence[str | None] | None = None,
    ) -> Election:
        """Build an election from candidate names; a ballot is ``(weight, [names])``, ``(weight, "A B C")``,
        ``[names]`` or ``"A B C"`` (space-separated names, weight 1). Names may also be 0-based numbers."""
        names = list(candidates)
        index = {name: i for i, name in enumerate(names)}

        def ident(x: str | int) -> int:
            if isinstance(x, int) and not isinstance(x, bool):
                return x
            if x not in index:
                raise ElectionError(f"{x!r} is not a candidate")
            return index[x]

        rows: list[tuple[int, tuple[int, ...]]] = []
        for b in ballots:
            weight: int
            prefs: Sequence[str | int]
            if isinstance(b, str):
                weight, prefs = 1, b.split()
            elif isinstance(b, tuple) and len(b) == 2 and isinstance(b[0], int):
                second: str | Sequence[str | int] = b[1]  # type: ignore[assignment]  # checked: a (weight, ranking)
                weight, prefs = b[0], (second.split() if isinstance(second, str) else second)
            else:
                weight, prefs = 1, b  # a plain sequence of names or numbers
            rows.append((weight, tuple(ident(p) for p in prefs)))
        return cls(
            names,
            seats,
            rows,
            frozenset(ident(w) for w in withdrawn),
            title,
            list(parties) if parties is not None else None,
        )

    def index(self, name_or_number: str | int) -> int:
        """The 0-based number of a candidate given by name or number."""
        if isinstance(name_or_number, int) and not isinstance(name_or_number, bool):
            if 0 <= name_or_number < len(self.candidates):
                return name_or_number
            raise ElectionError(f"{name_or_number} is not a candidate number")
        try:
            return self.candidates.index(str(name_or_number))
        except ValueError:
            raise ElectionError(f"{name_or_number!r} is not a candidate") from None

    def grouped(self) -> tuple[list[tuple[int, ...]], list[int], int]:
        """Identical ballots merged, withdrawn candidates removed.

        Returns ``(rankings, weights, empty)``: distinct non-empty rankings in order of first appearance, the
        number of papers with each, and the number of papers left with no preference at all (not valid votes).
        """
        totals: dict[tuple[int, ...], int] = dict(self._totals())
        if self.withdrawn:
            merged: dict[tuple[int, ...], int] = {}
            gone = self.withdrawn
            for ranking, weight in totals.items():
                kept = tuple(c for c in ranking if c not in gone)
                merged[kept] = merged.get(kept, 0) + weight
            totals = merged
        empty = totals.pop((), 0)
        return list(totals), list(totals.values()), empty

    def _cached_groups(self) -> tuple:
        """``(id and length of the ballots list, totals, packed)`` as last worked out, checked still to be for
        the current ballots (worked out again if the list was replaced or has grown or shrunk)."""
        cached = getattr(self, "_groups", None)
        lazy = "_make_ballots" in self.__dict__  # the reader's groups stand until the ballots are made
        if cached is None or (not lazy and (cached[0] != id(self.ballots) or cached[1] != len(self.ballots))):
            self._check_ballots()
            cached = self._groups
        return cached

    def _totals(self) -> dict[tuple[int, ...], int]:
        cached = self._cached_groups()
        totals = cached[2]
        if callable(totals):  # a reader's, made from its byte strings when first needed
            totals = totals()
            self._groups = (cached[0], cached[1], totals, cached[3])
        return totals

    def grouped_keys(self) -> tuple[dict[bytes, int] | dict[tuple[int, ...], int], int]:
        """The groups of :meth:`grouped` as ``({ranking: papers}, empty)``, each ranking a byte string (a byte
        per candidate) when there are at most 256 candidates: what the counts' prefix tree sorts. Straight from
        the reader's byte strings when it gave them and no candidate is withdrawn. Do not change the dict."""
        packed = self._cached_groups()[3]
        if packed is not None and not self.withdrawn:
            if b"" not in packed:
                return packed, 0
            return {k: n for k, n in packed.items() if k}, packed[b""]
        rankings, weights, empty = self.grouped()
        if len(self.candidates) > 256:
            return dict(zip(rankings, weights, strict=True)), empty
        return dict(zip(map(bytes, rankings), weights, strict=True)), empty

    def same_as(self, other: Election) -> bool:
        """True when both describe the same election (ballot order and grouping ignored)."""

        def canon(e: Election) -> dict[tuple[int, ...], int]:
            out: dict[tuple[int, ...], int] = {}
            for w, r in e.ballots:
                out[r] = out.get(r, 0) + w
            return out

        return (
            self.candidates == other.candidates
            and self.seats == other.seats
            and self.withdrawn == other.withdrawn
            and self.title == other.title
            and (self.parties or [None] * len(self.candidates)) == (other.parties or [None] * len(other.candidates))
            and canon(self) == canon(other)
        )


@dataclass(frozen=True)
class MinimumRepresentation:
    """At least ``minimum`` of the seats must go to candidates in ``category`` (members by name or number)."""

    category: str
    minimum: int
    members: tuple[str | int, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", tuple(self.members))
        if isinstance(self.minimum, bool) or not isinstance(self.minimum, int) or self.minimum < 0:
            raise ElectionError(f"minimum for {self.category!r} must be a whole number of at least 0")
