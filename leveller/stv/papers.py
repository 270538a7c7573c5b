"""Ballot papers for the counts that move papers between candidates (Scottish STV and ERS97).

Papers are held as nodes of a :class:`~leveller.stv.tree.Tree`: every paper in a node's subtree has the same
ranking up to and including its current candidate, so they are always held together at one value and move
together (each to its own next available preference, found by walking down the subtree). A candidate's
papers are a list of parcels ``(value, [nodes])`` in order of receipt. This is exactly the paper-by-paper
count the rules describe, done once per distinct journey instead of once per paper.
"""

from __future__ import annotations

from .base import HOPEFUL, CountBase, Stage
from .tree import Node, Tree


class PaperCount(CountBase):
    def setup_papers(self) -> None:
        self.tree = Tree(self.groups, self.n)
        self.piles: list[list[tuple[int, list[Node]]]] = [[] for _ in range(self.n)]
        for node in self.tree.top:
            self.piles[node.cand].append((self.scale, [node]))
            self.votes[node.cand] += self.scale * node.total

    def route(self, nodes: list[Node]) -> tuple[list[int], list[list[Node]]]:
        """Find each paper's next available preference for a continuing candidate.

        Returns ``(papers, received)``: papers per candidate (the last entry, index ``n``, counts papers with
        no such preference) and the nodes each candidate would receive.
        """
        n, status, children = self.n, self.status, self.tree.children
        papers = [0] * (n + 1)
        received: list[list[Node]] = [[] for _ in range(n)]
        stack: list[Node] = []
        for node in nodes:
            stack.extend(children(node))
            papers[n] += node.term
        while stack:
            node = stack.pop()
            c = node.cand
            if status[c] == HOPEFUL:
                received[c].append(node)
                papers[c] += node.total
            else:
                stack.extend(children(node))
                papers[n] += node.term
        return papers, received

    def credit(self, value: int, papers: list[int], received: list[list[Node]], parcels: dict) -> None:
        """Give each candidate the papers routed to them, at ``value`` each, as a new parcel."""
        votes, piles = self.votes, self.piles
        entry = parcels.setdefault(value, [0, {}, 0])
        to = entry[1]
        for d in range(self.n):
            if papers[d]:
                units = value * papers[d]
                votes[d] += units
                piles[d].append((value, received[d]))
                to[d] = to.get(d, 0) + units
                entry[0] += papers[d]

    def take_papers(self, c: int) -> list[tuple[int, list[Node]]]:
        pile, self.piles[c] = self.piles[c], []
        return pile

    def record_parcels(self, stage: Stage, parcels: dict) -> None:
        for v in sorted(parcels, reverse=True):
            papers, to, nt = parcels[v]
            if papers:
                stage.parcels.append(self.parcel(v, papers, to, nt))
