"""Postcode -> constituency: the exact full-postcode table first, sector and district shares, Northern Ireland,
and clear messages for anything else. Checked against the shipped data read naively (a linear scan)."""

from __future__ import annotations

import csv
import gzip

import pytest
from django.core.exceptions import ValidationError

from leveller.lobbying import geography

DATA = geography.PACKAGE_DATA


def _ranges_by_sector() -> dict[str, list[tuple[str, str]]]:
    table: dict[str, list[tuple[str, str]]] = {}
    with gzip.open(DATA / "postcode-ranges.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table.setdefault(row["sector"], []).append((row["from_unit"], row["constituency_code"]))
    return table


def _naive(ranges, postcode: str) -> str:
    """The README's rule, literally: the last row of the sector (in file order) whose from_unit <= unit."""
    outward, inward = postcode.split()
    answer = None
    for from_unit, code in ranges[f"{outward} {inward[0]}"]:
        if from_unit <= inward[1:]:
            answer = code
    return answer


def _before(unit: str) -> str:
    """The two-letter unit just before `unit` in sort order (e.g. PE -> PD, BA -> AZ)."""
    first, second = unit
    if second > "A":
        return first + chr(ord(second) - 1)
    return chr(ord(first) - 1) + "Z"


def _straddling_samples(ranges, n: int = 24) -> list[tuple[str, str]]:
    """Postcodes on both sides of a boundary inside sectors that more than one constituency shares."""
    samples = []
    sectors = sorted(s for s, rows in ranges.items() if len({c for _, c in rows}) > 1)
    step = max(1, len(sectors) // n)
    for sector in sectors[::step][:n]:
        rows = ranges[sector]
        for (unit, code), (_prev_unit, prev_code) in zip(rows[1:], rows[:-1], strict=False):
            if code != prev_code:
                samples.append((f"{sector}{unit}", code))
                samples.append((f"{sector}{_before(unit)}", prev_code))
                break
    return samples


@pytest.fixture(scope="module")
def ranges():
    return _ranges_by_sector()


def test_well_known_postcodes_resolve_to_their_constituencies_through_the_exact_table():
    expected = {
        "SW1A 1AA": "Cities of London and Westminster",
        "SW1A 0AA": "Cities of London and Westminster",
        "CF10 1EP": "Cardiff South and Penarth",
        "NW10 3LN": "Brent East",
        "OX1 1AA": "Oxford West and Abingdon",
        "BS1 4DJ": "Bristol Central",
    }
    for postcode, name in expected.items():
        found = geography.lookup(postcode)
        assert found.match == "exact"
        assert found.best.exact and found.best.constituency.name == name, postcode


def test_at_least_twenty_sector_straddling_postcodes_match_the_data_on_both_sides_of_each_boundary(ranges):
    samples = _straddling_samples(ranges)
    assert len(samples) >= 40
    for postcode, code in samples:
        assert _naive(ranges, postcode) == code  # the sample itself agrees with the literal rule
        found = geography.lookup(postcode)
        assert found.match == "exact"
        assert found.best.constituency.code == code, postcode
        assert found.ambiguous  # the sector's other seats follow, so the writer can correct it


def test_random_postcodes_across_the_data_agree_with_a_linear_scan(ranges):
    import random

    rng = random.Random(17)
    sectors = sorted(ranges)
    for _ in range(300):
        sector = rng.choice(sectors)
        postcode = f"{sector}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        assert geography.lookup(postcode).best.constituency.code == _naive(ranges, postcode), postcode


def test_any_spacing_or_case_gives_the_same_answer():
    assert geography.lookup("sw1a1aa").postcode == "SW1A 1AA"
    assert geography.lookup("  Sw1A   1aA ").best.constituency.name == "Cities of London and Westminster"


def test_a_sector_or_district_alone_lists_candidates_by_share():
    sector = geography.lookup("SW1A 1")
    assert sector.match == "sector" and sector.ambiguous
    shares = [c.share for c in sector.candidates]
    assert shares == sorted(shares, reverse=True) and abs(sum(shares) - 1) < 0.01
    district = geography.lookup("AB10")
    assert district.match == "district" and district.best.constituency.name == "Aberdeen South"


def test_a_northern_ireland_postcode_offers_the_18_ni_seats_each_with_its_mp():
    found = geography.lookup("BT7 1NN")
    assert found.match == "northern-ireland"
    assert len(found.candidates) == 18
    assert {c.constituency.code for c in found.candidates} == {f"N050000{n:02d}" for n in range(1, 19)}
    assert all(c.constituency.mp and c.constituency.mp.name for c in found.candidates)
    assert all(c.share is None for c in found.candidates)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Enter your postcode"),
        ("hello", "is not a UK postcode"),
        ("SW1A 1A", "is not a UK postcode"),
        ("12345", "is not a UK postcode"),
        ("ZZ9 9ZZ", "could not find ZZ9 9ZZ"),
        ("QQ1 1AA", "could not find QQ1 1AA"),
    ],
)
def test_invalid_postcodes_get_a_clear_message(text, message):
    with pytest.raises(ValidationError) as caught:
        geography.lookup(text)
    assert message in caught.value.messages[0]


def test_the_api_answers_with_the_exact_match_first(client):
    response = client.get("/api/v1/constituencies/lookup", {"postcode": "sw1a 1aa"})
    assert response.status_code == 200
    body = response.json()
    assert body["postcode"] == "SW1A 1AA" and body["match"] == "exact"
    first = body["constituencies"][0]
    assert first["name"] == "Cities of London and Westminster" and first["exact"] is True
    assert set(first) >= {"code", "name", "share", "mp"}
    assert set(first["mp"]) == {"name", "party", "email"}
    assert [c["exact"] for c in body["constituencies"][1:]] == [False] * (len(body["constituencies"]) - 1)


def test_the_api_gives_400_with_the_message_for_an_invalid_postcode(client):
    response = client.get("/api/v1/constituencies/lookup", {"postcode": "not a postcode"})
    assert response.status_code == 400
    assert "is not a UK postcode" in response.json()["detail"]


def test_the_api_offers_ni_seats_for_bt_postcodes(client):
    body = client.get("/api/v1/constituencies/lookup", {"postcode": "BT1 5GS"}).json()
    assert body["match"] == "northern-ireland" and len(body["constituencies"]) == 18


def test_the_lookup_and_the_api_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/constituencies/lookup" in paths
    assert "400" in paths["/api/v1/constituencies/lookup"]["get"]["responses"]
    assert "/api/v1/lobbying/campaigns/{slug}/letters" in paths
    assert {"400", "401", "404"} <= set(paths["/api/v1/lobbying/campaigns/{slug}/letters"]["post"]["responses"])
