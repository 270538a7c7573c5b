"""The `leveller` command itself (leveller/__main__.py), run in this process with the argv a shell would give.

An operator types `leveller <command> ...`: Django's management commands answer under the name `leveller`, a
configuration mistake is one line naming the variable (exit 2, no traceback), and `leveller stv` counts a
ballot file without Django at all.
"""

from __future__ import annotations

import django
import pytest

from leveller.__main__ import main
from leveller.env import ConfigError

BALLOTS = """3 1
4 1 2 0
3 2 3 0
2 3 1 0
0
"Ada"
"Bea"
"Cy"
"Committee"
"""


@pytest.fixture
def django_already_set_up(monkeypatch):
    """The test process set Django up once; a second django.setup() would only reconfigure its logging."""
    calls = []
    monkeypatch.setattr(django, "setup", lambda: calls.append("setup"))
    return calls


def _exit_code(argv):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return exited.value.code


def test_a_returning_officer_counts_a_ballot_file_with_leveller_stv_and_django_is_never_set_up(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(django, "setup", lambda: pytest.fail("leveller stv must not set Django up"))
    ballots = tmp_path / "committee.blt"
    ballots.write_text(BALLOTS)
    assert _exit_code(["/usr/local/bin/leveller", "stv", "count", str(ballots), "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "Ada" in out
    assert "Committee" in out


def test_a_returning_officer_who_names_a_missing_ballot_file_gets_exit_2_and_a_message(tmp_path, capsys):
    assert _exit_code(["leveller", "stv", "count", str(tmp_path / "missing.blt")]) == 2
    assert "missing.blt" in capsys.readouterr().err


def test_an_operator_asking_leveller_stv_for_help_gets_its_usage_and_exit_0(capsys):
    assert _exit_code(["leveller", "stv", "--help"]) == 0
    assert "usage: leveller stv" in capsys.readouterr().out


def test_an_operator_with_a_bad_setting_gets_one_line_naming_the_variable_and_exit_2(monkeypatch, capsys):
    def broken_setup():
        raise ConfigError("DATABASE_URL: not a database URL: 'postgress://db'")

    monkeypatch.setattr(django, "setup", broken_setup)
    assert _exit_code(["leveller", "serve"]) == 2
    err = capsys.readouterr().err
    assert err == "leveller: configuration error: DATABASE_URL: not a database URL: 'postgress://db'\n"
    assert "Traceback" not in err


def test_an_operator_asking_for_help_on_a_command_sees_it_under_the_name_leveller(django_already_set_up, capsys):
    main(["/opt/leveller/bin/leveller", "help", "backup"])
    out = capsys.readouterr().out
    assert "usage: leveller backup" in out
    assert "--keep" in out
    assert django_already_set_up  # Django was set up before the command ran


def test_every_leveller_command_is_listed_by_leveller_help(django_already_set_up, capsys):
    main(["leveller", "help"])
    out = capsys.readouterr().out
    for command in ("serve", "worker", "backup", "demo"):
        assert command in out


def test_an_operator_who_mistypes_a_command_is_told_it_is_unknown(django_already_set_up, capsys):
    assert _exit_code(["leveller", "serv"]) == 1
    err = capsys.readouterr().err
    assert "Unknown command: 'serv'" in err
    assert "leveller help" in err


def test_without_arguments_main_reads_the_shell_command_line(django_already_set_up, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["/usr/bin/leveller", "version"])
    main()
    assert capsys.readouterr().out.strip() == django.get_version()
