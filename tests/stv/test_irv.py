"""With one seat, every rule set is instant-runoff voting."""

from __future__ import annotations

import pytest

from leveller.stv import count

from .helpers import election


@pytest.mark.parametrize("rules", ["scottish", "ers97", "meek"])
def test_single_seat_stv_is_instant_runoff(rules):
    # A leads on first preferences (8 of 19) but D's and then B's papers go to C, who wins 11 to 8.
    e = election("A B C D", 1, (8, "A"), (5, "B C"), (4, "C B"), (2, "D C"))
    r = count(e, rules)
    assert r.elected == ["C"]
    excluded = [x.candidate for s in r.stages for x in s.excluded]
    assert excluded[:2] == ["D", "B"]


def test_the_single_seat_quota_is_a_majority_of_the_valid_votes():
    e = election("A B C D", 1, (8, "A"), (5, "B C"), (4, "C B"), (2, "D C"))
    assert count(e, "scottish").quota == 10  # 19 // 2 + 1


@pytest.mark.parametrize("rules", ["scottish", "ers97", "meek"])
def test_a_majority_of_first_preferences_wins_at_the_first_stage(rules):
    e = election("A B C", 1, (6, "A"), (3, "B"), (2, "C"))
    r = count(e, rules)
    assert r.elected == ["A"]
    assert len(r.stages) == 1


@pytest.mark.parametrize("rules", ["scottish", "ers97", "meek"])
def test_withdrawn_candidates_are_skipped_under_every_rule_set(rules):
    # C withdraws: C>B papers count for B, which turns a narrow A win into a B win.
    e = election("A B C", 1, (5, "A"), (3, "B"), (3, "C B"), withdrawn=("C",))
    r = count(e, rules)
    assert r.withdrawn == ["C"]
    assert "C" not in r.stages[0].votes
    assert r.elected == ["B"]
    assert count(election("A B C", 1, (5, "A"), (3, "B"), (3, "C")), rules).elected == ["A"]
