"""Retention that runs itself: rules per kind, a daily task, a log of each run, a dry run for admins."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from leveller.core.models import AuditEntry
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.actions import contacts as contact_actions
from leveller.phonebank.models import Call, Campaign, Contact
from leveller.privacy import retention
from leveller.privacy.actions import retention as retention_actions
from leveller.privacy.models import RetentionRun
from tests.phonebank.conftest import csv_bytes, uk_numbers

pytestmark = pytest.mark.django_db


def _campaign(organiser, *, name: str, status: str, contacts: int = 3):
    campaign = call_actions.create_campaign(actor=organiser, name=name, status="live")
    rows = [(f"Person {i}", phone, "") for i, phone in enumerate(uk_numbers(contacts, start=len(name) * 100))]
    contact_actions.upload_contacts(actor=organiser, campaign=campaign, data=csv_bytes(rows))
    Campaign.objects.filter(pk=campaign.pk).update(status=status)
    return campaign


def test_a_retention_run_deletes_a_closed_campaigns_contacts_after_the_set_days(organiser, admin):
    closed = _campaign(organiser, name="Closed", status="finished")
    live = _campaign(organiser, name="Still live", status="live")
    Campaign.objects.filter(pk__in=[closed.pk, live.pk]).update(updated_at=timezone.now() - dt.timedelta(days=40))
    retention_actions.set_policy(actor=admin, key="phonebank.contacts", days=30)
    early = retention_actions.run(now=timezone.now() - dt.timedelta(days=15))
    assert early.counts["phonebank.contacts"] == 0 and Contact.objects.filter(campaign=closed).count() == 3
    run = retention_actions.run()
    assert run.counts["phonebank.contacts"] == 3
    assert not Contact.objects.filter(campaign=closed).exists()
    assert Contact.objects.filter(campaign=live).count() == 3
    assert Campaign.objects.filter(pk=closed.pk).exists(), "the campaign itself (and its totals) stays"
    assert run.finished_at and not run.dry_run and not run.errors


def test_contacts_with_calls_and_answers_go_too(organiser, member):
    from tests.phonebank.conftest import WEDNESDAY_AFTERNOON

    campaign = _campaign(organiser, name="Called", status="live", contacts=2)
    campaign.refresh_from_db()
    call = call_actions.next_contact(actor=member, campaign=campaign, now=WEDNESDAY_AFTERNOON)
    call_actions.record_outcome(actor=member, call=call, outcome="answered", now=WEDNESDAY_AFTERNOON)
    Campaign.objects.filter(pk=campaign.pk).update(status="finished", updated_at=timezone.now() - dt.timedelta(days=91))
    run = retention_actions.run()
    assert run.counts["phonebank.contacts"] == 2
    assert not Call.objects.filter(campaign=campaign).exists()


def test_a_dry_run_counts_and_deletes_nothing(organiser):
    closed = _campaign(organiser, name="Closed", status="finished")
    Campaign.objects.filter(pk=closed.pk).update(updated_at=timezone.now() - dt.timedelta(days=100))
    run = retention_actions.run(dry_run=True)
    assert run.dry_run and run.counts["phonebank.contacts"] == 3
    assert Contact.objects.filter(campaign=closed).count() == 3


def test_old_audit_entries_and_old_unconfirmed_sign_ups_go(admin, organiser):
    from leveller.newsletter.actions import subscriptions
    from leveller.newsletter.models import Subscriber

    AuditEntry.objects.create(action="ancient", created_at=timezone.now() - dt.timedelta(days=7 * 365))
    subscriptions.request_subscription(actor=None, email="never-clicked@example.org")
    Subscriber.objects.update(created_at=timezone.now() - dt.timedelta(days=45))
    run = retention_actions.run()
    assert run.counts["core.audit_entries"] == 1 and run.counts["newsletter.unconfirmed"] == 1
    assert not AuditEntry.objects.filter(action="ancient").exists()
    assert AuditEntry.objects.filter(action="privacy.retention_run").exists(), "the run itself is logged"


def test_inactive_supporters_are_anonymised_after_the_set_years(db):
    from tests.conftest import make_member

    old = make_member("Sam Supporter", "sam@example.org", status="supporter")
    fresh = make_member("Fay Fresh", "fay@example.org", status="supporter")
    type(old).objects.filter(pk=old.pk).update(date_joined=timezone.now() - dt.timedelta(days=4 * 365))
    run = retention_actions.run()
    assert run.counts["accounts.inactive_supporters"] == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.display_name == "Former member" and fresh.display_name == "Fay Fresh"
    from leveller.privacy import suppression

    assert not suppression.is_suppressed(email="sam@example.org"), "retention is not an erasure request"


def test_a_switched_off_rule_does_not_run(admin, organiser):
    closed = _campaign(organiser, name="Closed", status="finished")
    Campaign.objects.filter(pk=closed.pk).update(updated_at=timezone.now() - dt.timedelta(days=100))
    retention_actions.set_policy(actor=admin, key="phonebank.contacts", days=90, enabled=False)
    run = retention_actions.run()
    assert "phonebank.contacts" not in run.counts and Contact.objects.filter(campaign=closed).count() == 3


def test_admins_see_the_rules_a_dry_run_and_past_runs(admin, client, organiser):
    closed = _campaign(organiser, name="Closed", status="finished")
    Campaign.objects.filter(pk=closed.pk).update(updated_at=timezone.now() - dt.timedelta(days=100))
    retention_actions.run()
    client.force_login(admin)
    page = client.get("/manage/privacy/retention/").content.decode()
    assert "Phonebank contact lists of finished campaigns" in page and "Would remove now" in page
    assert "phonebank.contacts: 3" in page
    response = client.post("/manage/privacy/retention/", {"key": "phonebank.contacts", "days": "10", "enabled": "on"})
    assert response.status_code == 302
    assert retention.policies()[[p["key"] for p in retention.policies()].index("phonebank.contacts")]["days"] == 10
    assert RetentionRun.objects.filter(dry_run=True).exists()


def test_only_admins_see_retention(staff, member, client):
    for who in (staff, member):
        client.force_login(who)
        assert client.get("/manage/privacy/retention/").status_code == 403


def test_the_daily_run_queues_its_next_run_on_a_durable_queue(settings):
    from django_tasks_db.models import DBTaskResult

    from leveller.privacy import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # django-tasks resets on change
    assert tasks.schedule_daily() is True
    assert tasks.schedule_daily() is False, "one queued run at a time"
    queued = DBTaskResult.objects.get(task_path=tasks.daily_privacy.module_path)
    assert queued.run_after > timezone.now()
    assert timezone.localtime(queued.run_after).hour == settings.PRIVACY_RETENTION_HOUR


def test_the_daily_task_runs_retention_and_due_erasures(organiser):
    from leveller.privacy import tasks

    closed = _campaign(organiser, name="Closed", status="finished")
    Campaign.objects.filter(pk=closed.pk).update(updated_at=timezone.now() - dt.timedelta(days=100))
    result = tasks.daily_privacy.enqueue()
    assert result.return_value["retention"]["phonebank.contacts"] == 3
