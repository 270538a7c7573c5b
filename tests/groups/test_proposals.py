from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leveller.chat.models import Channel
from leveller.groups.actions import groups as group_actions
from leveller.groups.models import Group, GroupMembership, GroupStatus, Kind, Role


def test_any_member_may_propose_a_group_and_staff_approval_makes_them_its_organiser(member, staff, london):
    group = group_actions.propose_group(
        actor=member, name="Willesden", districts="nw10, NW2", parent=london, meeting_pattern="Thursdays"
    )
    assert group.status == GroupStatus.PROPOSED and group.channel_id is None
    assert sorted(group.districts.values_list("outcode", flat=True)) == ["NW10", "NW2"]
    group_actions.approve_group(actor=staff, group=group, note="Welcome")
    group.refresh_from_db()
    assert group.status == GroupStatus.APPROVED and group.decided_by == staff
    assert GroupMembership.objects.get(group=group, member=member).role == Role.ORGANISER
    channel = group.channel
    assert channel.section == "regions" and channel.private
    assert list(channel.memberships.values_list("member", flat=True)) == [member.pk]


def test_campaign_groups_get_a_channel_in_the_campaigns_section(make_group):
    group = make_group(
        "Eviction Resistance — Hackney", kind=Kind.CAMPAIGN, campaign="Eviction Resistance", districts="E8"
    )
    assert group.channel.section == "campaigns"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"name": " "}, "name", "Give the group a name"),
        ({"districts": ""}, "districts", "List the postcode districts"),
        ({"districts": "NW10 ZZ9 bogus"}, "districts", "ZZ9 was not found"),
        ({"kind": Kind.CAMPAIGN}, "campaign", "Name the campaign"),
        ({"kind": Kind.ABROAD, "districts": "", "country": "DE"}, "town", "Name the town"),
        ({"kind": Kind.ABROAD, "districts": "", "country": "GB", "town": "Berlin"}, "country", "not GB"),
        ({"kind": Kind.ABROAD, "districts": "", "country": "XX", "town": "Nowhere"}, "country", "country code"),
        ({"kind": "secret-society"}, "kind", "Choose one of"),
    ],
)
def test_a_bad_proposal_gets_a_clear_message_and_saves_nothing(member, fields, field, message):
    proposal = {"name": "Willesden", "districts": "NW10", **fields}
    with pytest.raises(ValidationError) as error:
        group_actions.propose_group(actor=member, **proposal)
    assert message in " ".join(error.value.message_dict[field])
    assert not Group.objects.exists()


def test_only_staff_decide_and_a_rejection_needs_a_reason(member, organiser, staff):
    group = group_actions.propose_group(actor=member, name="Willesden", districts="NW10")
    with pytest.raises(PermissionDenied):
        group_actions.approve_group(actor=organiser, group=group)
    with pytest.raises(ValidationError, match="Say why"):
        group_actions.reject_group(actor=staff, group=group, note="")
    group_actions.reject_group(actor=staff, group=group, note="Brent already covers NW10; join them!")
    group.refresh_from_db()
    assert group.status == GroupStatus.REJECTED
    assert not Channel.objects.filter(pk=group.channel_id).exists()


def test_proposals_are_visible_only_to_their_proposer_and_staff(api_client, member, outsider, staff, client):
    group = group_actions.propose_group(actor=member, name="Willesden", districts="NW10", note="We are six people")
    assert api_client(member).get(f"/api/v1/groups/{group.pk}").status_code == 200
    assert api_client(staff).get(f"/api/v1/groups/{group.pk}").status_code == 200
    assert api_client(outsider).get(f"/api/v1/groups/{group.pk}").status_code == 404
    assert client.get(f"/groups/{group.slug}/").status_code == 404
    assert api_client(outsider).get("/api/v1/groups/proposals").status_code == 403
    assert [g["name"] for g in api_client(staff).get("/api/v1/groups/proposals").json()["groups"]] == ["Willesden"]


def test_the_api_proposes_and_staff_approve(api_client, member, staff, london):
    response = api_client(member).post(
        "/api/v1/groups", {"name": "Kilburn", "districts": ["NW6"], "parent_id": london.pk, "meeting_pattern": "Weekly"}
    )
    assert response.status_code == 201, response.content
    group_id = response.json()["id"]
    assert api_client(member).post(f"/api/v1/groups/{group_id}/approve", {}).status_code == 403
    response = api_client(staff).post(f"/api/v1/groups/{group_id}/approve", {"note": "Go for it"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = api_client(member).post("/api/v1/groups", {"name": "Nowhere", "districts": ["QQ1"]})
    assert response.status_code == 400 and "QQ1 was not found" in response.json()["detail"]


def test_the_propose_form_and_the_approvals_queue(client, member, staff, london):
    client.force_login(member)
    response = client.post(
        "/groups/propose/",
        {"name": "Kilburn", "kind": "local", "districts": "NW6 bogus", "parent": london.pk, "country": "GB"},
    )
    assert response.status_code == 200 and "is not a UK postcode" in response.content.decode()
    assert 'value="Kilburn"' in response.content.decode()  # nothing typed is lost
    response = client.post(
        "/groups/propose/",
        {"name": "Kilburn", "kind": "local", "districts": "NW6", "parent": london.pk, "country": "GB"},
    )
    assert response.status_code == 302
    assert client.get("/groups/approvals/").status_code == 403
    client.force_login(staff)
    page = client.get("/groups/approvals/").content.decode()
    assert "Kilburn" in page and "Mo Member" in page
    group = Group.objects.get(name="Kilburn")
    client.post(f"/groups/{group.slug}/decide/", {"decision": "approve", "note": ""})
    group.refresh_from_db()
    assert group.status == GroupStatus.APPROVED and group.memberships.get().member == member
