from __future__ import annotations

import pytest

from leveller.groups.actions import groups as group_actions
from leveller.groups.models import Kind


@pytest.fixture
def groups(make_group, london, brent, organiser, member):
    manchester_region = make_group("North West", kind=Kind.REGIONAL)
    make_group("Harrow", districts="HA1 HA2 HA3", parent=london)
    make_group("Hackney", districts="E5 E8 E9 N16", parent=london)
    make_group("Manchester", districts="M13 M14", parent=manchester_region)
    make_group("Eviction Resistance — Brent", districts="NW10", kind=Kind.CAMPAIGN, campaign="Eviction Resistance")
    make_group("Online members", kind=Kind.ONLINE)
    make_group("Berlin", kind=Kind.ABROAD, country="DE", town="Berlin")
    group_actions.join_group(actor=member, group=brent)
    # A proposal is never offered by the finder.
    group_actions.propose_group(actor=member, name="Willesden breakaway", districts="NW10")


def find(client, **params):
    return client.get("/api/v1/groups/find", params)


def test_the_finder_gives_the_local_group_its_region_and_the_nearest_others(client, groups):
    response = find(client, postcode="nw10 3ln")
    assert response.status_code == 200
    data = response.json()
    assert data["district"] == "NW10"
    assert [g["name"] for g in data["local"]] == ["Brent", "Eviction Resistance — Brent"]
    assert [g["name"] for g in data["regional"]] == ["London"]
    nearby = [(g["name"], g["distance_km"]) for g in data["nearby"]]
    assert nearby[0][0] == "Harrow" and nearby[1][0] == "Hackney"
    assert nearby[-1][0] == "Manchester" and 240 < nearby[-1][1] < 270
    assert all(g["name"] != "Willesden breakaway" for key in ("local", "nearby") for g in data[key])
    assert [g["name"] for g in data["online"]] == ["Online members"]


def test_a_district_no_group_covers_still_gets_its_nearest_groups(client, groups):
    data = find(client, postcode="HA8").json()
    assert data["local"] == [] and data["regional"] == []
    assert data["nearby"][0]["name"] in {"Harrow", "Brent"}


def test_an_invalid_postcode_gets_400_with_a_message(client, groups):
    response = find(client, postcode="not a postcode")
    assert response.status_code == 400
    assert "is not a UK postcode" in response.json()["detail"]
    response = find(client, postcode="ZZ9 9ZZ")
    assert response.status_code == 400
    assert "not found" in response.json()["detail"]
    assert find(client).status_code == 400


def test_anonymous_visitors_get_groups_but_no_member_data(client, groups):
    response = find(client, postcode="NW10")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Olu Organiser" not in body and "Mo Member" not in body and "@example.org" not in body
    brent = response.json()["local"][0]
    assert "organisers" not in brent and "members" not in brent
    assert brent["member_count"] == 2


def test_members_abroad_are_offered_their_countrys_groups_and_online_groups(client, api_client, groups, outsider):
    data = find(client, country="de").json()
    assert data["district"] is None and data["country"] == "DE"
    assert [g["name"] for g in data["local"]] == ["Berlin"]
    assert [g["name"] for g in data["online"]] == ["Online members"]
    # A country code in the postcode box works too, and a logged-in member abroad needs to type nothing.
    assert find(client, postcode="DE").json()["country"] == "DE"
    outsider.country, outsider.postcode = "DE", ""
    outsider.save()
    data = api_client(outsider).get("/api/v1/groups/find").json()
    assert data["country"] == "DE"
    assert [g["name"] for g in data["local"]] == ["Berlin"]


def test_a_country_with_no_group_still_offers_online_groups(client, groups):
    data = find(client, country="FR").json()
    assert data["local"] == [] and [g["name"] for g in data["online"]] == ["Online members"]


def test_archiving_a_group_removes_it_from_the_finder(client, groups, staff, brent, run_on_commit):
    with run_on_commit():
        group_actions.archive_group(actor=staff, group=brent)
    data = find(client, postcode="NW10").json()
    assert "Brent" not in [g["name"] for g in data["local"] + data["nearby"]]


def test_the_finder_page_shows_results_and_errors(client, groups):
    page = client.get("/groups/find/", {"postcode": "NW10 3LN"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Groups for NW10" in text and "Brent" in text and "Harrow" in text and "km away" in text
    assert "Olu Organiser" not in text
    page = client.get("/groups/find/", {"postcode": "nonsense"})
    assert page.status_code == 400
    assert "is not a UK postcode" in page.content.decode()
