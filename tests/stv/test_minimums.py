"""Minimum-representation rules, worked by hand (see leveller/stv/constraints.py for the method)."""

from __future__ import annotations

import pytest

from leveller.stv import ElectionError, MinimumRepresentation, count

from .helpers import election, reasons

# A, B, C are neither women nor young; D is a woman, F is young, E is a young woman. 3 seats, quota 9.
# Unconstrained, A, B and C win. With "at least 1 woman" and "at least 1 young person":
#   stage 1: A (12) is elected - the minimums can still be met (E would meet both).
#   stage 2: A's surplus takes B to 11; B is elected. One seat is left and one place is still needed,
#            so C, who is in neither category, is excluded at stage 3 (closing rule).
#   Then F is excluded (lowest); D is the next lowest but E is protected, so D goes and E is elected.
PAPERS = [(12, "A B C"), (8, "B A C"), (7, "C A B"), (3, "D E"), (2, "E F"), (2, "F D")]
MINIMUMS = [MinimumRepresentation("women", 1, ("D", "E")), MinimumRepresentation("young", 1, ("E", "F"))]


@pytest.mark.parametrize("rules", ["scottish", "ers97", "meek"])
def test_without_minimums_the_three_most_popular_candidates_win(rules):
    assert sorted(count(election("A B C D E F", 3, *PAPERS), rules).elected) == ["A", "B", "C"]


@pytest.mark.parametrize("rules", ["scottish", "ers97", "meek"])
def test_two_minimums_are_met_by_the_one_candidate_in_both_categories(rules):
    r = count(election("A B C D E F", 3, *PAPERS), rules, minimums=MINIMUMS)
    assert sorted(r.elected) == ["A", "B", "E"]
    assert "minimum-representation rule" in reasons(r)["C"]
    assert r.minimums[0] == {"category": "women", "minimum": 1, "members": ["D", "E"]}


def test_the_scottish_count_with_minimums_goes_stage_by_stage_as_worked_by_hand():
    r = count(election("A B C D E F", 3, *PAPERS), "scottish", minimums=MINIMUMS)
    assert [s.action for s in r.stages] == [
        "first count", "surplus of A", "exclusion of C", "surplus of B", "exclusion of F", "exclusion of D",
    ]
    assert reasons(r)["C"].endswith("the seats left are all needed by categories this candidate is not in")
    assert "E passed over: excluding them would make a minimum unreachable" in r.stages[5].notes
    assert reasons(r)["E"] == "elected: last candidates filling the remaining seats"


@pytest.mark.parametrize("rules", ["scottish", "ers97", "meek"])
def test_a_candidate_whose_election_would_make_a_minimum_unreachable_is_excluded_instead(rules):
    # Quota 7: A (10) and B (9) both reach it, but electing B would leave no seat for D, the only woman.
    e = election("A B D", 2, (10, "A B"), (9, "B"), (1, "D"))
    r = count(e, rules, minimums=[MinimumRepresentation("women", 1, ("D",))])
    assert r.elected == ["A", "D"]
    assert reasons(r)["B"].startswith("excluded: excluded by minimum-representation rule: electing")


def test_impossible_minimums_are_refused_before_counting():
    e = election("A B C", 2, (3, "A"), (2, "B"), (1, "C"))
    with pytest.raises(ElectionError, match="cannot be met"):
        count(e, minimums=[MinimumRepresentation("x", 2, ("A",))])
    with pytest.raises(ElectionError, match="more seats"):
        count(e, minimums=[MinimumRepresentation("x", 2, ("A", "B")), MinimumRepresentation("y", 1, ("C",))])
