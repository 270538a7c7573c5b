"""Data protection's own records, and the third-party tables that hold personal data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db.models import Q

from leveller.privacy.models import (
    Consent,
    ErasureRequest,
    ExportRequest,
    ExportStatus,
    ImportRecord,
    PrivacyPolicy,
    RetentionPolicy,
    RetentionRun,
    Suppression,
)
from leveller.privacy.registry import declare, eraser, exporter, retention

declare(
    Consent,
    what="Each consent given or withdrawn, per purpose: when, how, the exact wording, who recorded it",
    why="Showing consent for each purpose, and respecting withdrawals",
    basis="Legal obligation (accountability, Article 7(1))",
    kept="As long as the member or contact; deleted on erasure",
    who="The person; staff",
)
declare(
    ImportRecord,
    what="Where each imported list came from and on what lawful basis",
    why="Accountability for imported personal data",
    basis="Legal obligation (Article 5(2))",
    kept="Indefinitely (it names no individual)",
    who="Staff",
)
declare(
    Suppression,
    what="Keyed hashes (HMAC-SHA256) of erased people's emails and phones; they cannot be read back",
    why="Stopping an erased person from being re-imported",
    basis="Legitimate interests (honouring their erasure)",
    kept="Indefinitely, until the person signs up again themselves",
    who="Nobody can read them; imports are checked against them",
)
declare(
    PrivacyPolicy,
    what="Admins' data-protection settings (what happens to an erased member's messages), who set them, when",
    why="Applying the organisation's erasure policy the same way every time",
    basis="Legal obligation (Article 17)",
    kept="As long as the installation",
    who="Admins",
)
declare(
    ExportRequest,
    what="Requests for a copy of a member's data, and the zip while it can be downloaded",
    why="Subject access and portability (Articles 15 and 20)",
    basis="Legal obligation",
    kept="The zip for PRIVACY_EXPORT_DAYS (default 7); the request until the member is erased",
    who="The member; staff",
)
declare(
    ErasureRequest,
    what="Requests for erasure, the decision, and counts of what was erased (by member id only)",
    why="Right to erasure (Article 17), and proof it was done",
    basis="Legal obligation",
    kept="Indefinitely (it holds no contact details)",
    who="Staff",
)
declare(
    RetentionPolicy,
    what="Retention settings (no personal data)",
    why="Retention",
    basis="Not personal data",
    kept="Always",
    who="Admins",
)
declare(
    RetentionRun,
    what="Each retention run and how many rows it removed (no personal data)",
    why="Showing retention runs",
    basis="Not personal data",
    kept="Always",
    who="Admins",
)
declare(
    "sessions.Session",
    what="Login sessions (a member id, signed)",
    why="Keeping members logged in",
    basis="Contract (membership)",
    kept="LEVELLER_SESSION_DAYS (default 14 days)",
    who="Nobody reads them",
)
declare(
    "axes.AccessAttempt",
    what="Failed logins: the email typed, IP address, browser, time",
    why="Stopping password guessing",
    basis="Legitimate interests (security)",
    kept="Deleted after the retention period (default 90 days)",
    who="Admins",
)
declare(
    "axes.AccessLog",
    what="Logins: the email, IP address, browser, time",
    why="Security",
    basis="Legitimate interests (security)",
    kept="Deleted after the retention period (default 90 days)",
    who="Admins",
)
declare(
    "django_tasks_database.DBTaskResult",
    what="Queued background work, e.g. an email with its recipient's address",
    why="Sending email and running imports in the background",
    basis="As for the work queued",
    kept="Finished tasks are deleted after the retention period (default 14 days)",
    who="Nobody reads them",
)


@exporter("consents", title="Your consents", order=5)
def export_consents(member):
    """Their own decisions, and those recorded about their number on a campaign list (e.g. on a call)."""
    about = Q(member=member) | (Q(contact__phone_e164=member.phone) if member.phone else Q(pk__in=[]))
    rows = Consent.objects.filter(about).values(
        "purpose",
        "granted",
        "method",
        "wording",
        "basis",
        "source",
        "recorded_at",
        "recorded_by__display_name",
        "contact__campaign__name",
    )
    for row in rows.order_by("recorded_at", "id").iterator():
        yield {
            "as_contact_in_campaign": row["contact__campaign__name"],
            "purpose": row["purpose"],
            "granted": row["granted"],
            "method": row["method"],
            "wording": row["wording"],
            "lawful_basis": row["basis"],
            "source": row["source"],
            "recorded_at": row["recorded_at"],
            "recorded_by": row["recorded_by__display_name"],
        }


@exporter("data_requests", title="Your requests for copies and erasure", order=6)
def export_requests(member):
    for row in ExportRequest.objects.filter(member=member).values("created_at", "channel", "status").iterator():
        yield {"kind": "copy", **row}
    rows = ErasureRequest.objects.filter(member_ref=member.pk).values("requested_at", "status", "due_at")
    for row in rows.iterator():
        yield {"kind": "erasure", **row}


def _delete_export_file(export: ExportRequest) -> None:
    if export.path:
        Path(export.path).unlink(missing_ok=True)


@eraser("privacy", order=800)
def erase_privacy(member, *, delete_content: bool, identity) -> dict:
    exports = ExportRequest.objects.filter(member=member)
    for export in exports:
        _delete_export_file(export)
    return {
        "consent records": Consent.objects.filter(member=member).delete()[0],
        "copies of data": exports.delete()[0],
    }


@retention(
    "privacy.exports",
    title="Copies of members' data",
    days=7,
    describe="The zip files of subject-access copies are deleted this long after they were made.",
)
def delete_old_exports(*, days: int, now: dt.datetime, dry_run: bool) -> int:
    old = ExportRequest.objects.filter(status=ExportStatus.READY, finished_at__lt=now - dt.timedelta(days=days))
    old = old.exclude(path="")
    if dry_run:
        return old.count()
    count = 0
    for export in old:
        _delete_export_file(export)
        ExportRequest.objects.filter(pk=export.pk).update(path="", status=ExportStatus.FAILED, error="expired")
        count += 1
    return count


@retention(
    "tasks.finished",
    title="Finished background tasks",
    days=14,
    describe="Finished background tasks (which hold, e.g., the address an email went to) are deleted.",
)
def delete_finished_tasks(*, days: int, now: dt.datetime, dry_run: bool) -> int:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    old = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=now - dt.timedelta(days=days)
    )
    return old.count() if dry_run else old.delete()[0]


@retention(
    "axes.logins",
    title="Login records",
    days=90,
    describe="Records of logins and failed logins (email typed, IP address) are deleted after this long.",
)
def delete_login_records(*, days: int, now: dt.datetime, dry_run: bool) -> int:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    cutoff = now - dt.timedelta(days=days)
    sets = [
        AccessAttempt.objects.filter(attempt_time__lt=cutoff),
        AccessLog.objects.filter(attempt_time__lt=cutoff),
        AccessFailureLog.objects.filter(attempt_time__lt=cutoff),
    ]
    if dry_run:
        return sum(qs.count() for qs in sets)
    return sum(qs.delete()[0] for qs in sets)
