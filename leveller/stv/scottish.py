"""Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1, rules 45-52.

How each rule is carried out here (values are fixed-point integers in units of 0.00001):

* Rule 45 (first stage): papers are sorted by first preference and each candidate is credited one vote per
  paper; the total of valid papers is recorded. Papers whose every preference is for a withdrawn candidate
  express no valid preference and are not counted as valid.
* Rule 46 (quota): total valid papers divided by (seats + 1), decimals ignored, plus one.
* Rule 47 (return of councillors): a candidate whose votes equal or exceed the quota is deemed elected.
  Several reaching it at one stage are taken in descending order of votes (this sets the order of election).
* Rule 48 (transfer of a surplus): when a candidate's votes exceed the quota, EVERY paper the candidate holds
  is re-sorted by next available preference (inclusive Gregory). Each transferred paper gets the transfer
  value A / B, A = surplus x value of the paper when received by the candidate (1 for first preferences),
  B = the candidate's total votes, "calculated to five decimal places (any remainder being ignored)", i.e.
  truncated.
  The votes credited are (papers x transfer value), which is exact at five places. The elected candidate is
  left with the quota; the rest of the surplus is non-transferable: the share of the papers with no next
  preference ("exhausted") plus the remainders dropped by truncation ("loss by fraction").
* Rule 49 (several surpluses): the largest surplus is transferred first; equal surpluses: the candidate with
  the most votes at the end of the most recent preceding stage at which they had unequal votes goes first;
  equal at all stages: by lot. Every surplus is transferred before any exclusion (no deferral).
* Rule 50 (exclusion): with no surplus to transfer, the candidate with the fewest votes is excluded and all
  their papers go, at the stage of exclusion, to the next available preferences at the value at which the
  excluded candidate received them (1 for first preferences). The stage's ``parcels`` list these papers by
  transfer value.
* Rule 51 (exclusion ties): the candidate with the fewest votes at the most recent preceding stage at which
  the tied candidates had unequal votes is excluded; equal at all stages: by lot. With three or more tied the
  tie is narrowed progressively (see :mod:`leveller.stv.ties`).
* Rule 52 (last vacancies): when the continuing candidates are no more than the vacancies left they are all
  deemed elected and no further transfer is made.

Stages: the first stage, then one stage per surplus transferred and one per exclusion. Lots are drawn with
``random.Random(seed)``; the seed is recorded in the result. Minimum-representation rules, when given, are
applied as described in :mod:`leveller.stv.constraints`; candidates excluded by them have their papers
transferred at the next stage, before any surplus.
"""

from __future__ import annotations

from .base import LOWEST, MIN_REP_CLOSING, REACHED_QUOTA, Stage
from .papers import PaperCount
from .report import Result


class ScottishCount(PaperCount):
    rules = "scottish"
    source = "Scottish Local Government Elections Order 2007, Schedule 1, rules 45-52"
    places = 5
    history_forward = False

    def run(self) -> Result:
        self.quota = (self.valid // (self.seats + 1) + 1) * self.scale
        self.setup_papers()
        self.pending: list[int] = []  # elected, surplus not yet transferred
        self.waiting: list[int] = []  # excluded by a minimum rule, papers not yet transferred
        stage = self.open_stage("first", "first count")
        done = self.end_stage(stage)
        while not done:
            closing = self.closing_exclusions()
            if self.waiting or closing:
                done = self.exclusion(closing, from_rule=True)
                continue
            surplus = {c: self.votes[c] - self.quota for c in self.pending if self.votes[c] > self.quota}
            done = self.transfer_surplus(surplus) if surplus else self.exclusion([], from_rule=False)
        return self.result()

    def end_stage(self, stage: Stage) -> bool:
        """Rule 47 then rule 52 at the end of a stage; True when the count is complete."""
        reached = [c for c in self.hopeful() if self.votes[c] >= self.quota]
        for c in sorted(reached, key=lambda c: (-self.votes[c], c)):
            if self.seats_left() == 0:
                break
            if self.may_elect(c, stage):
                self.elect(c, REACHED_QUOTA, stage)
                self.pending.append(c)
            else:
                self.waiting.append(c)
        self.close_stage(stage)
        return self.elect_remaining_if_needed(stage)

    def transfer_surplus(self, surplus: dict[int, int]) -> bool:
        stage = self.open_stage("surplus", "")
        high = max(surplus.values())
        c = self.tie(
            [c for c in surplus if surplus[c] == high], lowest=False, purpose="order of surpluses", stage=stage
        )
        self.pending.remove(c)
        stage.action = f"surplus of {self.names[c]}"
        stage.subjects = [self.names[c]]
        total, extra = self.votes[c], surplus[c]
        parcels: dict[int, list] = {}
        exhausted = 0
        first_tv = None
        for value, nodes in self.take_papers(c):
            tv = extra * value // total  # rule 48(3): A / B to five places, remainder ignored
            if value == self.scale:
                first_tv = tv
            papers, received = self.route(nodes)
            self.credit(tv, papers, received, parcels)
            exhausted += papers[self.n] * tv
            parcels[tv][0] += papers[self.n]
            parcels[tv][2] += papers[self.n] * tv
        moved = sum(units for p in parcels.values() for units in p[1].values())
        self.votes[c] = self.quota
        self.exhausted += exhausted
        lost = extra - moved - exhausted
        self.loss += lost
        self.record_parcels(stage, parcels)
        if first_tv is not None or len(parcels) == 1:
            stage.transfer_value = self.dec(first_tv if first_tv is not None else next(iter(parcels)))
        stage.notes.append(
            f"surplus {self.dec(extra)} of {self.dec(total)} votes; transferred {self.dec(moved)}, "
            f"exhausted {self.dec(exhausted)}, loss by fraction {self.dec(lost)}"
        )
        return self.end_stage(stage)

    def exclusion(self, closing: list[int], from_rule: bool) -> bool:
        stage = self.open_stage("exclusion", "")
        if from_rule:
            group = list(self.waiting)
            self.waiting = []
            for c in closing:
                self.exclude(c, MIN_REP_CLOSING, stage)
                group.append(c)
        else:
            hopeful = self.hopeful()
            allowed = self.excludable(hopeful)
            c = self.lowest(allowed, stage)
            passed = [h for h in hopeful if h not in allowed and self.votes[h] < self.votes[c]]
            for p in passed:
                stage.notes.append(f"{self.names[p]} passed over: excluding them would make a minimum unreachable")
            self.exclude(c, LOWEST, stage)
            group = [c]
        stage.action = "exclusion of " + ", ".join(self.names[c] for c in group)
        stage.subjects = [self.names[c] for c in group]
        parcels: dict[int, list] = {}
        for c in group:
            for value, nodes in self.take_papers(c):
                papers, received = self.route(nodes)
                self.credit(value, papers, received, parcels)  # rule 50(4): at the value received
                self.exhausted += papers[self.n] * value
                parcels[value][0] += papers[self.n]
                parcels[value][2] += papers[self.n] * value
            self.votes[c] = 0
        self.record_parcels(stage, parcels)
        return self.end_stage(stage)
