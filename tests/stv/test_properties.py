"""Properties that must hold for every election, checked on random small elections (hypothesis)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leveller.stv import Election, ElectionError, MinimumRepresentation, count

RULES = ["scottish", "ers97", "meek"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(draw, seats: int | None = None, max_candidates: int = 5) -> Election:
    n = draw(st.integers(2, max_candidates))
    s = seats if seats is not None else draw(st.integers(1, n))
    ballots = []
    for _ in range(draw(st.integers(1, 10))):
        order = draw(st.permutations(range(n)))
        length = draw(st.integers(1, n))
        ballots.append((draw(st.integers(1, 6)), tuple(order[:length])))
    return Election([chr(65 + i) for i in range(n)], s, ballots)


def first_preferences(e: Election) -> dict[str, int]:
    out = dict.fromkeys(e.candidates, 0)
    for w, r in e.ballots:
        out[e.candidates[r[0]]] += w
    return out


def plain_irv(e: Election) -> str | None:
    """Instant runoff by hand: drop the lowest until one is left (None if a tie ever decides anything)."""
    continuing = set(range(len(e.candidates)))
    while len(continuing) > 1:
        tally = dict.fromkeys(continuing, 0)
        for w, r in e.ballots:
            top = next((c for c in r if c in continuing), None)
            if top is not None:
                tally[top] += w
        low = min(tally.values())
        lowest = [c for c, v in tally.items() if v == low]
        if len(lowest) > 1:
            return None
        continuing.remove(lowest[0])
    return e.candidates[continuing.pop()]


@pytest.mark.parametrize("rules", RULES)
@SETTINGS
@given(e=elections())
def test_a_candidate_with_a_quota_of_first_preferences_is_elected(rules, e):
    r = count(e, rules, seed=1)
    firsts = first_preferences(e)
    reaching = [c for c, v in firsts.items() if v >= r.quota]
    # ERS97's quota can be exact (V / (S+1)), so S+1 candidates can tie on it; rule 5.6.2 covers that case.
    assume(len(reaching) <= e.seats)
    assert set(reaching) <= set(r.elected)


@pytest.mark.parametrize("rules", RULES)
@SETTINGS
@given(e=elections(seats=1))
def test_adding_a_ballot_ranking_only_the_irv_winner_never_unseats_them(rules, e):
    r = count(e, rules, seed=1)
    assume(r.lots_drawn == 0)
    winner = r.elected[0]
    more = dataclasses.replace(e, ballots=[*e.ballots, (1, (e.candidates.index(winner),))])
    assert count(more, rules, seed=1).elected == [winner]


@pytest.mark.parametrize("rules", RULES)
@SETTINGS
@given(e=elections(seats=1))
def test_single_seat_stv_elects_the_plain_instant_runoff_winner(rules, e):
    expected = plain_irv(e)
    assume(expected is not None)
    assert count(e, rules, seed=1).elected == [expected]


@pytest.mark.parametrize("rules", RULES)
@SETTINGS
@given(e=elections())
def test_the_vote_total_is_conserved_at_every_stage(rules, e):
    r = count(e, rules, seed=1)
    for s in r.stages:
        assert sum(s.votes.values(), Decimal(0)) + s.exhausted + s.loss_by_fraction == r.valid_votes
        assert s.exhausted >= 0 and s.loss_by_fraction >= 0


@pytest.mark.parametrize("rules", RULES)
@SETTINGS
@given(e=elections())
def test_every_seat_is_filled_when_there_are_enough_candidates(rules, e):
    r = count(e, rules, seed=1)
    assert len(r.elected) == e.seats
    assert len(set(r.elected)) == e.seats


def _no_floats(value) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(_no_floats(k) and _no_floats(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_no_floats(v) for v in value)
    if dataclasses.is_dataclass(value):
        return all(_no_floats(getattr(value, f.name)) for f in dataclasses.fields(value))
    return True


@pytest.mark.parametrize("rules", RULES)
@SETTINGS
@given(e=elections())
def test_no_floats_appear_anywhere_in_a_result(rules, e):
    r = count(e, rules, seed=1)
    assert _no_floats(r)
    assert _no_floats(r.to_dict())


@pytest.mark.parametrize("rules", RULES)
@SETTINGS
@given(e=elections(), seed=st.integers(0, 2**32))
def test_the_same_seed_reproduces_the_same_count(rules, e, seed):
    assert count(e, rules, seed=seed).to_dict() == count(e, rules, seed=seed).to_dict()


@pytest.mark.parametrize("rules", RULES)
@SETTINGS
@given(e=elections(max_candidates=6), data=st.data())
def test_minimum_representation_rules_are_always_met(rules, e, data):
    n = len(e.candidates)
    minimums = []
    for i in range(data.draw(st.integers(1, 2))):
        members = data.draw(st.sets(st.sampled_from(e.candidates), min_size=1, max_size=n))
        k = data.draw(st.integers(1, min(len(members), e.seats)))
        minimums.append(MinimumRepresentation(f"cat{i}", k, tuple(sorted(members))))
    try:
        r = count(e, rules, seed=1, minimums=minimums)
    except ElectionError:
        assume(False)
    assert len(r.elected) == e.seats
    for m in minimums:
        assert len(set(m.members) & set(r.elected)) >= m.minimum
