from __future__ import annotations

from leveller.groups.actions import groups as group_actions
from leveller.groups.models import Kind


def test_the_directory_lists_approved_groups_by_kind_and_never_proposals(client, brent, make_group, member):
    make_group("Online members", kind=Kind.ONLINE)
    group_actions.propose_group(actor=member, name="Secret proposal", districts="NW6")
    page = client.get("/groups/").content.decode()
    assert "Local groups" in page and "Brent" in page and "Online groups" in page and "Online members" in page
    assert "Secret proposal" not in page and "Olu Organiser" not in page
    page = client.get("/groups/", {"kind": "online"}).content.decode()
    assert "Online members" in page and "Brent" not in page


def test_members_see_their_groups_on_the_directory_and_the_home_page(client, brent, member):
    group_actions.join_group(actor=member, group=brent)
    client.force_login(member)
    assert "Your groups" in client.get("/groups/").content.decode()
    home = client.get("/").content.decode()
    assert "Your groups" in home and "/groups/brent/" in home


def test_the_list_api_needs_a_member_and_shows_no_member_names(api_client, client, brent, member, outsider):
    group_actions.join_group(actor=member, group=brent)
    assert client.get("/api/v1/groups").status_code == 401
    data = api_client(outsider).get("/api/v1/groups").json()
    assert [g["name"] for g in data["groups"]] == ["Brent", "London"]
    assert "Mo Member" not in str(data)
    mine = api_client(member).get("/api/v1/groups?mine=true").json()["groups"]
    assert [g["name"] for g in mine] == ["Brent"]


def test_directory_cards_show_no_distance(client, brent):
    assert "km away" not in client.get("/groups/").content.decode()
