"""The command line: ``count FILE.blt [--rules ...] [--seats N] [--seed S] [--json]``."""

from __future__ import annotations

import json

import pytest

from leveller.stv.cli import build_parser, main, quick_args

from .helpers import EDINBURGH

LEITH = str(EDINBURGH / "ward_13_-_leith_-_preference_profile_report.blt")


def test_the_text_output_is_a_stage_table_with_the_winners(capsys):
    assert main(["count", LEITH, "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "Ward 13 - Leith" in out
    assert "Quota: 1904.00000" in out
    assert "Stage 1" in out and "Stage 4" in out
    assert "Stage 2: surplus of Adam MCVEY (transfer value 0.30839)" in out
    assert "Non-transferable (exhausted)" in out
    assert out.rstrip().endswith("Elected (in order): Adam MCVEY, Chas BOOTH, Gordon John MUNRO")


def test_the_json_output_has_rules_seats_quota_elected_stages_and_seed(capsys):
    assert main(["count", LEITH, "--json", "--rules", "ers97", "--seed", "11"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"rules", "seats", "quota", "elected", "stages", "seed"} <= set(data)
    assert data["rules"] == "ers97"
    assert data["seats"] == 3
    assert data["quota"] == "1903.25"  # 7613 / 4 exactly
    assert data["seed"] == 11
    assert data["elected"] == ["Adam MCVEY", "Chas BOOTH", "Gordon John MUNRO"]
    assert data["stages"][0]["action"] == "first count"


def test_seats_can_be_overridden(capsys):
    assert main(["count", LEITH, "--json", "--seats", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seats"] == 1 and len(data["elected"]) == 1


def test_minimums_can_be_given_on_the_command_line(capsys):
    assert main(["count", LEITH, "--json", "--minimum", "group:1:Paul PENMAN"]) == 0
    assert "Paul PENMAN" in json.loads(capsys.readouterr().out)["elected"]


def test_a_bad_file_exits_2_with_the_file_and_line_on_stderr_and_no_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.blt"
    bad.write_text('3 1\n1 1 2 0\n1 4 0\n0\n"A"\n"B"\n"C"\n"T"\n')
    assert main(["count", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"{bad}: line 3: preference 4 is not a candidate (there are 3)"
    assert "Traceback" not in err


def test_a_missing_file_or_bad_arguments_exit_2(tmp_path, capsys):
    assert main(["count", str(tmp_path / "nope.blt")]) == 2
    assert "cannot read the file" in capsys.readouterr().err
    assert main(["count"]) == 2
    assert main(["count", LEITH, "--rules", "borda"]) == 2
    assert main(["count", LEITH, "--seats", "9"]) == 2
    assert "seats" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["count", "w.blt"],
        ["count", "w.blt", "--json", "--rules", "meek", "--seed", "3", "--seats", "2"],
        ["count", "--seed", "7", "w.blt", "--json", "--json"],
        ["count", "w.blt", "--rules", "meek", "--rules", "ers97"],
        ["count", "w.blt", "--minimum", "group:1:Paul PENMAN", "--minimum", "other:2:3,4"],
        ["count", "w.blt", "--seed", " 1_000 "],
    ],
)
def test_the_usual_command_lines_are_read_without_argparse_as_argparse_reads_them(argv):
    assert vars(quick_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["count"],
        ["count", "a.blt", "b.blt"],
        ["count", "w.blt", "--seed", "-1"],
        ["count", "w.blt", "--rules=meek"],
        ["count", "w.blt", "--js"],
        ["count", "w.blt", "--seed", "one"],
        ["count", "w.blt", "--rules", "borda"],
        ["count", "w.blt", "--seed"],
        ["count", "-"],
        ["count", "--help"],
        ["--help"],
        [],
    ],
)
def test_anything_else_is_left_to_argparse(argv):
    assert quick_args(argv) is None
