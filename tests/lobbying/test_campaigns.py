"""Organisers create and edit campaigns (page and API); members cannot; bad templates and targets are refused
with a message; drafts are hidden from everyone else."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leveller.lobbying.actions import campaigns
from leveller.lobbying.models import Campaign

pytestmark = pytest.mark.django_db

SPEC = {"title": "Save our library", "ask": "Ask your MP to act.", "subject": "Our library, {mp_name}",
        "template": "Dear {mp_name},\n\n{personal_paragraph}\n\n{member_name}"}  # fmt: skip


def test_an_organiser_creates_a_draft_campaign_from_the_page_and_publishes_it(client, organiser):
    client.force_login(organiser)
    assert client.get("/lobbying/campaigns/new/").status_code == 200
    response = client.post("/lobbying/campaigns/new/", {**SPEC, "targets": "own_mp", "own_mp_only": "on"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.status == "draft" and campaign.created_by == organiser
    client.post(f"/lobbying/campaigns/{campaign.slug}/status/", {"action": "published"})
    campaign.refresh_from_db()
    assert campaign.status == "published" and campaign.is_open()


def test_an_unknown_placeholder_is_refused_with_the_list_of_known_ones(organiser):
    with pytest.raises(ValidationError) as caught:
        campaigns.create_campaign(actor=organiser, **{**SPEC, "template": "Dear {mp_nmae}"})
    assert "{mp_nmae}" in caught.value.message_dict["template"][0]
    assert "{personal_paragraph}" in caught.value.message_dict["template"][0]


def test_targets_must_name_real_parties_and_constituencies(organiser):
    with pytest.raises(ValidationError) as caught:
        campaigns.create_campaign(actor=organiser, **SPEC, targets="parties", target_parties=["Whig"])
    assert "Whig" in caught.value.message_dict["target_parties"][0]
    with pytest.raises(ValidationError) as caught:
        campaigns.create_campaign(actor=organiser, **SPEC, targets="list", target_codes=["E99999999"])
    assert "E99999999" in caught.value.message_dict["target_codes"][0]
    with pytest.raises(ValidationError):
        campaigns.create_campaign(actor=organiser, **SPEC, targets="list")


def test_a_member_cannot_create_or_change_a_campaign(member, organiser):
    with pytest.raises(PermissionDenied):
        campaigns.create_campaign(actor=member, **SPEC)
    made = campaigns.create_campaign(actor=organiser, **SPEC)
    with pytest.raises(PermissionDenied):
        campaigns.update_campaign(actor=member, campaign=made, title="Mine now")


def test_another_organiser_cannot_manage_a_campaign_but_staff_can(organiser, staff):
    from tests.support.personas import make_member

    other = make_member("Otto Other", "otto@example.org", roles=["organiser"])
    made = campaigns.create_campaign(actor=organiser, **SPEC)
    with pytest.raises(PermissionDenied):
        campaigns.set_status(actor=other, campaign=made, status="published")
    assert campaigns.set_status(actor=staff, campaign=made, status="published").status == "published"


def test_the_api_creates_patches_and_lists_campaigns(api_client, organiser, member):
    client = api_client(organiser)
    created = client.post("/api/v1/lobbying/campaigns", {**SPEC, "targets": "parties", "target_parties": ["Labour"],
                                                          "own_mp_only": False})  # fmt: skip
    assert created.status_code == 201, created.json()
    slug = created.json()["slug"]
    assert api_client(member).get("/api/v1/lobbying/campaigns").json()["campaigns"] == []  # a draft
    assert api_client(member).get(f"/api/v1/lobbying/campaigns/{slug}").status_code == 404
    patched = client.patch(f"/api/v1/lobbying/campaigns/{slug}", {"status": "published", "moderated": True})
    assert patched.status_code == 200 and patched.json()["moderated"] is True
    listed = api_client(member).get("/api/v1/lobbying/campaigns").json()["campaigns"]
    assert [c["slug"] for c in listed] == [slug] and listed[0]["is_open"] is True
    assert api_client(member).post("/api/v1/lobbying/campaigns", SPEC).status_code == 403
    bad = client.post("/api/v1/lobbying/campaigns", {**SPEC, "template": "Hi {who}"})
    assert bad.status_code == 400 and "{who}" in bad.json()["detail"]
