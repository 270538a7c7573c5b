from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from leveller.groups import postcodes


@pytest.mark.parametrize(
    "text, outcode",
    [
        ("NW10 3LN", "NW10"),
        ("nw10 3ln", "NW10"),
        ("  NW103LN ", "NW10"),
        ("NW10", "NW10"),
        ("nw 10", "NW10"),
        ("HA0", "HA0"),
        ("W1A 0AX", "W1A"),
        ("SW1A 1AA", "SW1A"),
        ("EC1A1BB", "EC1A"),
        ("G12 8QQ", "G12"),
        ("BT9 5AB", "BT9"),
    ],
)
def test_full_postcodes_and_districts_in_any_case_or_spacing_give_the_district(text, outcode):
    assert postcodes.outcode_for(text) == outcode


@pytest.mark.parametrize("text", ["", "   ", "hello", "NW10 3L", "12345", "NW10 3LNX", "N@10", "A" * 30])
def test_text_that_is_not_a_postcode_gets_a_clear_message(text):
    with pytest.raises(ValidationError) as error:
        postcodes.outcode_for(text)
    assert "postcode" in error.value.messages[0].lower()


def test_a_well_formed_but_unknown_district_is_reported_as_not_found():
    with pytest.raises(ValidationError, match="ZZ9 was not found"):
        postcodes.outcode_for("ZZ9 9ZZ")


def test_the_shipped_table_has_every_district_with_a_centre_and_its_attribution():
    table = postcodes.districts()
    assert len(table) > 2900
    assert {"NW10", "HA0", "G1", "BT9", "CF10"} <= set(table)
    assert all(49 < lat < 61 and -9 < lon < 2 for lat, lon in table.values())
    attribution = (postcodes.DATA_FILE.parent / "ATTRIBUTION.md").read_text()
    assert "Open Government Licence" in attribution


def test_centroids_and_distances_are_plausible():
    assert postcodes.centroid("nw10") == postcodes.centroid("NW10")
    assert postcodes.centroid("ZZ9") is None
    london_to_manchester = postcodes.distance_km("NW10", "M14")
    assert 240 < london_to_manchester < 270
    assert postcodes.distance_km("NW10", "NW10") == 0
    assert postcodes.distance_km("NW10", "ZZ9") is None
