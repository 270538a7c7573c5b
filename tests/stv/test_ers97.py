"""ERS97 (Electoral Reform Society 1997 rules), checked against counts worked by hand."""

from __future__ import annotations

from decimal import Decimal

from leveller.stv import count

from .helpers import election, reasons, stage_votes, total_at


def test_the_ers97_quota_is_taken_to_two_decimals_and_rounded_up_when_not_exact():
    # 5.1.6: 25 / 3 = 8.333... -> 8.33 + 0.01 = 8.34; 24 / 3 = 8 exactly -> 8.00.
    assert count(election("A B C", 2, (25, "A")), "ers97").quota == Decimal("8.34")
    assert count(election("A B C", 2, (24, "A")), "ers97").quota == Decimal("8.00")


def test_a_surplus_that_cannot_change_the_lowest_candidates_position_is_deferred():
    # Quota 24 / 3 = 8.00. A has 10 (surplus 2). E 1 + D 2 + surplus 2 = 5 <= C's 5, so the surplus is
    # deferred (5.2.2(b)) and D and E are excluded together (5.2.5). Then A's surplus goes: the 10 papers
    # A>B are all transferable, 10 x 1.00 > 2.00, TV = 2.00 / 10 = 0.20, B reaches 8.00.
    e = election("A B C D E", 2, (10, "A B"), (6, "B"), (5, "C"), (2, "D C"), (1, "E D"))
    r = count(e, "ers97")
    assert r.stages[1].action == "exclusion of E, D"
    assert "surpluses totalling 2.00 deferred (5.2.2)" in r.stages[1].notes
    assert stage_votes(r, 2) == {"A": "10.00", "B": "6.00", "C": "7.00", "D": "0.00", "E": "0.00"}
    assert r.stages[2].action == "surplus of A"
    assert r.stages[2].transfer_value == Decimal("0.20")
    assert stage_votes(r, 3)["B"] == "8.00"
    assert r.elected == ["A", "B"]
    assert all(total_at(r, n) == 24 for n in range(1, 4))


def test_a_surplus_is_not_deferred_when_it_could_change_the_lowest_candidate():
    # Quota 23 / 3 = 7.666.. -> 7.67, A's surplus 2.33. E 1 and D 2 differ by 1 < 2.33, and
    # E + D + 2.33 = 5.33 > C's 4: the surplus could change who is lowest, so it is transferred at once.
    e = election("A B C D E", 2, (10, "A B"), (6, "B"), (4, "C"), (2, "D C"), (1, "E D"))
    r = count(e, "ers97")
    assert r.quota == Decimal("7.67")
    assert r.stages[1].action == "surplus of A"


def test_a_later_surplus_examines_only_the_last_batch_received():
    # Quota 28 / 4 = 7.00. A: 12 (surplus 5); its last batch is all 12 first preferences, 9 transferable
    # (A>B>C); 9 x 1.00 > 5.00 so TV = 5 / 9 = 0.555.. -> 0.55, B = 5 + 4.95 = 9.95, loss 0.05.
    # B's surplus 2.95 comes only from that last batch (9 papers at 0.55, all transferable to C; B's own
    # first preferences B>D are NOT examined): 4.95 > 2.95 so TV = 2.95 / 9 = 0.327.. -> 0.32; C gets 2.88,
    # loss 0.07 more; D is untouched.
    e = election("A B C D E", 3, (9, "A B C"), (3, "A"), (5, "B D"), (4, "C"), (4, "D"), (3, "E"))
    r = count(e, "ers97")
    assert r.quota == Decimal("7.00")
    assert r.stages[1].transfer_value == Decimal("0.55")
    assert stage_votes(r, 2)["B"] == "9.95"
    s3 = r.stages[2]
    assert s3.action == "surplus of B"
    assert s3.transfer_value == Decimal("0.32")
    assert [(str(p.value), p.papers) for p in s3.parcels] == [("0.32", 9)]
    assert stage_votes(r, 3) == {"A": "7.00", "B": "7.00", "C": "6.88", "D": "4.00", "E": "3.00"}
    assert s3.loss_by_fraction == Decimal("0.12")
    assert all(total_at(r, n) == 28 for n in range(1, len(r.stages) + 1))


def test_an_exclusion_tie_is_broken_by_the_first_stage_where_the_votes_differed():
    # The same papers as the Scottish backward tie-break test: X and Y tie on 8 after P and Q are excluded
    # together. At the first stage X had 6 and Y 7, so ERS97 (looking forwards) excludes X and W wins,
    # where the Scottish rules (looking backwards) exclude Y and elect X.
    e = election("W X Y P Q", 1, (6, "X W"), (7, "Y X"), (2, "P X"), (1, "Q Y"), (2, "Q"), (10, "W"))
    r = count(e, "ers97", seed=5)
    assert r.stages[1].action == "exclusion of P, Q"
    assert r.stages[2].action == "exclusion of X"
    assert any("broken by the votes at stage 1 -> X" in n for n in r.stages[2].notes)
    assert r.elected == ["W"]
    assert count(e, "scottish", seed=5).elected == ["X"]


def test_the_quota_is_recalculated_when_papers_exhaust_before_anyone_is_elected():
    e = election("W X Y P Q", 1, (6, "X W"), (7, "Y X"), (2, "P X"), (1, "Q Y"), (2, "Q"), (10, "W"))
    r = count(e, "ers97")
    assert r.quota == Decimal("14.00")
    assert r.stages[1].quota == Decimal("13.00")  # (28 - 2) / 2, 5.4.8
    assert r.stages[2].quota == Decimal("12.00")


def test_candidates_tied_on_the_quota_for_too_few_places_are_not_elected_until_the_tie_resolves():
    # 300 papers, 2 places: quota exactly 100.00; A, B and C all have 100. They were never unequal, so by
    # 5.6.2 none is deemed elected at the first stage; the exclusion tie is then decided by lot.
    e = election("A B C", 2, (100, "A"), (100, "B"), (100, "C"))
    r = count(e, "ers97", seed=7)
    assert r.stages[0].elected == []
    assert any("none is deemed elected" in n for n in r.stages[0].notes)
    assert len(r.elected) == 2
    assert r.lots_drawn == 1


def test_a_candidate_can_be_elected_on_the_total_active_vote_rule():
    # Quota 30 / 3 = 10.00. A's 14 papers are all non-transferable, so A's surplus 4 exhausts. After D is
    # excluded the active vote is B 7 + C 5 = 12 and one place is left: 7 >= 12 / 2, so B is deemed elected
    # by 5.1.7(b) although below the quota.
    e = election("A B C D", 2, (14, "A"), (7, "B"), (5, "C"), (4, "D"))
    r = count(e, "ers97")
    assert r.elected == ["A", "B"]
    assert "total active vote" in reasons(r)["B"]
    assert r.stages[-1].votes["B"] == Decimal("7.00")
