"""The audit log's part of members' data rights."""

from __future__ import annotations

import datetime as dt

from leveller.core.models import AuditEntry
from leveller.privacy.registry import declare, exporter, retention

declare(
    AuditEntry,
    what="Who did what to which record and when (including each view of a phonebank contact)",
    why="Accountability and security; showing members who has viewed their record",
    basis="Legitimate interests",
    kept="Deleted after the retention period (default six years)",
    who="Admins; a member sees entries about themselves",
)


def about_member(member):
    """Audit entries about a member: their record, and the phonebank contact records with their number."""
    from django.db.models import Q

    q = Q(target_type="accounts.member", target_id=str(member.pk))
    if member.phone:
        from leveller.phonebank.models import Contact

        ids = [str(pk) for pk in Contact.objects.filter(phone_e164=member.phone).values_list("pk", flat=True)]
        if ids:
            q |= Q(target_type="phonebank.contact", target_id__in=ids)
    return AuditEntry.objects.filter(q)


@exporter("audit_entries", title="The audit log about you", order=80)
def export_audit(member):
    rows = about_member(member).values("created_at", "action", "actor__display_name", "summary", "target_type")
    for row in rows.order_by("id").iterator(chunk_size=2000):
        yield {
            "created_at": row["created_at"],
            "action": row["action"],
            "by": row["actor__display_name"] or "the system",
            "summary": row["summary"],
            "record": row["target_type"],
        }


@retention(
    "core.audit_entries",
    title="Audit log entries",
    days=6 * 365,
    describe="Audit entries older than this are deleted.",
)
def delete_old_audit(*, days: int, now: dt.datetime, dry_run: bool) -> int:
    old = AuditEntry.objects.filter(created_at__lt=now - dt.timedelta(days=days))
    return old.count() if dry_run else old._raw_delete(old.db)


def _declare_operations() -> None:
    from leveller.core.models import HealthProbe, IdempotentRequest, WorkerBeat

    declare(
        HealthProbe,
        what="One row the health check writes to prove the database accepts writes",
        why="Telling operators the truth about the service",
        basis="Legitimate interests",
        kept="One row, overwritten",
        who="Nobody (operators see the result)",
    )
    declare(
        IdempotentRequest,
        what="The answer to an API write sent with an Idempotency-Key, with who sent it",
        why="A retried request returns the first answer instead of writing twice",
        basis="Legitimate interests",
        kept="A day",
        who="Nobody; the sender gets their own answer back",
    )
    declare(
        WorkerBeat,
        what="Each background worker's host, process and last heartbeat",
        why="Recovering tasks from dead workers and health checks",
        basis="Legitimate interests",
        kept="Replaced on every beat; stale rows deleted",
        who="Operators and staff",
    )


_declare_operations()
