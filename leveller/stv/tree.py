"""A prefix tree of rankings in which each subtree of papers moves as one unit.

A node stands for every paper whose ranking starts with one particular sequence of candidates. Under the
rules counted here all of those papers are always held by the same candidate at the same value (they have
made the same journey), so transferring them means looking at the node's children, not at the papers.

The distinct rankings are sorted once (as byte strings when there are at most 256 candidates, which sorts
like the tuples but much faster); a node is then a contiguous range of that sorted list, its paper count is
a difference of prefix sums, and its children are found by binary search. A count therefore costs about the
number of tree nodes it touches, whatever the number of papers.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate


class Node:
    __slots__ = ("cand", "depth", "hi", "kids", "lo", "term", "total")

    def __init__(self, cand: int, depth: int, lo: int, hi: int, total: int) -> None:
        self.cand = cand  # the candidate at position ``depth`` of every ranking in the subtree
        self.depth = depth
        self.lo, self.hi = lo, hi  # the subtree's range in the sorted rankings
        self.total = total  # papers in the subtree
        self.kids: list[Node] | None = None
        self.term = 0  # papers whose ranking ends at this node (valid once ``kids`` is set)


class Tree:
    def __init__(self, groups: dict[bytes, int] | dict[tuple[int, ...], int], candidates: int) -> None:
        """``groups``: papers per distinct ranking, each ranking a byte string with at most 256 candidates,
        else a tuple (``Election.grouped_keys``)."""
        small = candidates <= 256
        self.keys: list = sorted(groups)
        self.cum = [0, *accumulate(map(groups.__getitem__, self.keys))]
        self.small = small
        self.top, _ = self._split(0, len(self.keys), 0, b"" if small else ())

    def _split(self, lo: int, hi: int, depth: int, prefix) -> tuple[list[Node], int]:
        """Children at position ``depth`` of the rankings in [lo, hi), all sharing ``prefix``."""
        keys, cum = self.keys, self.cum
        term = 0
        if lo < hi and len(keys[lo]) == depth:  # the ranking that ends here sorts first
            term = cum[lo + 1] - cum[lo]
            lo += 1
        kids = []
        while lo < hi:
            k = keys[lo][depth]
            if self.small:
                end = hi if k == 255 else bisect_left(keys, prefix + bytes((k + 1,)), lo, hi)
            else:
                end = bisect_left(keys, (*prefix, k + 1), lo, hi)
            kids.append(Node(k, depth, lo, end, cum[end] - cum[lo]))
            lo = end
        return kids, term

    def children(self, node: Node) -> list[Node]:
        """The node's children (worked out on first use); ``node.term`` is valid afterwards."""
        kids = node.kids
        if kids is None:
            prefix = self.keys[node.lo][: node.depth + 1]
            kids, node.term = self._split(node.lo, node.hi, node.depth + 1, prefix)
            node.kids = kids
        return kids
