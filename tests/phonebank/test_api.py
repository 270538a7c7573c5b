"""The API paths and shapes issue #4 specifies, and who may use them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leveller.phonebank.actions import contacts as contact_actions
from leveller.phonebank.models import Campaign
from tests.phonebank.conftest import QUESTIONS, csv_bytes, uk_numbers

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Rent strike ballot",
    "script": "Hello {first_name}!",
    "questions": QUESTIONS,
    "calling_hours": {"start": "00:00", "end": "23:59"},
    "max_attempts": 3,
    "retry_after_minutes": 120,
    "status": "draft",
}


def upload(client, campaign_id, data: bytes, name="contacts.csv"):
    return client.upload(
        f"/api/v1/phonebank/campaigns/{campaign_id}/contacts", {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_an_organiser_creates_uploads_goes_live_and_a_member_calls_through_the_api(api_client, organiser, member):
    org = api_client(organiser)
    created = org.post("/api/v1/phonebank/campaigns", {**BODY, "call_on_sundays": True})
    assert created.status_code == 201, created.content
    campaign_id = created.json()["id"]
    rows = [
        ("Ann Lee", "07400 123456", "M1 1AA"),
        ("Bad Number", "12345", ""),
        ("Ann Again", "+447400123456", ""),
        ("Abroad", "+1 212 555 0123", ""),
    ]
    report = upload(org, campaign_id, csv_bytes(rows))
    assert report.status_code == 200, report.content
    body = report.json()
    assert body["loaded"] == 2 and body["duplicates"] == 1 and body["do_not_call"] == 0
    assert body["invalid"] == [{"row": 3, "reason": "'12345' is not a valid phone number"}]
    assert body["duplicate_rows"] == [4]
    assert org.patch(f"/api/v1/phonebank/campaigns/{campaign_id}", {"status": "live"}).json()["status"] == "live"

    caller = api_client(member)
    got = caller.post(f"/api/v1/phonebank/campaigns/{campaign_id}/next")
    assert got.status_code == 200, got.content
    data = got.json()
    assert set(data) >= {"call_id", "contact", "lease_expires_at"}
    assert set(data["contact"]) >= {"name", "phone_e164", "tel_uri", "local_time", "time_zone", "fields"}
    assert data["contact"]["tel_uri"] == "tel:" + data["contact"]["phone_e164"]
    bad = caller.post(
        f"/api/v1/phonebank/calls/{data['call_id']}/outcome", {"outcome": "answered", "answers": {"attend": "Never"}}
    )
    assert bad.status_code == 400 and "not one of the choices" in bad.json()["detail"]
    ok = caller.post(
        f"/api/v1/phonebank/calls/{data['call_id']}/outcome", {"outcome": "answered", "answers": {"attend": "Yes"}}
    )
    assert ok.status_code == 200
    again = caller.post(f"/api/v1/phonebank/calls/{data['call_id']}/outcome", {"outcome": "refused"})
    assert again.status_code == 409

    second = caller.post(f"/api/v1/phonebank/campaigns/{campaign_id}/next").json()
    assert caller.post(f"/api/v1/phonebank/calls/{second['call_id']}/release").status_code == 200
    stats = org.get(f"/api/v1/phonebank/campaigns/{campaign_id}/stats").json()
    assert stats["contacts"] == 2 and stats["reached"] == 1 and stats["by_outcome"]["answered"] == 1
    assert stats["waiting"] + stats["in_progress"] + stats["finished"] == stats["contacts"]
    assert stats["answers"][0]["options"][0] == {"label": "Yes", "count": 1, "percent": 100}


def test_next_is_204_when_nobody_can_be_called(api_client, make_campaign, member):
    campaign = make_campaign(contacts=0)
    assert api_client(member).post(f"/api/v1/phonebank/campaigns/{campaign.pk}/next").status_code == 204


def test_bad_campaign_settings_get_a_clear_400(api_client, organiser):
    org = api_client(organiser)
    response = org.post("/api/v1/phonebank/campaigns", {**BODY, "calling_hours": {"start": "20:00", "end": "10:00"}})
    assert response.status_code == 400 and "end after they start" in response.json()["detail"]
    response = org.post(
        "/api/v1/phonebank/campaigns", {**BODY, "questions": [{"id": "a", "text": "?", "kind": "poll"}]}
    )
    assert response.status_code == 400 and "kind must be one of" in response.json()["detail"]
    assert not Campaign.objects.exists()


def test_members_cannot_create_campaigns_and_callers_cannot_upload_or_see_stats(api_client, make_campaign, member):
    campaign = make_campaign(contacts=1)
    caller = api_client(member)
    assert caller.post("/api/v1/phonebank/campaigns", BODY).status_code == 403
    assert upload(caller, campaign.pk, csv_bytes([("X", "+447400000999", "")])).status_code == 403
    assert caller.get(f"/api/v1/phonebank/campaigns/{campaign.pk}/stats").status_code == 403
    assert caller.patch(f"/api/v1/phonebank/campaigns/{campaign.pk}", {"status": "finished"}).status_code == 403


def test_an_outsider_cannot_see_a_named_callers_campaign_or_another_callers_contact(
    api_client, make_campaign, member, outsider
):
    campaign = make_campaign(
        contacts=2, callers_mode="named", callers=[member.pk], calling_start="00:00", calling_end="23:59"
    )
    call = api_client(member).post(f"/api/v1/phonebank/campaigns/{campaign.pk}/next").json()
    stranger = api_client(outsider)
    assert stranger.get(f"/api/v1/phonebank/campaigns/{campaign.pk}").status_code == 404
    assert stranger.post(f"/api/v1/phonebank/campaigns/{campaign.pk}/next").status_code == 404
    assert stranger.get(f"/api/v1/phonebank/campaigns/{campaign.pk}/stats").status_code == 404
    assert (
        stranger.post(f"/api/v1/phonebank/calls/{call['call_id']}/outcome", {"outcome": "refused"}).status_code == 404
    )
    assert stranger.post(f"/api/v1/phonebank/calls/{call['call_id']}/release").status_code == 404


def test_a_large_upload_returns_202_with_a_job_to_poll(api_client, organiser, make_campaign, settings, run_on_commit):
    settings.PHONEBANK_SYNC_IMPORT_ROWS = 10
    campaign = make_campaign()
    rows = [(f"Person {i}", n, "") for i, n in enumerate(uk_numbers(25))] + [("Broken", "not a phone", "")]
    org = api_client(organiser)
    with run_on_commit():
        response = upload(org, campaign.pk, csv_bytes(rows))
    assert response.status_code == 202, response.content
    job = response.json()
    polled = org.get(job["poll"]).json()  # the test task backend runs the job at once
    assert polled["status"] == "done" and polled["loaded"] == 25 and polled["invalid_count"] == 1
    assert polled["invalid"][0]["row"] == 27


def test_a_file_without_a_phone_column_is_refused_and_nothing_is_saved(api_client, organiser, make_campaign):
    campaign = make_campaign()
    response = upload(api_client(organiser), campaign.pk, b"name,email\nAnn,ann@example.org\n")
    assert response.status_code == 400 and "No phone column" in response.json()["detail"]
    assert not campaign.imports.exists()


def test_import_reads_time_zones_countries_and_custom_fields(organiser, make_campaign):
    campaign = make_campaign()
    data = (
        "Name,Phone,Postcode,Country,Time zone,Branch,Rent\n"
        "Ann Lee,07400 123456,M1 1AA,,,Manchester,£950\n"
        "Bo Chen,0412 345 678,,AU,,Sydney,\n"
        "Cy Diaz,+1 212 555 0123,,,America/Chicago,Remote,\n"
        "Di Eze,+1 212 555 0124,,,Mars/Olympus,,\n"
    ).encode()
    job = contact_actions.upload_contacts(actor=organiser, campaign=campaign, data=data)
    assert job.loaded == 3 and job.invalid_count == 1 and "not a time zone" in job.invalid[0]["reason"]
    contacts = {c.name: c for c in campaign.contacts.all()}
    assert contacts["Ann Lee"].phone_e164 == "+447400123456" and contacts["Ann Lee"].time_zone == "Europe/London"
    assert contacts["Ann Lee"].fields == {"branch": "Manchester", "rent": "£950"}
    assert contacts["Bo Chen"].phone_e164 == "+61412345678" and contacts["Bo Chen"].time_zone.startswith("Australia/")
    assert contacts["Cy Diaz"].time_zone == "America/Chicago"
    campaign.refresh_from_db()
    assert set(campaign.time_zones) == {"Europe/London", contacts["Bo Chen"].time_zone, "America/Chicago"}
