"""Meek STV: Hill, Wichmann & Woodall, "Algorithm 123 - Single Transferable Vote by Meek's method", The
Computer Journal 30(3), 1987, as prescribed for New Zealand local elections by the Local Electoral Regulations
2001, Schedule 1A ("New Zealand method of counting single transferable votes").

All values are fixed point with 9 decimal places (integers in units of 0.000000001), as in Schedule 1A.

* Keep values: every hopeful candidate keeps all of a vote (keep value 1), an excluded or withdrawn
  candidate keeps none (0), an elected candidate keeps a fraction k.
* Distribution (Schedule 1A clause 10; Algorithm 123): each paper starts with weight 1 and goes down its
  preferences; each candidate met takes weight x k, rounded UP to 9 places, and the rest (weight minus what
  was taken) passes on. A paper that runs out of preferences is non-transferable with what is left. This is
  the rounding of Algorithm 123 and of the New Zealand STV Calculator; it keeps each paper worth exactly one
  vote in total. (Read literally, clause 10 also rounds the "(1 - k)" products up, which can make a paper
  worth more than one vote; we do not do that. See docs/stv.md.)
* Quota (clauses 5 and 11): q = (v - vnt) / (n + 1) truncated to 9 places, plus 0.000000001, where v is the
  number of valid papers, vnt the non-transferable votes and n the number of seats; recomputed after every
  distribution.
* Election: a hopeful candidate whose votes equal or exceed the quota is elected (several at once in
  descending order of votes).
* Surplus and convergence: the total surplus is the sum over elected candidates of (votes - quota). When a
  distribution elects no one, the lowest hopeful candidate is excluded if (clause 13) the total surplus is
  below 0.0001, or the lowest candidate's votes plus the total surplus are below the next lowest candidate's
  votes; also, as Algorithm 123 requires with fixed-precision arithmetic, when the total surplus has stopped
  decreasing. Otherwise each elected candidate's keep value becomes k x q / votes, each multiplication and
  division rounded up to 9 places (clause 17; Algorithm 123), and the distribution is repeated.
* Ties for exclusion (clause 19): the tied candidate who had fewer votes than the others at the earliest
  stage at which they differed (the "ahead at first difference" method); if still tied, by lot. We draw lots
  with ``random.Random(seed)`` and record the seed, instead of Schedule 1A Part 5's pseudo-random generator.
* Counting ends when the seats are filled, or when the elected and hopeful candidates together are no more
  than the seats (the hopeful are then elected).

A stage here is one run of iterations that ends with a decision: the first count; then each stage starts
either by excluding a candidate or by carrying on with the surpluses, and ends when a candidate is elected or
an exclusion is due. Stages report the number of iterations and the keep values.

Papers are held in a prefix tree of rankings so a distribution visits each distinct prefix once and stops at
the first hopeful candidate (who keeps the whole remaining weight), which is exactly equivalent to
distributing every paper on its own.
"""

from __future__ import annotations

from .base import ELECTED, HOPEFUL, LOWEST, MIN_REP_CLOSING, REACHED_QUOTA, CountBase, Stage
from .report import Result
from .tree import Node, Tree

LIMIT = 10**5  # 0.0001 at 9 decimal places (clause 13)
MAX_ITERATIONS = 100_000


class MeekCount(CountBase):
    rules = "meek"
    source = "Hill-Wichmann-Woodall Algorithm 123; NZ Local Electoral Regulations 2001, Schedule 1A"
    places = 9
    history_forward = True

    def run(self) -> Result:
        one = self.scale
        self.keep = [one if s == HOPEFUL else 0 for s in self.status]
        self.tree = Tree(self.groups, self.n)
        stage = self.open_stage("first", "first count")
        decision = self.iterate(stage)
        while not self.finished(stage):
            closing = self.closing_exclusions()
            if closing:
                action = "exclusion of " + ", ".join(self.names[c] for c in closing)
                stage = self.open_stage("exclusion", action, closing)
                for c in closing:
                    self.exclude(c, MIN_REP_CLOSING, stage)
                    self.keep[c] = 0
            elif decision:
                stage = self.open_stage("exclusion", "")
                hopeful = self.hopeful()
                c = self.lowest(self.excludable(hopeful), stage)
                self.exclude(c, f"{LOWEST} ({decision})", stage)
                self.keep[c] = 0
                stage.action = f"exclusion of {self.names[c]}"
                stage.subjects = [self.names[c]]
            else:
                with_surplus = [c for c in self.elected if self.votes[c] > self.quota]
                action = (
                    "surpluses of " + ", ".join(self.names[c] for c in with_surplus)
                    if with_surplus
                    else "redistribution"
                )
                stage = self.open_stage("surplus", action, with_surplus)
            decision = self.iterate(stage)
        return self.result()

    def finished(self, stage: Stage) -> bool:
        return self.elect_remaining_if_needed(stage)

    def distribute(self) -> None:
        one, keep, children = self.scale, self.keep, self.tree.children
        votes = [0] * self.n

        def walk(nodes: list[Node], weight: int) -> None:
            for node in nodes:
                c = node.cand
                k = keep[c]
                if k == one:
                    votes[c] += weight * node.total
                elif k == 0:
                    walk(children(node), weight)
                else:
                    taken = -(-weight * k // one)  # rounded up to 9 places
                    votes[c] += taken * node.total
                    if weight > taken:
                        walk(children(node), weight - taken)

        walk(self.tree.top, one)
        self.votes = votes
        self.exhausted = self.valid * one - sum(votes)
        self.quota = (self.valid * one - self.exhausted) // (self.seats + 1) + 1

    def iterate(self, stage: Stage) -> str:
        """Iterate until a candidate is elected or an exclusion is due; returns why an exclusion is due
        ("" if none is)."""
        one = self.scale
        last = None
        iterations = 0
        decision = ""
        while True:
            self.distribute()
            iterations += 1
            changed = False
            reached = [c for c in self.hopeful() if self.votes[c] >= self.quota]
            for c in sorted(reached, key=lambda c: (-self.votes[c], c)):
                if self.seats_left() == 0:
                    break
                if self.may_elect(c, stage):
                    self.elect(c, REACHED_QUOTA, stage)
                else:
                    self.keep[c] = 0
                changed = True
            surplus = sum(max(0, self.votes[c] - self.quota) for c in self.elected)
            hopeful = sorted(self.votes[c] for c in self.hopeful())
            if surplus < LIMIT:
                decision = f"total surplus {self.dec(surplus)} is below 0.0001"
            elif len(hopeful) > 1 and hopeful[0] + surplus < hopeful[1]:
                decision = "its votes plus the total surplus are fewer than the next candidate's votes"
            elif last is not None and surplus >= last:
                decision = f"the total surplus stopped decreasing at {self.dec(surplus)}"
            elif iterations >= MAX_ITERATIONS:
                decision = f"no convergence after {iterations} iterations"
            if changed or decision or self.seats_left() == 0:
                break
            last = surplus
            for c in self.elected:
                if self.status[c] == ELECTED and self.votes[c]:
                    kq = -(-self.keep[c] * self.quota // one)
                    self.keep[c] = min(one, -(-kq * one // self.votes[c]))
        self.close_stage(stage)
        stage.iterations = iterations
        stage.keep_values = {self.names[c]: self.dec(self.keep[c]) for c in self.elected}
        return "" if changed and not decision else decision
