"""Bookkeeping shared by every rule set: candidate states, stages, history for tie-breaks, the result.

All vote arithmetic is done on Python integers counting units of 10**-places (fixed point); values are turned
into :class:`decimal.Decimal` only for the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .constraints import Constraints
from .model import Election, MinimumRepresentation, to_decimal
from .report import Event, Parcel, Result, Stage
from .ties import Lot, break_tie

HOPEFUL, ELECTED, EXCLUDED, WITHDRAWN = 0, 1, 2, 3

REACHED_QUOTA = "reached the quota"
FILLS_LAST_SEATS = "last candidates filling the remaining seats"
LOWEST = "excluded as the candidate with the fewest votes"
MIN_REP_ELECTION = "excluded by minimum-representation rule: electing this candidate would make a minimum unreachable"
MIN_REP_CLOSING = (
    "excluded by minimum-representation rule: the seats left are all needed by categories this candidate is not in"
)
ALL_FILLED = "not elected: all seats filled"


class CountBase:
    rules = ""
    source = ""
    places = 0
    history_forward = False  # which way earlier stages are searched to break ties

    def __init__(
        self, election: Election, seed: int | None = None, minimums: Sequence[MinimumRepresentation] = ()
    ) -> None:
        self.election = election
        self.names = list(election.candidates)
        self.n = len(self.names)
        self.seats = election.seats
        self.scale = 10**self.places
        self.lot = Lot(seed)
        self.cons = Constraints(election, minimums)
        self.status = [WITHDRAWN if c in election.withdrawn else HOPEFUL for c in range(self.n)]
        self.elected: list[int] = []
        self.votes = [0] * self.n
        self.exhausted = 0
        self.loss = 0
        self.quota = 0
        self.history: list[tuple[int, ...]] = []
        self.labels: list[str] = []
        self.stages: list[Stage] = []
        self._prev = [0] * self.n
        self.groups, self.empty = election.grouped_keys()  # {ranking as a byte string: papers} (tree.py)
        self.valid = sum(self.groups.values())

    def run(self) -> Result:
        """Count the election under these rules (each rule set implements it)."""
        raise NotImplementedError

    # --- candidate states -------------------------------------------------------------------------------
    def hopeful(self) -> list[int]:
        return [c for c in range(self.n) if self.status[c] == HOPEFUL]

    def seats_left(self) -> int:
        return self.seats - len(self.elected)

    def dec(self, units: int) -> Decimal:
        return to_decimal(units, self.places)

    def elect(self, c: int, reason: str, stage: Stage) -> None:
        self.status[c] = ELECTED
        self.elected.append(c)
        stage.elected.append(Event(self.names[c], reason))

    def exclude(self, c: int, reason: str, stage: Stage) -> None:
        self.status[c] = EXCLUDED
        stage.excluded.append(Event(self.names[c], reason))

    def may_elect(self, c: int, stage: Stage) -> bool:
        """Minimum-representation rule 1: elect ``c`` now, or exclude them instead (returns False)."""
        if self.cons and not self.cons.can_elect(c, self.elected, self.hopeful(), self.seats_left()):
            self.exclude(c, MIN_REP_ELECTION, stage)
            return False
        return True

    def closing_exclusions(self) -> list[int]:
        if not self.cons:
            return []
        return self.cons.closing_exclusions(self.elected, self.hopeful(), self.seats_left())

    def excludable(self, candidates: Sequence[int], group: Sequence[int] = ()) -> list[int]:
        """Minimum-representation rule 3: those of ``candidates`` whose exclusion (with ``group``) keeps
        every minimum reachable."""
        if not self.cons:
            return list(candidates)
        hopeful, left = self.hopeful(), self.seats_left()
        return [c for c in candidates if self.cons.can_exclude([*group, c], self.elected, hopeful, left)]

    # --- stages and history -----------------------------------------------------------------------------
    def snapshot(self, label: str) -> None:
        self.history.append(tuple(self.votes))
        self.labels.append(label)

    def open_stage(self, kind: str, action: str, subjects: Sequence[int] = ()) -> Stage:
        stage = Stage(len(self.stages) + 1, kind, action, [self.names[c] for c in subjects])
        self.stages.append(stage)
        return stage

    def close_stage(self, stage: Stage, snapshot: bool = True) -> None:
        standing = [c for c in range(self.n) if self.status[c] != WITHDRAWN]
        stage.votes = {self.names[c]: self.dec(self.votes[c]) for c in standing}
        stage.transfers = {self.names[c]: self.dec(self.votes[c] - self._prev[c]) for c in standing}
        stage.exhausted = self.dec(self.exhausted)
        stage.loss_by_fraction = self.dec(self.loss)
        stage.quota = self.dec(self.quota)
        self._prev = list(self.votes)
        if snapshot:
            self.snapshot(f"stage {stage.number}")

    def parcel(self, value: int, papers: int, to: dict[int, int], lost: int) -> Parcel:
        return Parcel(
            self.dec(value), papers, {self.names[c]: self.dec(v) for c, v in sorted(to.items())}, self.dec(lost)
        )

    def tie(self, tied: Sequence[int], *, lowest: bool, purpose: str, stage: Stage) -> int:
        chosen, note = break_tie(
            tied,
            self.history,
            self.labels,
            self.lot,
            lowest=lowest,
            forward=self.history_forward,
            names=self.names,
            purpose=purpose,
        )
        if note:
            stage.notes.append(note)
        return chosen

    def lowest(self, candidates: Sequence[int], stage: Stage, purpose: str = "exclusion") -> int:
        low = min(self.votes[c] for c in candidates)
        tied = [c for c in candidates if self.votes[c] == low]
        return self.tie(tied, lowest=True, purpose=purpose, stage=stage)

    def elect_remaining_if_needed(self, stage: Stage) -> bool:
        """Fill the last seats when no more candidates are standing than seats are left. True if done."""
        hopeful = self.hopeful()
        if self.seats_left() > 0 and len(hopeful) <= self.seats_left():
            for c in sorted(hopeful, key=lambda c: (-self.votes[c], c)):
                self.elect(c, FILLS_LAST_SEATS, stage)
            return True
        return self.seats_left() <= 0

    # --- result -----------------------------------------------------------------------------------------
    def result(self) -> Result:
        last = self.stages[-1]
        for c in self.hopeful():
            self.exclude(c, ALL_FILLED, last)
        return Result(
            rules=self.rules,
            title=self.election.title,
            candidates=list(self.names),
            seats=self.seats,
            valid_votes=self.valid,
            invalid_votes=self.empty,
            quota=self.stages[0].quota,
            elected=[self.names[c] for c in self.elected],
            seed=self.lot.seed,
            stages=self.stages,
            withdrawn=[self.names[c] for c in sorted(self.election.withdrawn)],
            minimums=self.cons.describe(),
            rules_source=self.source,
            lots_drawn=self.lot.draws,
        )
