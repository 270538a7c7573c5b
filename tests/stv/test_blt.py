"""Reading and writing BLT files, and the error messages for broken ones."""

from __future__ import annotations

import pytest

from leveller.stv import RULES, BLTError, Election, blt, count, format_blt, parse_blt, read_blt, write_blt

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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10 2\n1 1 2 0\n1 12 1 0\n0\n", "line 3: preference 12 is not a candidate (there are 10)"),
        ('3 1\n1 1 2 1 0\n0\n"A" "B" "C" "T"', "line 2: candidate 1 is ranked twice in one ballot"),
        (
            '3 1\n1 1 2\n1 2 3 0\n0\n"A" "B" "C" "T"',
            "line 3: candidate 1 is ranked twice in one ballot (is the 0 missing at the end of line 2?)",
        ),
        ('3 1\n1 1 2 0\n1 2 3\n"A" "B" "C" "T"', "line 4: the ballot that starts on line 3 has no terminating 0"),
        ('3 1\n1 1 2 0\n0\n"A"\n"B"\n', "line 5: too few names: 3 candidates but 2 quoted names"),
        ('3 1\n1 1 x 0\n0\n"A" "B" "C" "T"', "line 2: preference 'x' is not a whole number"),
        ('3 1\n1 1 2=3 0\n0\n"A" "B" "C" "T"', "line 2: equal preferences ('2=3') are not supported"),
        ("three 1\n", "line 1: number of candidates 'three' is not a whole number"),
        ('3 4\n0\n"A" "B" "C" "T"', "line 1: the number of seats must be between 1 and 3, not 4"),
        ('3 1\n-4\n0\n"A" "B" "C" "T"', "line 2: withdrawn candidate 4 is not a candidate (there are 3)"),
        ("3 1\n1 1 0\n0\n", "line 3: too few names: 3 candidates but 0 quoted names"),
        ('3 1\n1 1 0\n"A" "B" "C" "T"', 'line 3: found the name "A" before the 0 that ends the ballots'),
        ('3 1\n1 1 0\n0\n"A" "B" "A" "T"', 'line 4: candidate name "A" is used twice'),
        ('3 1\n1 1 0\n0\n"A" "B" "C" "T" 7', "line 4: expected a quoted candidate name or title, found '7'"),
        ('3 1\n1 1 0\n0\n"A" "B" "C" "T" "U" "V"', "line 4: too many names: 3 candidates and a title, but 6"),
        ('3 1\n1 1 0\n0\n"A\n"B" "C" "T"', 'line 4: a quoted name is not closed (missing ")'),
        ("3 1\n-2 1 1 0\n1 2 0", "line 3: unexpected end of file: expected a ballot or the 0 that ends the ballots"),
    ],
)
def test_a_broken_file_is_reported_with_its_line_number_and_the_problem(text, message):
    with pytest.raises(BLTError) as info:
        parse_blt(text)
    assert str(info.value).startswith(message)
    assert info.value.line == int(message.split(":")[0].split()[1])


def test_the_line_by_line_reader_and_the_general_reader_agree_on_a_real_ward():
    text = (EDINBURGH / "ward_13_-_leith_-_preference_profile_report.blt").read_text(encoding="utf-8-sig")
    header, first, rest = text.split("\n", 2)
    general = parse_blt(f"{header} {first}\n{rest}")  # header and a ballot on one line: only the general reader
    assert parse_blt(text) == general
    assert parse_blt(text).ballots == general.ballots


def test_a_bad_ballot_in_the_common_layout_is_still_named_by_its_line():
    with pytest.raises(BLTError) as error:
        parse_blt('3 1\n1 1 2 0\n1 2 2 0\n0\n"A"\n"B"\n"C"\n"T"\n')
    assert error.value.line == 3
    assert "ranked twice" in str(error.value)


def _general(monkeypatch, text):
    """What the general reader makes of ``text`` (both quicker readers switched off), or its error."""
    with monkeypatch.context() as m:
        m.setattr(blt, "_single_papers", lambda *args: None)
        m.setattr(blt, "_fast_ballots", lambda *args: None)
        return _outcome(lambda: parse_blt(text))


def _outcome(read):
    try:
        e = read()
    except BLTError as error:
        return ("error", error.line, str(error))
    counts = [count(e, rules, seed=1).to_dict() for rules in RULES]
    return ("election", e, e.ballots, e.grouped(), counts)


EXPORTED = '4 2\n1 1 2 0\n1 3 0\n1 1 2 0\n1 0\n1 4 1 3 0\n1 1 2 0\n0\n"Alice"\n"Bob"\n"Carol"\n"Dan"\n"Poll"\n'


@pytest.mark.parametrize(
    "text",
    [
        EXPORTED,
        EXPORTED.replace("1 1 2 0\n1 3", "1 1  2 0\n1 3"),  # the same ranking spelt two ways
        EXPORTED.replace("4 2\n", "4 2\n-3\n"),  # a withdrawn candidate
        EXPORTED.replace('"Alice"', '"Zoë" "Rouge"'),  # a name beyond ASCII, and a party
        EXPORTED.replace("1 3 0", "1 3 0 2 0"),  # two ballots on one line
        EXPORTED.replace("1 3 0", "1 3 3 0"),  # a candidate ranked twice
        EXPORTED.replace("1 3 0", "1 5 0"),  # not a candidate
        EXPORTED.replace("1 3 0", "2 3 0"),  # another weight
        EXPORTED.replace("1 3 0", "1 3"),  # no 0: the ballot runs on to the next line
        EXPORTED.replace("1 3 0", "1 3 0 "),  # trailing space
        EXPORTED.replace("1 3 0", "1 3\r0"),  # another line break inside a line
        EXPORTED.replace("\n", "\r\n"),
        EXPORTED.replace("\n0\n", "\n0\n0\n"),  # a second 0 line, after the papers
        EXPORTED.replace("1 3 0\n", "1 3 0\n0\n"),  # a 0 line among the papers
        EXPORTED.replace('"Bob"\n', ""),  # too few names (the line number counts every paper's line)
        EXPORTED.replace('"Poll"\n', '"Poll" 7\n'),
        "12 3\n" + "".join(f"1 {c} 12 {c % 9 + 1} 0\n" for c in range(1, 12)) + "0\n" + '"X"\n' * 12 + '"T"\n',
        "12 3\n"
        + "".join(f"1 {c} 12 {c % 7 + 1} 0\n" for c in range(1, 12))
        + "0\n"
        + "".join(f'"C{c}"\n' for c in range(12)),
    ],
)
def test_the_whole_file_reader_means_the_same_as_the_general_reader_in_every_case(monkeypatch, text):
    assert _outcome(lambda: parse_blt(text)) == _general(monkeypatch, text)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_a_file_of_exported_ballots_is_read_as_its_text_is_whatever_its_encoding(tmp_path, monkeypatch, encoding):
    path = tmp_path / "ballots.blt"
    text = EXPORTED.replace('"Alice"', '"Zoë"')
    path.write_bytes(text.encode(encoding))
    assert _outcome(lambda: read_blt(path)) == _general(monkeypatch, text)


def test_a_count_of_exported_ballots_uses_the_readers_byte_strings_and_gives_the_same_result():
    e = parse_blt(EXPORTED)
    groups, empty = e.grouped_keys()
    assert groups == {b"\x00\x01": 3, b"\x02": 1, b"\x03\x00\x02": 1} and empty == 1
    built = Election(e.candidates, e.seats, list(e.ballots), title=e.title)  # grouped from the ballot list
    assert built.grouped_keys() == (groups, empty)
    for rules in RULES:
        assert count(e, rules, seed=1).to_dict() == count(built, rules, seed=1).to_dict()
