"""Electorates: every member, or members of given groups (a region includes its local groups), tags or
roles — with the freeze date on top. Outside members see the vote, cannot vote, and are told why."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from leveller.accounts.actions import members as member_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.eligibility import eligible_members
from leveller.groups.models import Group, GroupMembership
from tests.elections.helpers import stv_election, vote_ranked, voter


@pytest.fixture
def north_west(db):
    region = Group.objects.create(name="North West", slug="north-west", kind="regional", status="approved")
    Group.objects.create(name="Manchester", slug="manchester", kind="local", parent=region, status="approved")
    return region


def _join(slug, member):
    GroupMembership.objects.create(group=Group.objects.get(slug=slug), member=member)
    return member


def test_a_member_outside_a_group_electorate_gets_403_from_the_api_and_a_reason_on_the_page(
    staff, north_west, api_client, client
):
    election = stv_election(staff, open_voting=False, electorate_groups=["north-west"])
    transition_actions.open_voting(actor=staff, election=election)
    ann = election.candidates.get(name="Ann").pk
    outside = voter("Lon Don")
    response = api_client(outside).post(f"/api/v1/elections/{election.pk}/ballot", {"ranking": [ann]})
    assert response.status_code == 403
    assert "North West" in response.json()["detail"]
    got = api_client(outside).get(f"/api/v1/elections/{election.pk}").json()
    assert got["you_can_vote"] is False and "North West" in got["why_not"]
    assert got["electorate"] == {"groups": ["north-west"], "tags": [], "roles": []}

    client.force_login(outside)
    page = client.get(reverse("elections:detail", args=[election.pk])).content.decode()
    assert "you are not one of them" in page and "Vote now" not in page
    ballot = client.get(reverse("elections:ballot", args=[election.pk])).content.decode()
    assert "This vote is for members of North West" in ballot
    assert election.roll.count() == 0


def test_members_of_the_region_and_of_its_local_groups_can_vote(staff, north_west, api_client):
    election = stv_election(staff, open_voting=False, electorate_groups=["north-west"])
    transition_actions.open_voting(actor=staff, election=election)
    regional, local = _join("north-west", voter()), _join("manchester", voter())
    vote_ranked(election, regional, "Ann")
    assert api_client(local).get(f"/api/v1/elections/{election.pk}").json()["you_can_vote"] is True
    vote_ranked(election, local, "Bob")
    assert set(eligible_members(election)) == {regional, local}


def test_the_freeze_date_still_applies_inside_a_group_electorate(staff, north_west):
    election = stv_election(staff, open_voting=False, electorate_groups=["north-west"])
    transition_actions.open_voting(actor=staff, election=election)
    newcomer = _join("north-west", voter(joined=dt.date(2025, 3, 1)))
    with pytest.raises(PermissionDenied, match="freeze date"):
        vote_ranked(election, newcomer, "Ann")


def test_tag_and_role_electorates(staff, admin):
    election = stv_election(staff, open_voting=False, electorate_tags=["delegate"], electorate_roles=["organiser"])
    transition_actions.open_voting(actor=staff, election=election)
    delegate = voter()
    member_actions.set_tags(actor=staff, member=delegate, tags=["Delegate"])
    organiser = voter(roles=["member", "organiser"])
    vote_ranked(election, delegate, "Ann")
    vote_ranked(election, organiser, "Bob")
    with pytest.raises(PermissionDenied, match="tagged delegate"):
        vote_ranked(election, voter(), "Ann")


def test_staff_set_the_electorate_with_patch_and_others_cannot(staff, member, north_west, api_client):
    election = stv_election(staff, open_voting=False)
    url = f"/api/v1/elections/{election.pk}"
    assert api_client(member).patch(url, {"electorate": {"groups": ["north-west"]}}).status_code == 403
    response = api_client(staff).patch(url, {"electorate": {"groups": ["north-west"], "roles": ["organiser"]}})
    assert response.status_code == 200
    assert response.json()["electorate"] == {"groups": ["north-west"], "tags": [], "roles": ["organiser"]}
    bad = api_client(staff).patch(url, {"electorate": {"groups": ["atlantis"]}})
    assert bad.status_code == 400 and "atlantis" in bad.json()["detail"]
    assert api_client(staff).patch(url, {"electorate": {"roles": ["emperor"]}}).status_code == 400
    cleared = api_client(staff).patch(url, {"electorate": {"groups": [], "tags": [], "roles": []}}).json()
    assert cleared["electorate"] == {"groups": [], "tags": [], "roles": []}
    assert cleared["electorate_description"] == "every member"


def test_the_electorate_is_fixed_once_voting_opens(staff, north_west, api_client):
    election = stv_election(staff)
    response = api_client(staff).patch(f"/api/v1/elections/{election.pk}", {"electorate": {"groups": ["north-west"]}})
    assert response.status_code == 400 and "electorate" in response.json()["detail"]


def test_the_demo_regional_election_is_limited_to_its_region(db):
    from leveller.accounts import demo as accounts_demo
    from leveller.elections import demo as elections_demo
    from leveller.elections.demo import REGIONAL
    from leveller.elections.models import Election
    from leveller.groups import demo as groups_demo

    for module in (accounts_demo, groups_demo, elections_demo):
        module.load(log=lambda *_: None)
    election = Election.objects.get(title=REGIONAL)
    assert election.electorate_groups == ["north-west"]
    members = set(eligible_members(election).values_list("pk", flat=True))
    in_region = set(GroupMembership.objects.filter(group__slug="north-west").values_list("member_id", flat=True)) | set(
        GroupMembership.objects.filter(group__parent__slug="north-west").values_list("member_id", flat=True)
    )
    assert members and members <= in_region


def test_staff_set_the_electorate_on_the_setup_page(staff, north_west, client):
    from django.forms.models import model_to_dict

    from leveller.elections.actions.setup import SETTINGS

    election = stv_election(staff, open_voting=False)
    client.force_login(staff)
    page = client.get(f"/votes/{election.pk}/manage/").content.decode()
    assert "Electorate: groups" in page
    data = {k: v for k, v in model_to_dict(election, fields=SETTINGS).items() if v is not None}
    data.update(
        {"electorate_groups": "north-west", "electorate_tags": "", "electorate_roles": "", "email_members": "on"}
    )
    data["freeze_date"] = election.freeze_date.isoformat()
    data["voting_closes_at"] = election.voting_closes_at.strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/votes/{election.pk}/manage/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    election.refresh_from_db()
    assert election.electorate_groups == ["north-west"] and election.email_members
    page = client.get(f"/votes/{election.pk}/manage/").content.decode()
    assert 'value="north-west"' in page


def test_staff_emptying_a_required_setting_is_told_and_nothing_changes(staff, api_client):
    election = stv_election(staff, open_voting=False)
    url = f"/api/v1/elections/{election.pk}"
    response = api_client(staff).patch(url, {"quorum": None, "title": "Renamed"})
    assert response.status_code == 400
    assert "quorum" in response.json()["detail"]
    election.refresh_from_db()
    assert election.title != "Renamed"
