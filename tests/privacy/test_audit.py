"""Audit: admins browse and filter the log in the app; members see who has viewed their record."""

from __future__ import annotations

import pytest

from leveller.core import audit
from leveller.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_admins_browse_and_filter_the_audit_log(admin, member, organiser, client):
    audit.record(actor=organiser, action="phonebank.campaign_created", target=member, summary="Rent survey")
    audit.record(actor=admin, action="member.roles_changed", target=member, summary="made organiser")
    client.force_login(admin)
    page = client.get("/manage/audit/").content.decode()
    assert "Rent survey" in page and "made organiser" in page
    by_action = client.get("/manage/audit/", {"action": "phonebank."}).content.decode()
    assert "Rent survey" in by_action and "made organiser" not in by_action
    by_actor = client.get("/manage/audit/", {"actor": "Olu"}).content.decode()
    assert "Rent survey" in by_actor and "made organiser" not in by_actor
    by_target = client.get("/manage/audit/", {"target_type": "accounts.member", "target_id": member.pk})
    assert "made organiser" in by_target.content.decode()
    by_text = client.get("/manage/audit/", {"q": "organiser", "since": "2000-01-01", "until": "2999-01-01"})
    assert "made organiser" in by_text.content.decode() and "Rent survey" not in by_text.content.decode()


def test_only_admins_browse_the_audit_log(staff, member, client):
    for who in (staff, member):
        client.force_login(who)
        assert client.get("/manage/audit/").status_code == 403
    client.logout()
    assert client.get("/manage/audit/").status_code == 302


def test_a_member_sees_who_viewed_their_record(history, staff, client):
    client.force_login(staff)
    client.get(f"/members/{history.alice.pk}/")
    assert AuditEntry.objects.filter(action="member.viewed", actor=staff, target_id=str(history.alice.pk)).exists()
    client.force_login(history.alice)
    page = client.get("/settings/data/viewed/").content.decode()
    # Bob was handed her number on the call list; staff opened her profile.
    assert "Bob Other" in page and "Your number on a campaign's call list" in page
    assert "Stella Staff" in page and "Your profile with contact details" in page
    assert "Alice Example" not in page.split("<tbody>")[1], "her own views of herself are not listed"


def test_a_member_sees_only_views_of_their_own_record(history, client):
    client.force_login(history.bob)
    page = client.get("/settings/data/viewed/").content.decode()
    assert "Alice Example" not in page.split("<tbody>")[1]


def test_members_viewing_each_others_public_profiles_is_not_logged(history, client):
    client.force_login(history.bob)
    client.get(f"/members/{history.alice.pk}/")
    assert not AuditEntry.objects.filter(action="member.viewed").exists()
