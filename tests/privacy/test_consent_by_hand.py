"""Consent given or withdrawn on a call, on paper or by letter, written down by an organiser of the contact's
campaign (or staff, for a member): how, when and the wording, audited, and shown on the person's record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from leveller.core.models import AuditEntry
from leveller.phonebank.models import DoNotCall
from leveller.privacy import consent
from leveller.privacy.actions import consent as consent_actions
from leveller.privacy.models import Consent
from leveller.privacy.purposes import Purpose
from tests.conftest import make_member
from tests.phonebank.conftest import csv_bytes

pytestmark = pytest.mark.django_db

PAPER = {
    "purpose": "research",
    "decision": "granted",
    "method": "form",
    "when": "2026-05-03T14:30",
    "wording": "Invite me to take part in research and surveys.",
    "source": "paper form at the 3 May stall",
}


@pytest.fixture
def campaign(organiser):
    from leveller.phonebank.actions import calls as call_actions
    from leveller.phonebank.actions import contacts as contact_actions

    campaign = call_actions.create_campaign(actor=organiser, name="Rent survey", status="live")
    contact_actions.upload_contacts(
        actor=organiser, campaign=campaign, data=csv_bytes([("Carol Contact", "+447400000001", "")])
    )
    return campaign


@pytest.fixture
def carol(campaign):
    return campaign.contacts.get()


@pytest.fixture
def other_organiser(db):
    return make_member("Oli Other", "oli@example.org", roles=["organiser"])


def test_an_organiser_records_a_paper_consent_and_sees_it_in_the_contacts_history(client, organiser, carol):
    client.force_login(organiser)
    found = client.get(f"/phonebank/{carol.campaign_id}/consent/", {"q": "carol"}).content.decode()
    assert f"/phonebank/contacts/{carol.pk}/consent/" in found
    response = client.post(f"/phonebank/contacts/{carol.pk}/consent/", PAPER)
    assert response.status_code == 302
    row = Consent.objects.get(contact=carol)
    assert row.granted and row.method == "form" and row.recorded_by == organiser
    assert row.wording == PAPER["wording"] and row.source == PAPER["source"]
    assert timezone.localtime(row.recorded_at).strftime("%Y-%m-%d %H:%M") == "2026-05-03 14:30"
    assert consent.permits(Purpose.RESEARCH, contact=carol)
    entry = AuditEntry.objects.get(action="privacy.consent_given", target_id=str(carol.pk))
    assert entry.actor == organiser and "paper form" in entry.summary
    page = client.get(f"/phonebank/contacts/{carol.pk}/consent/").content.decode()
    assert "paper form at the 3 May stall" in page and "Invite me to take part" in page


def test_a_withdrawal_on_the_phone_goes_on_the_record_and_the_do_not_call_list(client, organiser, carol):
    client.force_login(organiser)
    client.post(
        f"/phonebank/contacts/{carol.pk}/consent/",
        {**PAPER, "purpose": "campaign_calls", "decision": "withdrawn", "method": "call", "when": ""},
    )
    assert not consent.permits(Purpose.CAMPAIGN_CALLS, contact=carol)
    assert DoNotCall.objects.filter(phone_e164=carol.phone_e164).exists()


def test_only_the_campaigns_organisers_and_staff_see_or_record_a_contacts_consent(
    client, carol, other_organiser, member, staff
):
    for who in (other_organiser, member):
        client.force_login(who)
        assert client.get(f"/phonebank/contacts/{carol.pk}/consent/").status_code == 404
        assert client.post(f"/phonebank/contacts/{carol.pk}/consent/", PAPER).status_code == 404
        assert client.get(f"/phonebank/{carol.campaign_id}/consent/").status_code == 404
    assert not Consent.objects.filter(contact=carol).exists()
    client.force_login(staff)
    assert client.get(f"/phonebank/contacts/{carol.pk}/consent/").status_code == 200


def test_a_record_by_hand_needs_how_where_the_wording_and_a_time_not_in_the_future(organiser, carol):
    base = {"actor": organiser, "purpose": Purpose.RESEARCH, "granted": True, "contact": carol}
    with pytest.raises(ValidationError, match="exact words"):
        consent_actions.record_by_hand(**base, method="form", wording=" ", source="stall")
    with pytest.raises(ValidationError, match="where"):
        consent_actions.record_by_hand(**base, method="form", wording="Yes please", source="")
    with pytest.raises(ValidationError, match="how they told you"):
        consent_actions.record_by_hand(**base, method="import", wording="Yes please", source="stall")
    with pytest.raises(ValidationError, match="future"):
        consent_actions.record_by_hand(
            **base,
            method="form",
            wording="Yes please",
            source="stall",
            recorded_at=timezone.now() + dt.timedelta(days=1),
        )
    assert not Consent.objects.filter(contact=carol).exists()


def test_the_api_records_and_lists_a_contacts_consent(api_client, organiser, other_organiser, carol):
    body = {
        "purpose": "campaign_calls",
        "granted": True,
        "method": "call",
        "wording": "Volunteers may phone me about our campaigns.",
        "source": "call on 2 June",
    }
    assert api_client(other_organiser).post(f"/api/v1/phonebank/contacts/{carol.pk}/consents", body).status_code == 404
    response = api_client(organiser).post(f"/api/v1/phonebank/contacts/{carol.pk}/consents", body)
    assert response.status_code == 201, response.content
    assert response.json()["method"] == "call" and response.json()["recorded_by"] == organiser.pk
    withdrawn = {**body, "granted": False, "recorded_at": "2026-06-03T10:00:00Z"}
    assert api_client(organiser).post(f"/api/v1/phonebank/contacts/{carol.pk}/consents", withdrawn).status_code == 201
    data = api_client(organiser).get(f"/api/v1/phonebank/contacts/{carol.pk}/consents").json()
    assert [row["granted"] for row in data["history"]] == [True, False]  # newest (by when said) first
    calls = next(row for row in data["current"] if row["purpose"] == "campaign_calls")
    assert calls["allowed"] is True
    assert not DoNotCall.objects.filter(phone_e164=carol.phone_e164).exists(), "the later yes stands"
    bad = api_client(organiser).post(f"/api/v1/phonebank/contacts/{carol.pk}/consents", {**body, "purpose": "nope"})
    assert bad.status_code == 400


def test_staff_record_a_members_consent_by_letter_and_the_member_sees_the_history(client, staff, member):
    client.force_login(member)
    assert client.get(f"/manage/privacy/members/{member.pk}/consent/").status_code == 403
    with pytest.raises(PermissionDenied):
        consent_actions.record_by_hand(
            actor=member, purpose="research", granted=True, method="admin", wording="x", source="y", member=member
        )
    client.force_login(staff)
    assert "Consent record" in client.get(f"/members/{member.pk}/").content.decode()
    client.post(
        f"/manage/privacy/members/{member.pk}/consent/",
        {**PAPER, "purpose": "party_sharing", "method": "admin", "source": "letter of 4 May", "when": ""},
    )
    assert consent.permits(Purpose.PARTY_SHARING, member=member)
    page = client.get(f"/manage/privacy/members/{member.pk}/consent/").content.decode()
    assert "letter of 4 May" in page and "Stella Staff" in page
    client.force_login(member)
    assert "Consent record" not in client.get(f"/members/{member.pk}/").content.decode()
    mine = client.get("/settings/data/").content.decode()
    assert "recorded by Stella Staff" in mine and PAPER["wording"] in mine


def test_the_api_lets_staff_only_record_a_members_consent(api_client, staff, member):
    body = {"purpose": "research", "granted": False, "method": "admin", "wording": "Stop.", "source": "email"}
    assert api_client(member).post(f"/api/v1/members/{member.pk}/consents", body).status_code == 403
    assert api_client(staff).post(f"/api/v1/members/{member.pk}/consents", body).status_code == 201
    history = api_client(staff).get(f"/api/v1/members/{member.pk}/consents").json()["history"]
    assert history[0]["source"] == "email" and history[0]["granted"] is False
