"""`manage.py stv count FILE.blt [...]` in process (call_command and Django's argv path), so a returning officer
who counts through Django gets the same result, and the same clear errors, as through `leveller stv`."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
WARD = ROOT / "tests/data/stv/edinburgh2017/ward_13_-_leith_-_preference_profile_report.blt"
# Three candidates, two seats, nine ballots: Ann has a surplus, Bob is elected on her transfers.
SMALL = '3 2\n4 1 2 0\n1 1 3 0\n3 2 0\n1 3 0\n0\n"Ann"\n"Bob"\n"Cat"\n"Small ward"\n'


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.blt"
    path.write_text(SMALL)
    return path


def test_the_command_counts_a_real_ward_and_prints_json(capsys):
    call_command("stv", "count", str(WARD), "--rules", "scottish", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["rules"] == "scottish" and data["seats"] == 3 and data["quota"] == "1904.00000"
    assert sorted(data["elected"]) == sorted(["Chas BOOTH", "Adam MCVEY", "Gordon John MUNRO"])


def test_the_command_prints_a_readable_count_with_a_recorded_seed(capsys, small):
    call_command("stv", "count", str(small), "--seed", "7")
    out = capsys.readouterr().out
    assert "Elected (in order)" in out and "Ann" in out and "Bob" in out


def test_a_file_with_a_bad_line_exits_2_and_names_the_line(capsys, tmp_path):
    bad = tmp_path / "bad.blt"
    bad.write_text('3 1\n1 1 4 0\n0\n"A"\n"B"\n"C"\n"T"\n')
    with pytest.raises(SystemExit) as exit:
        call_command("stv", "count", str(bad))
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "Traceback" not in err


def test_a_missing_file_or_unknown_rules_exit_2_with_a_message(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit:
        call_command("stv", "count", str(tmp_path / "nowhere.blt"))
    assert exit.value.code == 2
    assert "cannot read the file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit:
        call_command("stv", "count", str(WARD), "--rules", "borda")
    assert exit.value.code == 2
    assert "invalid choice: 'borda'" in capsys.readouterr().err


def test_with_no_arguments_it_shows_the_usage_and_exits_2(capsys):
    with pytest.raises(SystemExit) as exit:
        call_command("stv")
    assert exit.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_from_the_command_line_every_option_passes_through_to_the_count(capsys, small):
    command = load_command_class(get_commands()["stv"], "stv")
    with pytest.raises(SystemExit) as exit:
        command.run_from_argv(["manage.py", "stv", "count", str(small), "--json", "--seats", "1", "--seed", "3"])
    assert exit.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seats"] == 1 and data["elected"] == ["Ann"]
