"""An admin uses Manage → Import from Slack: upload, read the dry-run report, start, watch progress pushed over
the websocket, read the final report, and send the claim invitations."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from websockets.sync.client import connect

from leveller.accounts.actions.members import create_api_token
from leveller.chat.actions import slack_import as slack_import_actions
from leveller.chat.models import Message
from leveller.chat.slack_import.models import ImportStatus, SlackImportRun
from tests.chat.slack_support import MODERN, zip_folder


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"


def upload(tmp_path, name="export.zip"):
    return SimpleUploadedFile(name, zip_folder(MODERN, tmp_path / name).read_bytes(), "application/zip")


@pytest.mark.django_db
def test_an_admin_uploads_checks_starts_and_reads_the_report(
    client, admin, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    page = client.get("/manage/members/").content.decode()
    assert "/manage/import/slack/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/import/slack/", {"export": upload(tmp_path)})
    run = SlackImportRun.objects.get()
    assert response.status_code == 302 and response.url == f"/manage/import/slack/{run.pk}/"
    assert run.status == ImportStatus.CHECKED and Message.objects.count() == 0
    page = client.get(response.url).content.decode()
    assert "What the check found (dry run)" in page and "Start the import" in page
    assert "17 to import" in page and "gwen (U01GWEN00)" in page and "general/2024-01-02.json, line" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/manage/import/slack/{run.pk}/start/", {"invite": "on"})
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.report["messages"]["imported"] == 17
    assert Message.objects.filter(slack_ts__isnull=False).count() == 17
    assert sorted(m.to[0] for m in mail.outbox) == ["dana@example.org", "erin@example.org", "finn@example.org",
                                                    "olly@example.org"]  # fmt: skip
    page = client.get(f"/manage/import/slack/{run.pk}/").content.decode()
    assert "What was imported" in page and "17 imported" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/manage/import/slack/{run.pk}/invite/")
    assert len(mail.outbox) == 4  # those invited already have a live invitation


@pytest.mark.django_db
def test_an_upload_that_is_not_a_slack_export_is_refused_on_the_page(client, admin, tmp_path):
    client.force_login(admin)
    response = client.post("/manage/import/slack/", {"export": SimpleUploadedFile("notes.txt", b"hello")})
    assert response.status_code == 400 and "Upload the .zip file Slack gave you" in response.content.decode()
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.txt").write_text("x")
    archive = zip_folder(tmp_path / "folder", tmp_path / "other.zip")
    response = client.post("/manage/import/slack/", {"export": SimpleUploadedFile("other.zip", archive.read_bytes())})
    assert response.status_code == 400 and "is not a Slack export" in response.content.decode()
    assert SlackImportRun.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_watching_admin_receives_progress_pushed_over_the_websocket(live_server_asgi, admin, tmp_path):
    run = slack_import_actions.create_run(actor=admin, path=str(MODERN))
    token = create_api_token(actor=admin, member=admin)[1]
    with connect(f"{live_server_asgi.ws_url}?token={token}") as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "hello"
        ws.send(json.dumps({"type": "subscribe", "stream": run.stream}))
        while json.loads(ws.recv(timeout=5))["type"] != "subscribed":
            pass
        slack_import_actions.import_slack(actor=admin, path=MODERN, run=run)
        events = []
        while True:
            event = json.loads(ws.recv(timeout=10))
            if event["type"] == "slack_import.progress":
                events.append(event)
                if event["final"]:
                    break
    assert events[0]["status"] == "running" and 'id="slack-progress"' in events[0]["html"]
    assert events[-1]["status"] == "done" and "Done" in events[-1]["html"]
    assert not any(e for e in events if e["stream"] != run.stream)
