"""All 17 wards of the City of Edinburgh Council election of 2017, counted under the Scottish rules, give the
official winners, quota, valid vote and number of stages (tests/data/stv/edinburgh2017/README.md)."""

from __future__ import annotations

import re

import pytest

from leveller.stv import count, read_blt

from .helpers import EDINBURGH


def _wards() -> list[tuple[str, str, int, int, int, int, set[str]]]:
    rows = []
    for line in (EDINBURGH / "README.md").read_text().splitlines():
        m = re.match(r"\| (\d+) \| `([^`]+)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (.+) \|$", line)
        if m:
            ward, path, seats, v, q, st, winners = m.groups()
            rows.append((ward, path, int(seats), int(v), int(q), int(st), {w.strip() for w in winners.split(";")}))
    return rows


WARDS = _wards()


def _plain(name: str) -> str:
    return " ".join(name.split())  # the README table collapses the double spaces some names have in the files


def test_the_readme_lists_all_seventeen_wards():
    assert len(WARDS) == 17
    assert {w[1] for w in WARDS} == {p.name for p in EDINBURGH.glob("*.blt")}


@pytest.mark.parametrize(("ward", "path", "seats", "valid", "quota", "stages", "winners"), WARDS,
                         ids=[f"ward{w[0]}" for w in WARDS])
def test_each_edinburgh_ward_reproduces_the_official_winners_under_the_scottish_rules(
        ward, path, seats, valid, quota, stages, winners):
    result = count(read_blt(EDINBURGH / path), "scottish", seed=1)
    assert result.seats == seats
    assert {_plain(n) for n in result.elected} == winners
    assert result.valid_votes == valid
    assert result.quota == quota
    assert all(s.quota == quota for s in result.stages)
    assert len(result.stages) == stages
    assert result.lots_drawn == 0
