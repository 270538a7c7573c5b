"""Pages speak plainly: no "Phone (E.164)", no raw role or conversation-kind keys."""

import pytest

from leveller.chat.slack_import.models import ImportStatus, SlackImportRun
from leveller.chat.slack_import.report import Report

pytestmark = pytest.mark.django_db


def test_the_phone_field_speaks_plainly(client, member):
    client.force_login(member)
    page = client.get("/settings/").content.decode()
    assert "E.164" not in page
    assert "Phone number" in page and "+ and the country code" in page


def test_the_members_list_names_roles_not_their_keys(client, admin, organiser):
    client.force_login(admin)
    page = client.get("/manage/members/").content.decode()
    assert '<span class="tag">Organiser</span>' in page and '<span class="tag">Admin</span>' in page
    assert '<span class="tag">organiser</span>' not in page and '<span class="tag">admin</span>' not in page


def test_the_slack_import_report_names_each_conversation_kind(client, admin):
    report = Report(dry_run=True)
    for slack_id, kind in [("C1", "channels"), ("C2", "private"), ("D1", "dms"), ("G1", "group_dms")]:
        report.channel(slack_id)["kind"] = kind
    run = SlackImportRun.objects.create(path="x.zip", status=ImportStatus.CHECKED, dry_run_report=report.as_dict())
    client.force_login(admin)
    page = client.get(f"/manage/import/slack/{run.pk}/").content.decode()
    for label in ["Public channel", "Private channel", "Direct message", "Group direct message"]:
        assert f"<td>{label}</td>" in page
    for key in ["channels", "private", "dms", "group_dms"]:
        assert f"<td>{key}</td>" not in page
