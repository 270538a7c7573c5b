"""ERS97: the Electoral Reform Society's "How to conduct an election by the Single Transferable Vote", 3rd
edition (1997), section 5 (detailed instructions for the count) and the glossary, section 6.

Values are fixed-point integers in units of 0.01, as the rules work to two decimal places.

* 5.1.6 quota: total valid vote / (places + 1) taken to two decimals; if not exact, the remainder is ignored
  and 0.01 added. 5.4.8: while no one has been deemed elected, the quota is recalculated the same way after
  each batch of an exclusion, leaving out the non-transferable vote.
* 5.1.7, 5.3.13, 5.4.9 deeming elected: in descending order of votes, a continuing candidate is deemed elected
  whose vote equals or exceeds (a) the quota or (b) the total active vote (continuing candidates' votes plus
  surpluses awaiting transfer, 6.20) divided by one more than the places not yet filled; compared exactly
  (vote x (places + 1) >= active vote). A candidate needs a vote above zero. 5.6.2: tied candidates who
  cannot all be elected are taken in order of their votes at the first stage or the earliest later point
  (after the transfer of a batch of papers) at which they differed; any still equal at every point are not
  deemed elected at that stage.
* 5.2.2 deferred surpluses: the surpluses are deferred when their total does not exceed (a) the difference
  between the two lowest candidates or (b) the difference between the total of two or more lowest candidates
  who could be excluded under 5.2.5 and the candidate next above. (Both are "some group of the k lowest,
  k >= 1, with total + surpluses <= the vote of the candidate next above".)
* 5.2.3 the largest surplus goes first; equal surpluses: the candidate with the greater vote at the first
  stage or the earliest point where they differed (forward tie-break), then lot.
* 5.3 surplus transfer: only the last batch received (all papers at the first stage, 5.3.1-5.3.2) is
  examined. If the value of its transferable papers exceeds the surplus, each transferable paper's transfer
  value is surplus / number of transferable papers, truncated to two decimals, and the neglected remainder
  is the "non-transferable difference" (reported as loss by fraction, 6.11); otherwise papers go at their
  present value and the rest of the surplus is non-transferable (reported as exhausted). The candidate keeps
  the quota.
* 5.2.5 exclusion: as many of the lowest candidates as possible are excluded together, provided enough remain
  to fill the places and their total plus any deferred surpluses does not exceed the vote of the candidate
  next above. Ties for the lowest: fewest votes at the first stage or earliest differing point, then lot.
* 5.4 exclusion transfer: the excluded candidates' papers are arranged in batches by transfer value, highest
  first; each batch is a sub-stage (reported as a parcel) after which candidates are deemed elected (5.4.9)
  and no more papers go to them (5.4.10). A stage's history snapshot is taken after every batch.
* 5.5.1 if a proposed exclusion would leave as many continuing candidates as places, they are all deemed
  elected (the exclusion is recorded, no papers move). 5.5.2 once the places are filled no more papers move
  and the remaining candidates are excluded.

Minimum-representation rules are applied as in :mod:`leveller.stv.constraints`; a group exclusion or a
deferral is only used when the whole group may be excluded, otherwise the lowest excludable candidate is
excluded alone.
"""

from __future__ import annotations

from .base import LOWEST, MIN_REP_CLOSING, REACHED_QUOTA, Stage
from .papers import PaperCount
from .report import Result

ACTIVE_VOTE = "reached the total active vote divided by one more than the places left (ERS97 5.1.7(b))"
LAST_PLACES = "the remaining continuing candidates fill the remaining places (ERS97 5.5.1)"


class ERS97Count(PaperCount):
    rules = "ers97"
    source = "Electoral Reform Society, How to conduct an election by STV, 3rd edition, 1997 (ERS97)"
    places = 2
    history_forward = True

    def run(self) -> Result:
        self.quota = self._quota()
        self.setup_papers()
        self.pending: list[int] = []
        self.waiting: list[int] = []
        stage = self.open_stage("first", "first count")
        self.snapshot("stage 1")
        self.deem(stage)
        self.close_stage(stage, snapshot=False)
        while self.seats_left() > 0 and not self.elect_remaining_if_needed(self.stages[-1]):
            closing = self.closing_exclusions()
            if self.waiting or closing:
                self.exclusion(closing, rule=True)
                continue
            surplus = {c: self.votes[c] - self.quota for c in self.pending if self.votes[c] > self.quota}
            deferred = 0
            if surplus:
                total = sum(surplus.values())
                if not self.group_size(total):
                    self.transfer_surplus(surplus)
                    continue
                deferred = total
            self.exclusion([], rule=False, deferred=deferred)
        return self.result()

    def _quota(self) -> int:
        return -(-(self.valid * self.scale - self.exhausted) // (self.seats + 1))

    def active_vote(self) -> int:
        awaiting = sum(max(0, self.votes[c] - self.quota) for c in self.pending)
        return sum(self.votes[c] for c in self.hopeful()) + awaiting

    def deem(self, stage: Stage) -> None:
        """5.1.7 / 5.3.13 / 5.4.9 with the 5.6.2 tie rule."""
        while self.seats_left() > 0:
            left, active, quota = self.seats_left(), self.active_vote(), self.quota
            qualified = [
                c
                for c in self.hopeful()
                if self.votes[c] > 0 and (self.votes[c] >= quota or self.votes[c] * (left + 1) >= active)
            ]
            if not qualified:
                return
            top = max(self.votes[c] for c in qualified)
            tied = sorted(c for c in qualified if self.votes[c] == top)
            if len(tied) > left:
                key = {c: tuple(-snap[c] for snap in self.history) for c in tied}
                tied.sort(key=lambda c: key[c])
                boundary = key[tied[left - 1]]
                winners = [c for c in tied[:left] if key[c] != boundary or key[tied[left]] != boundary]
                stage.notes.append(
                    f"5.6.2: {', '.join(self.names[c] for c in sorted(tied))} tied for {left} place(s); "
                    + (
                        ("taken in order of earlier votes -> " + ", ".join(self.names[c] for c in winners))
                        if winners
                        else "equal at every point, so none is deemed elected at this stage"
                    )
                )
                if not winners:
                    return
                tied = winners
            for c in tied:
                reason = REACHED_QUOTA if self.votes[c] >= quota else ACTIVE_VOTE
                if self.may_elect(c, stage):
                    self.elect(c, reason, stage)
                    self.pending.append(c)
                else:
                    self.waiting.append(c)

    def group_size(self, deferred: int) -> int:
        """5.2.5 / 5.2.2: how many of the lowest candidates may be excluded together (0: none)."""
        hopeful = self.hopeful()
        votes = sorted(self.votes[c] for c in hopeful)
        best, total = 0, 0
        for k in range(1, len(hopeful) - self.seats_left() + 1):
            total += votes[k - 1]
            if total + deferred <= votes[k]:
                best = k
        if best and deferred and self.cons:
            edge = votes[best - 1]
            lowest = [c for c in hopeful if self.votes[c] <= edge]
            if not self.cons.can_exclude(lowest, self.elected, hopeful, self.seats_left()):
                return 0  # minimum rules: no deferral unless the whole group may go
        return best

    def pick_group(self, size: int, stage: Stage) -> list[int]:
        """The ``size`` lowest candidates, ties at the edge broken forwards then by lot."""
        hopeful = self.hopeful()
        edge = sorted(self.votes[c] for c in hopeful)[size - 1]
        if self.cons:
            allowed = self.excludable(hopeful)
            low = [c for c in hopeful if self.votes[c] <= edge]
            if size == 1 or any(c not in allowed for c in low):
                return [self.lowest(allowed, stage)]
        group = [c for c in hopeful if self.votes[c] < edge]
        tied = [c for c in hopeful if self.votes[c] == edge]
        while len(group) < size:
            if len(group) + len(tied) == size:
                group.extend(tied)
                break
            pick = self.tie(tied, lowest=True, purpose="exclusion", stage=stage)
            group.append(pick)
            tied.remove(pick)
        if self.cons and not self.cons.can_exclude(group, self.elected, hopeful, self.seats_left()):
            group = [self.lowest(self.excludable(hopeful), stage)]
            stage.notes.append("minimum-representation rule: only the lowest excludable candidate goes")
        return sorted(group, key=lambda c: (self.votes[c], c))

    def transfer_surplus(self, surplus: dict[int, int]) -> None:
        stage = self.open_stage("surplus", "")
        high = max(surplus.values())
        c = self.tie(
            [c for c in surplus if surplus[c] == high], lowest=False, purpose="order of surpluses", stage=stage
        )
        self.pending.remove(c)
        stage.action = f"surplus of {self.names[c]}"
        stage.subjects = [self.names[c]]
        extra = surplus[c]
        pile = self.take_papers(c)
        value, nodes = pile[-1] if pile else (self.scale, [])  # 5.3.1-5.3.2: the last batch received
        papers, received = self.route(nodes)
        movable = sum(papers[: self.n])
        if movable * value > extra:  # 5.3.7
            tv = extra // movable
            lost, exhausted = extra - movable * tv, 0
        else:
            tv = value
            lost, exhausted = 0, extra - movable * value
        parcels: dict[int, list] = {}
        self.credit(tv, papers, received, parcels)
        parcels[tv][0] += papers[self.n]
        parcels[tv][2] += lost + exhausted
        self.votes[c] = self.quota
        self.exhausted += exhausted
        self.loss += lost
        self.record_parcels(stage, parcels)
        stage.transfer_value = self.dec(tv)
        stage.notes.append(
            f"surplus {self.dec(extra)}: last batch of {movable + papers[self.n]} papers at "
            f"value {self.dec(value)}, {movable} transferable, transfer value {self.dec(tv)}"
        )
        self.snapshot(f"stage {stage.number}")
        self.deem(stage)
        self.close_stage(stage, snapshot=False)

    def exclusion(self, group: list[int], rule: bool, deferred: int = 0) -> None:
        stage = self.open_stage("exclusion", "")
        if rule:
            waiting, self.waiting = self.waiting, []
            for c in group:
                self.exclude(c, MIN_REP_CLOSING, stage)
            group = waiting + group
        else:
            group = self.pick_group(self.group_size(deferred), stage)
        if deferred:
            stage.notes.append(f"surpluses totalling {self.dec(deferred)} deferred (5.2.2)")
        stage.action = "exclusion of " + ", ".join(self.names[c] for c in group)
        stage.subjects = [self.names[c] for c in group]
        last_places = not rule and len(self.hopeful()) - len(group) == self.seats_left()
        if not rule:
            for c in group:
                self.exclude(c, LOWEST, stage)
        if last_places:
            for c in sorted(self.hopeful(), key=lambda c: (-self.votes[c], c)):
                self.elect(c, LAST_PLACES, stage)
            self.close_stage(stage, snapshot=False)
            return
        by_value: dict[int, list[tuple[int, list]]] = {}
        for c in group:
            for value, nodes in self.take_papers(c):
                by_value.setdefault(value, []).append((c, nodes))
        for n, value in enumerate(sorted(by_value, reverse=True), 1):  # 5.4.1-5.4.11: batches by value
            if self.seats_left() == 0:  # 5.5.2
                break
            parcels: dict[int, list] = {}
            batch = []
            for holder, nodes in by_value[value]:
                self.votes[holder] -= value * sum(node.total for node in nodes)
                batch.extend(nodes)
            papers, received = self.route(batch)
            self.credit(value, papers, received, parcels)
            self.exhausted += papers[self.n] * value
            parcels[value][0] += papers[self.n]
            parcels[value][2] += papers[self.n] * value
            self.record_parcels(stage, parcels)
            self.snapshot(f"stage {stage.number} batch {n}")
            if not self.elected and self.exhausted:
                old, self.quota = self.quota, self._quota()
                if self.quota != old:
                    stage.notes.append(f"quota recalculated to {self.dec(self.quota)} (5.4.8)")
            self.deem(stage)
        self.close_stage(stage, snapshot=False)
