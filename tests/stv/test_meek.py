"""Meek STV (Algorithm 123 / NZ Schedule 1A) at nine decimal places, checked against counts worked by hand."""

from __future__ import annotations

from decimal import Decimal

from leveller.stv import count

from .helpers import election, stage_votes, total_at


def test_the_meek_quota_is_truncated_to_nine_places_plus_one_billionth():
    # 27 papers, 3 seats: 27 / 4 = 6.75 -> 6.750000001.
    e = election("A B C D E", 3, (10, "A B"), (8, "B A"), (3, "C"), (2, "D C"), (4, "E"))
    assert count(e, "meek").quota == Decimal("6.750000001")


def test_keep_values_and_votes_are_computed_at_nine_places_rounding_up():
    # Quota 15 / 3 + 0.000000001 = 5.000000001; A has 8 and is elected.
    # New keep value for A: 1 x 5.000000001 / 8 = 0.625000000125 -> rounded up 0.625000001.
    # Each of A's 8 papers: A keeps 0.625000001 (rounded up), 0.374999999 passes on:
    # A 8 x 0.625000001 = 5.000000008; B 3 + 6 x 0.374999999 = 5.249999994 (elected);
    # C 4 + 2 x 0.374999999 = 4.749999998.
    e = election("A B C", 2, (6, "A B"), (2, "A C"), (3, "B"), (4, "C"))
    r = count(e, "meek")
    last = len(r.stages)
    assert stage_votes(r, last) == {"A": "5.000000008", "B": "5.249999994", "C": "4.749999998"}
    assert r.stages[-1].keep_values["A"] == Decimal("0.625000001")
    assert r.elected == ["A", "B"]


def test_surpluses_are_iterated_until_an_exclusion_is_safe():
    # A and B swap surpluses (A>B, B>A) so several iterations are needed; the quota falls as papers exhaust.
    e = election("A B C D E", 3, (10, "A B"), (8, "B A"), (3, "C"), (2, "D C"), (4, "E"))
    r = count(e, "meek")
    s2 = r.stages[1]
    assert s2.iterations > 2
    assert s2.quota < r.quota
    assert r.stages[2].action == "exclusion of D"
    assert r.elected == ["A", "B", "C"]
    assert all(total_at(r, n) == 27 for n in range(1, len(r.stages) + 1))
    for s in r.stages:
        for v in [*s.votes.values(), s.exhausted, s.quota]:
            assert v.as_tuple().exponent == -9


def test_a_meek_exclusion_tie_is_broken_by_the_first_stage_where_the_votes_differed():
    e = election("W X Y P Q", 1, (6, "X W"), (7, "Y X"), (2, "P X"), (1, "Q Y"), (2, "Q"), (10, "W"))
    r = count(e, "meek", seed=3)
    excluded = [s.action for s in r.stages if s.kind == "exclusion"]
    assert excluded == ["exclusion of P", "exclusion of Q", "exclusion of X"]
    assert any("broken by the votes at stage 1 -> X" in n for s in r.stages for n in s.notes)
    assert r.elected == ["W"]


def test_the_meek_quota_falls_as_papers_exhaust_which_can_change_the_winners():
    # Scottish: fixed quota 7; B (5.33332) never reaches it and C wins after D's papers move.
    # Meek: A keeps about 2/3 of each paper, B gets 6 x 1/3 = 2 -> 6, the A-only paper exhausts about 1/3,
    # so the quota falls to about (18 - 1/3) / 3 = 5.89 and B is elected.
    e = election("A B C D", 2, (6, "A B C"), (2, "A C"), (1, "A"), (4, "B"), (3, "C D"), (2, "D C"))
    assert count(e, "scottish").elected == ["A", "C"]
    meek = count(e, "meek")
    assert meek.elected == ["A", "B"]
    assert meek.stages[-1].quota < meek.quota == Decimal("6.000000001")
    assert meek.stages[-1].votes["B"] >= meek.stages[-1].quota
