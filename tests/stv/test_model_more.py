"""The election a returning officer hands the STV engine: every impossible election or malformed ballot is refused
with a sentence naming what is wrong (and the ballot's number); ballots given by name, number or weight all mean
the same; a candidate is found by name or number; ballots added after a count are counted next time."""

from __future__ import annotations

import pytest

from leveller.stv import Election, ElectionError, MinimumRepresentation, count


@pytest.mark.parametrize(
    ("candidates", "seats", "withdrawn", "parties", "message"),
    [
        ([], 1, (), None, "an election needs at least one candidate"),
        (["Ann", "Ann"], 1, (), None, "two candidates have the same name"),
        (["Ann", "Bob"], 0, (), None, "seats must be a whole number of at least 1, not 0"),
        (["Ann", "Bob"], True, (), None, "seats must be a whole number of at least 1, not True"),
        (["Ann", "Bob"], 1.5, (), None, "seats must be a whole number of at least 1, not 1.5"),
        (["Ann", "Bob"], 1, (5,), None, "withdrawn candidate 5 is not a candidate"),
        (["Ann", "Bob"], 2, (1,), None, "2 seats but only 1 candidates standing"),
        (["Ann", "Bob"], 1, (), ["Red"], "parties must give one entry per candidate"),
    ],
)
def test_an_impossible_election_is_refused_with_the_reason(candidates, seats, withdrawn, parties, message):
    with pytest.raises(ElectionError, match=message):
        Election(candidates, seats, [], frozenset(withdrawn), parties=parties)


@pytest.mark.parametrize(
    ("ballots", "message"),
    [
        ([(1, (0,)), 7], "each ballot must be a \\(weight, ranking\\) pair"),
        ([(1, (0,)), (0, (1,))], "ballot 2: weight must be a whole number of at least 1"),
        ([(1.0, (0,))], "ballot 1: weight must be a whole number of at least 1"),
        ([(1, (0,)), (1, [1, 0])], "ballot 2: ranking must be a tuple of candidate numbers"),
        ([(2, (0,)), (1, [1, 0])], "ballot 2: ranking must be a tuple of candidate numbers"),
        ([(1, (0,)), (1, "10")], "ballot 2: ranking must be a tuple of candidate numbers"),
        ([(1, (0, 1, 0))], "ballot 1: a candidate is ranked twice"),
        ([(1, (0,)), (1, (2,))], "ballot 2: ranking holds something that is not a candidate number"),
        ([(1, (0, "1"))], "ballot 1: ranking holds something that is not a candidate number"),
    ],
)
def test_a_malformed_ballot_is_refused_by_its_number(ballots, message):
    with pytest.raises(ElectionError, match=message):
        Election(["Ann", "Bob"], 1, ballots)


def test_ballots_by_name_number_or_weight_describe_the_same_election():
    by_names = Election.build(["Ann", "Bob", "Cat"], 1, ["Ann Bob", "Ann Bob", (1, ["Cat"]), (2, "Bob Cat")])
    by_numbers = Election.build(["Ann", "Bob", "Cat"], 1, [(2, [0, 1]), [2], (2, (1, 2))])
    assert by_names.same_as(by_numbers)
    assert count(by_names, "scottish", seed=1).elected == count(by_numbers, "scottish", seed=1).elected
    withdrawn = Election.build(["Ann", "Bob", "Cat"], 1, ["Ann Bob"], withdrawn=["Cat"])
    assert withdrawn.withdrawn == frozenset({2})
    with pytest.raises(ElectionError, match="'Dan' is not a candidate"):
        Election.build(["Ann", "Bob"], 1, ["Ann Dan"])


def test_a_candidate_is_found_by_name_or_number_and_a_stranger_is_named():
    election = Election(["Ann", "Bob"], 1, [(1, (0,))])
    assert election.index("Bob") == 1 and election.index(0) == 0
    with pytest.raises(ElectionError, match="2 is not a candidate number"):
        election.index(2)
    with pytest.raises(ElectionError, match="'Dan' is not a candidate"):
        election.index("Dan")
    with pytest.raises(ElectionError, match="True is not a candidate"):
        election.index(True)  # a bool is not candidate number 1


def test_ballots_added_after_a_count_are_checked_and_counted_next_time():
    election = Election(["Ann", "Bob"], 1, [(1, (0,)), (1, (1,)), (1, (1,))])
    assert count(election, "scottish", seed=1).elected == ["Bob"]
    election.ballots.extend([(3, (0,))])
    rankings, weights, empty = election.grouped()
    assert dict(zip(rankings, weights, strict=True)) == {(0,): 4, (1,): 2} and empty == 0
    assert count(election, "scottish", seed=1).elected == ["Ann"]
    election.ballots.append((1, (0, 0)))
    with pytest.raises(ElectionError, match="ballot 5: a candidate is ranked twice"):
        election.grouped()


def test_a_pre_checked_election_with_its_ballot_list_counts_like_a_fresh_one():
    ballots = [(2, (0,)), (1, (1,))]
    checked = Election.from_checked(["Ann", "Bob"], 1, ballots, {(0,): 2, (1,): 1})
    assert checked.ballots is ballots
    assert checked.same_as(Election(["Ann", "Bob"], 1, ballots))
    assert count(checked, "scottish", seed=1).elected == ["Ann"]


def test_asking_an_election_for_something_it_does_not_have_is_an_attribute_error():
    election = Election(["Ann", "Bob"], 1, [])
    with pytest.raises(AttributeError, match="'Election' object has no attribute 'turnout'"):
        election.turnout  # noqa: B018


@pytest.mark.parametrize("minimum", [-1, True, 1.5])
def test_a_minimum_must_be_a_whole_number_of_at_least_zero(minimum):
    with pytest.raises(ElectionError, match="minimum for 'women' must be a whole number of at least 0"):
        MinimumRepresentation("women", minimum, ("Ann",))
