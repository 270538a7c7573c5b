"""Reading and writing BLT files, and the error messages for broken ones."""

from __future__ import annotations

import pytest

from leveller.stv import BLTError, Election, format_blt, parse_blt, read_blt, write_blt

from .helpers import EDINBURGH

GOOD = """\
4 2
-3
3 1 2 0
2 2 1 4 0
1 4 0
0
"Alice" "Red Party"
"Bob"
"Carol" "Blue Party"
"Dan"
"Test election"
"""


def test_a_blt_file_is_read_with_names_parties_withdrawn_candidates_and_title():
    e = parse_blt(GOOD)
    assert e.candidates == ["Alice", "Bob", "Carol", "Dan"]
    assert e.parties == ["Red Party", None, "Blue Party", None]
    assert e.seats == 2
    assert e.withdrawn == frozenset({2})
    assert e.ballots == [(3, (0, 1)), (2, (1, 0, 3)), (1, (3,))]
    assert e.title == "Test election"


def test_whitespace_and_newlines_between_numbers_are_not_significant():
    flat = '4 2 -3 3 1 2 0 2 2\n1 4 0 1 4 0 0 "Alice" "Bob" "Carol" "Dan" "Test election"'
    e = parse_blt(flat)
    assert e.ballots == parse_blt(GOOD).ballots
    assert e.parties is None


def test_writing_then_reading_gives_the_same_election(tmp_path):
    original = parse_blt(GOOD)
    path = tmp_path / "round.blt"
    write_blt(original, path)
    again = read_blt(path)
    assert again == original
    assert again.same_as(original)
    assert format_blt(again) == format_blt(original)


def test_a_real_published_file_round_trips(tmp_path):
    original = read_blt(EDINBURGH / "ward_13_-_leith_-_preference_profile_report.blt")
    write_blt(original, tmp_path / "w13.blt")
    assert read_blt(tmp_path / "w13.blt") == original


def test_names_that_cannot_be_written_are_refused():
    with pytest.raises(ValueError, match="quote"):
        format_blt(Election(['Say "hi"', "B"], 1, [(1, (0,))]))


@pytest.mark.parametrize(("text", "message"), [
    ('10 2\n1 1 2 0\n1 12 1 0\n0\n', "line 3: preference 12 is not a candidate (there are 10)"),
    ('3 1\n1 1 2 1 0\n0\n"A" "B" "C" "T"', "line 2: candidate 1 is ranked twice in one ballot"),
    ('3 1\n1 1 2\n1 2 3 0\n0\n"A" "B" "C" "T"', "line 3: candidate 1 is ranked twice in one ballot "
                                                "(is the 0 missing at the end of line 2?)"),
    ('3 1\n1 1 2 0\n1 2 3\n"A" "B" "C" "T"', "line 4: the ballot that starts on line 3 has no terminating 0"),
    ('3 1\n1 1 2 0\n0\n"A"\n"B"\n', "line 5: too few names: 3 candidates but 2 quoted names"),
    ('3 1\n1 1 x 0\n0\n"A" "B" "C" "T"', "line 2: preference 'x' is not a whole number"),
    ('3 1\n1 1 2=3 0\n0\n"A" "B" "C" "T"', "line 2: equal preferences ('2=3') are not supported"),
    ('three 1\n', "line 1: number of candidates 'three' is not a whole number"),
    ('3 4\n0\n"A" "B" "C" "T"', "line 1: the number of seats must be between 1 and 3, not 4"),
    ('3 1\n-4\n0\n"A" "B" "C" "T"', "line 2: withdrawn candidate 4 is not a candidate (there are 3)"),
    ('3 1\n1 1 0\n0\n', "line 3: too few names: 3 candidates but 0 quoted names"),
    ('3 1\n1 1 0\n"A" "B" "C" "T"', "line 3: found the name \"A\" before the 0 that ends the ballots"),
    ('3 1\n1 1 0\n0\n"A" "B" "A" "T"', "line 4: candidate name \"A\" is used twice"),
    ('3 1\n1 1 0\n0\n"A" "B" "C" "T" 7', "line 4: expected a quoted candidate name or title, found '7'"),
    ('3 1\n1 1 0\n0\n"A" "B" "C" "T" "U" "V"', "line 4: too many names: 3 candidates and a title, but 6"),
    ('3 1\n1 1 0\n0\n"A\n"B" "C" "T"', 'line 4: a quoted name is not closed (missing ")'),
    ('3 1\n-2 1 1 0\n1 2 0', "line 3: unexpected end of file: expected a ballot or the 0 that ends the ballots"),
])
def test_a_broken_file_is_reported_with_its_line_number_and_the_problem(text, message):
    with pytest.raises(BLTError) as info:
        parse_blt(text)
    assert str(info.value).startswith(message)
    assert info.value.line == int(message.split(":")[0].split()[1])
