"""The data refresh command: newer CSVs of the same shape replace the shipped data; bad files change nothing."""

from __future__ import annotations

import csv
import gzip
import shutil

import pytest
from django.core.management import CommandError, call_command

from leveller.lobbying import geography


@pytest.fixture
def source(tmp_path):
    """The shipped data as a maintainer would receive it: plain CSVs, one MP changed."""
    folder = tmp_path / "new"
    folder.mkdir()
    for filename in geography.FILES.values():
        if filename.endswith(".gz"):
            with gzip.open(geography.PACKAGE_DATA / filename, "rb") as handle:
                (folder / filename.removesuffix(".gz")).write_bytes(handle.read())
        else:
            shutil.copy(geography.PACKAGE_DATA / filename, folder / filename)
    rows = list(csv.DictReader((folder / "mps.csv").open(encoding="utf-8")))
    code = geography.lookup("SW1A 1AA").best.constituency.code
    for row in rows:
        if row["constituency_code"] == code:
            row["name"], row["email"] = "Ms New Member", "new.member.mp@parliament.uk"
    with (folder / "mps.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=geography.HEADERS["mps"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


@pytest.fixture
def target(settings, tmp_path):
    settings.LOBBYING_DATA_DIR = tmp_path / "installed"
    yield settings.LOBBYING_DATA_DIR
    settings.LOBBYING_DATA_DIR = tmp_path / "absent"
    geography.reload()


def test_refreshing_from_newer_csvs_installs_them_and_the_lookup_uses_them(source, target, capsys):
    call_command("lobbying_refresh_data", str(source))
    assert "1 MPs differ" in capsys.readouterr().out
    assert (target / "postcode-ranges.csv.gz").exists()
    assert geography.data_directory() == target
    assert geography.lookup("SW1A 1AA").best.constituency.mp.name == "Ms New Member"


def test_check_only_writes_nothing(source, target):
    call_command("lobbying_refresh_data", str(source), "--check")
    assert not target.exists()


def test_a_file_of_the_wrong_shape_changes_nothing(source, target):
    (source / "mps.csv").write_text("code,who\nE1,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="expected columns"):
        call_command("lobbying_refresh_data", str(source))
    assert not target.exists()


def test_a_postcode_row_naming_an_unknown_seat_changes_nothing(source, target):
    with (source / "postcode-ranges.csv").open("a", encoding="utf-8") as handle:
        handle.write("ZZ1 1,AA,E99999999\n")
    with pytest.raises(CommandError, match="E99999999"):
        call_command("lobbying_refresh_data", str(source))
    assert not target.exists()
