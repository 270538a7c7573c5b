"""Scottish STV (SSI 2007/42 Schedule 1 rules 45-52), checked against counts worked by hand."""

from __future__ import annotations

from decimal import Decimal

from leveller.stv import count

from .helpers import election, reasons, stage_votes, total_at


def test_the_quota_is_the_valid_vote_over_seats_plus_one_ignoring_decimals_plus_one():
    # 18 papers, 2 seats: 18 / 3 = 6, plus one = 7 (rule 46).
    e = election("A B C D", 2, (6, "A B C"), (2, "A C"), (1, "A"), (4, "B"), (3, "C D"), (2, "D C"))
    assert count(e, "scottish").quota == Decimal(7)


def test_a_surplus_is_transferred_at_a_value_truncated_to_five_places():
    # A has 9, quota 7: surplus 2. Transfer value 2 x 1 / 9 = 0.222222... -> 0.22222 (not rounded).
    # 6 papers A>B give B 1.33332, 2 papers A>C give C 0.44444, the paper A alone is non-transferable
    # (0.22222) and 2 - 1.33332 - 0.44444 - 0.22222 = 0.00002 is lost by truncation.
    e = election("A B C D", 2, (6, "A B C"), (2, "A C"), (1, "A"), (4, "B"), (3, "C D"), (2, "D C"))
    r = count(e, "scottish")
    s2 = r.stages[1]
    assert s2.action == "surplus of A"
    assert s2.transfer_value == Decimal("0.22222")
    assert stage_votes(r, 2) == {"A": "7.00000", "B": "5.33332", "C": "3.44444", "D": "2.00000"}
    assert s2.exhausted == Decimal("0.22222")
    assert s2.loss_by_fraction == Decimal("0.00002")
    # Stage 3: D (2) excluded, both papers to C at value 1. Stage 4: B excluded; 4 papers B alone exhaust,
    # 6 papers A>B>C reach C at 0.22222; C is then the only continuing candidate (rule 52).
    assert r.stages[2].action == "exclusion of D"
    assert stage_votes(r, 3)["C"] == "5.44444"
    assert stage_votes(r, 4)["C"] == "6.77776"
    assert r.stages[3].exhausted == Decimal("4.22222")
    assert r.elected == ["A", "C"]
    assert reasons(r)["C"] == "elected: last candidates filling the remaining seats"
    assert all(total_at(r, n) == 18 for n in range(1, 5))


def test_every_paper_of_a_later_elected_candidate_is_resorted_at_its_own_value():
    # Stage 2: A's surplus 5 of 12 -> TV 0.41666; B gets 10 x 0.41666 = 4.1666 and reaches 8.16660.
    # Stage 3 (inclusive Gregory): B's surplus 1.16660 of 8.16660 re-sorts ALL of B's papers:
    #   4 first-preference papers B>D: TV = 1.1666 x 1 / 8.1666 = 0.142850... -> 0.14285, D gets 0.57140
    #   10 papers A>B>C received at 0.41666: TV = 1.1666 x 0.41666 / 8.1666 = 0.059519... -> 0.05951,
    #   C gets 0.59510; loss by fraction 1.1666 - 0.5714 - 0.5951 = 0.0001.
    e = election("A B C D", 3, (10, "A B C"), (2, "A"), (4, "B D"), (4, "C"), (3, "D"), (1, "C"))
    r = count(e, "scottish")
    s3 = r.stages[2]
    assert s3.action == "surplus of B"
    parcels = {str(p.value): (p.papers, {k: str(v) for k, v in p.to.items()}) for p in s3.parcels}
    assert parcels == {"0.14285": (4, {"D": "0.57140"}), "0.05951": (10, {"C": "0.59510"})}
    assert stage_votes(r, 3) == {"A": "7.00000", "B": "7.00000", "C": "5.59510", "D": "3.57140"}
    assert s3.loss_by_fraction - r.stages[1].loss_by_fraction == Decimal("0.00010")
    assert r.elected == ["A", "B", "C"]


def test_the_largest_surplus_is_transferred_first():
    e = election("A B C D", 3, (9, "A C"), (12, "B D"), (3, "C"), (2, "D"))
    r = count(e, "scottish")
    assert r.stages[1].action == "surplus of B"
    assert r.stages[2].action == "surplus of A"


def test_an_exclusion_tie_is_broken_by_the_most_recent_earlier_stage_where_the_votes_differed():
    # X and Y tie on 8 at stage 3; at stage 2 X had 8 and Y 7 (most recent difference: Y is lower) even
    # though at stage 1 Y was ahead. Rule 51(2)(a) excludes Y; Y's papers then elect X.
    e = election("W X Y P Q", 1, (6, "X W"), (7, "Y X"), (2, "P X"), (1, "Q Y"), (2, "Q"), (10, "W"))
    r = count(e, "scottish", seed=5)
    assert r.stages[3].action == "exclusion of Y"
    assert any("broken by the votes at stage 2 -> Y" in n for n in r.stages[3].notes)
    assert r.elected == ["X"]
    assert r.lots_drawn == 0


def test_a_tie_equal_at_every_stage_is_broken_by_lot_with_the_seed_recorded():
    e = election("A B C", 1, (2, "A"), (1, "B"), (1, "C"))
    first = count(e, "scottish", seed=1234)
    assert first.seed == 1234
    assert first.lots_drawn == 1
    assert any("broken by lot (seed 1234)" in n for n in first.stages[1].notes)
    again = count(e, "scottish", seed=1234)
    assert again.to_dict() == first.to_dict()


def test_different_seeds_can_decide_a_tie_by_lot_differently():
    e = election("A B", 1, (1, "A"), (1, "B"))
    winners = {count(e, "scottish", seed=s).elected[0] for s in range(20)}
    assert winners == {"A", "B"}


def test_a_count_without_a_seed_generates_one_and_records_it_so_it_can_be_reproduced():
    e = election("A B", 1, (1, "A"), (1, "B"))
    r = count(e, "scottish")
    assert isinstance(r.seed, int)
    assert count(e, "scottish", seed=r.seed).elected == r.elected


def test_a_withdrawn_candidate_is_passed_over_as_if_not_on_the_ballot():
    # B withdraws: B>C papers count for C from the start; papers naming only B are not valid votes.
    e = election("A B C", 1, (5, "A"), (4, "B C"), (2, "C"), (1, "B"), withdrawn=("B",))
    r = count(e, "scottish")
    assert r.withdrawn == ["B"]
    assert r.valid_votes == 11
    assert r.invalid_votes == 1
    assert "B" not in r.stages[0].votes
    assert stage_votes(r, 1) == {"A": "5.00000", "C": "6.00000"}
    assert r.quota == 6
    assert r.elected == ["C"]
