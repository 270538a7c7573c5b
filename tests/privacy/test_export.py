"""A copy of everything: what it holds, what it must never hold, the API contract and the command."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core import mail
from django.core.management import call_command

from leveller.privacy import exporting
from leveller.privacy.actions import exports as export_actions
from leveller.privacy.models import ExportRequest
from tests.privacy.conftest import read_zip

pytestmark = pytest.mark.django_db


def _build_copy(member):
    export = export_actions.request_export(actor=member, member=member)
    export.refresh_from_db()
    return export


def _files(export) -> dict:
    return read_zip(open(export.path, "rb").read())


def test_a_members_copy_holds_their_messages_rsvps_calls_and_consents(history, run_on_commit):
    with run_on_commit():
        export = _build_copy(history.alice)
    export.refresh_from_db()
    assert export.status == "ready"
    files = _files(export)
    assert {"profile.json", "messages.json", "consents.json", "index.html"} <= set(files)
    assert files["profile.json"]["email"] == "alice@example.org"
    texts = [m["text"] for m in files["messages.json"]]
    assert "Rent strike on Tuesday!" in texts and "Alice to Bob: come to the meeting" in texts
    assert all(set(m) >= {"text", "created_at"} for m in files["messages.json"])
    assert [r["event"] for r in files["rsvps.json"]] == ["Tenants' assembly"]
    assert files["calls_made.json"][0]["campaign"] == "Rent survey"
    assert files["calls_made.json"][0]["outcome"] == "answered"
    assert [c["purpose"] for c in files["consents.json"]] == ["research"]
    assert files["consents.json"][0]["wording"].startswith("Invite me to take part in research")
    assert files["reactions.json"][0]["emoji"] == "👍"
    # As a contact on a campaign list: the record and the survey answer given about her.
    record = files["phonebank_contact_records.json"][0]
    assert record["phone"] == "+447400555123" and record["calls"][0]["answers"] == {"rent": "Yes"}
    assert "Everything" in files["index.html"] and "Rent strike on Tuesday!" in files["index.html"]
    # And the member is emailed a link.
    assert any("alice@example.org" in m.to and "/download/" in m.body for m in mail.outbox)


def test_a_copy_holds_nothing_about_anyone_else_except_dms_the_requester_is_in(history, run_on_commit):
    with run_on_commit():
        export = _build_copy(history.alice)
    export.refresh_from_db()
    with zipfile.ZipFile(export.path) as archive:
        everything = "\n".join(archive.read(name).decode() for name in archive.namelist())
    files = _files(export)
    # Bob's DM to Alice is hers too (she is in the conversation); nothing else of Bob's is.
    dms = {m["text"]: m["author"] for m in files["direct_messages.json"]}
    assert dms == {history.bob_dm_text: "Bob Other", "Alice to Bob: come to the meeting": "you"}
    assert history.bob_dm_text not in json.dumps(files["messages.json"], ensure_ascii=False)
    for foreign in (
        history.bob_channel_text,
        history.bob_private_text,
        "Bob to the organiser only",
        "bob@example.org",
        "+447400555456",
        "Carol Contact",
        "+447400000001",
        "party_sharing",
    ):
        assert foreign not in everything, foreign
    # The answer Alice recorded when she called Carol is Carol's data, not Alice's.
    assert '"rent": "No"' not in everything


def test_the_api_queues_a_copy_and_reports_its_status_and_download_link(history, api_client, run_on_commit):
    client = api_client(history.alice)
    with run_on_commit():
        response = client.post("/api/v1/me/exports")
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"id", "status"} and body["status"] in {"pending", "ready"}
    status = client.get(f"/api/v1/me/exports/{body['id']}").json()
    assert status["id"] == body["id"] and status["status"] == "ready"
    assert status["download_url"].endswith("/download/")
    download = client.get(status["download_url"].split("127.0.0.1:8000")[-1])
    assert download.status_code == 200
    files = read_zip(b"".join(download.streaming_content))
    assert "messages.json" in files


def test_someone_else_cannot_see_or_download_a_members_copy(history, api_client, run_on_commit):
    with run_on_commit():
        export = _build_copy(history.alice)
    export.refresh_from_db()
    bob = api_client(history.bob)
    assert bob.get(f"/api/v1/me/exports/{export.pk}").status_code == 404
    assert bob.get(exporting.download_url(export)).status_code == 404
    assert api_client().get(f"/api/v1/me/exports/{export.pk}").status_code == 401


def test_a_copy_without_the_secret_in_its_link_is_not_served(history, client, run_on_commit):
    with run_on_commit():
        export = _build_copy(history.alice)
    client.force_login(history.alice)
    assert client.get(f"/settings/data/copy/{export.pk}/wrong-token/download/").status_code == 404


def test_staff_run_a_copy_for_a_request_by_post_and_the_member_sees_it_was_made(history, staff, client, run_on_commit):
    client.force_login(staff)
    with run_on_commit():
        response = client.post("/manage/privacy/copy/", {"email": "ALICE@example.org"})
    assert response.status_code == 302
    export = ExportRequest.objects.get(member=history.alice)
    assert export.channel == "post" and export.requested_by == staff and export.status == "ready"
    client.force_login(history.alice)
    page = client.get("/settings/data/viewed/")
    assert "Stella Staff" in page.content.decode()


def test_a_member_cannot_run_a_copy_of_someone_else(history):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        export_actions.request_export(actor=history.bob, member=history.alice)


def test_the_command_writes_the_same_zip(history, tmp_path):
    out = tmp_path / "alice.zip"
    call_command("member", "export", "alice@example.org", str(out))
    files = read_zip(out.read_bytes())
    assert files["profile.json"]["display_name"] == "Alice Example"
    assert any(m["text"] == "Rent strike on Tuesday!" for m in files["messages.json"])


def test_progress_shows_on_the_settings_page_while_a_copy_is_prepared(history, client):
    export = ExportRequest.objects.create(member=history.alice, kinds_total=20, kinds_done=5, current_kind="messages")
    client.force_login(history.alice)
    page = client.get(f"/settings/data/copy/{export.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "5 of 20" in page and 'hx-trigger="every 2s"' in page


def test_every_json_file_is_valid_even_for_a_member_with_no_history(member, run_on_commit):
    with run_on_commit():
        export = _build_copy(member)
    export.refresh_from_db()
    with zipfile.ZipFile(export.path) as archive:
        for name in archive.namelist():
            if name.endswith(".json"):
                json.loads(archive.read(name))
