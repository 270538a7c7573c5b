"""Changing retention periods and running the rules (the rules and their settings are read in
leveller.privacy.retention). Each run is logged as a RetentionRun with counts per rule; a dry run counts
what would go, deleting nothing."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.core import audit
from leveller.core.access import require_admin
from leveller.privacy import registry
from leveller.privacy.models import RetentionPolicy, RetentionRun
from leveller.privacy.retention import policies

if TYPE_CHECKING:
    from leveller.accounts.models import Member

log = logging.getLogger(__name__)


@transaction.atomic
def set_policy(*, actor: Member, key: str, days: int, enabled: bool = True) -> RetentionPolicy:
    require_admin(actor)
    rule = registry.retention_rule(key)
    if rule is None:
        raise ValidationError(f"No retention rule {key!r}.")
    if days < 1 or days > 36500:
        raise ValidationError("Keep data for between 1 day and 100 years.")
    policy, _ = RetentionPolicy.objects.update_or_create(
        key=key, defaults={"days": days, "enabled": enabled, "updated_by": actor, "updated_at": timezone.now()}
    )
    audit.record(
        actor=actor, action="privacy.retention_changed", summary=f"{key}: {days} days", data={"enabled": enabled}
    )
    return policy


def run(
    *, actor: Member | None = None, dry_run: bool = False, now: dt.datetime | None = None, only: list[str] | None = None
) -> RetentionRun:
    """Apply every enabled rule (each in its own transaction, so one failing rule does not undo the others)."""
    if actor is not None and getattr(actor, "pk", None):
        require_admin(actor)
    now = now or timezone.now()
    record = RetentionRun.objects.create(
        dry_run=dry_run, triggered_by=actor if getattr(actor, "pk", None) else None, started_at=now
    )
    counts: dict[str, int] = {}
    errors: dict[str, str] = {}
    for row in policies():
        if not row["enabled"] or (only and row["key"] not in only):
            continue
        try:
            with transaction.atomic():
                counts[row["key"]] = int(row["rule"].apply(days=row["days"], now=now, dry_run=dry_run) or 0)
        except Exception as error:  # recorded and shown; the other rules still run
            log.exception("retention rule %s failed", row["key"])
            errors[row["key"]] = f"{type(error).__name__}: {error}"[:300]
    record.counts, record.errors, record.finished_at = counts, errors, timezone.now()
    record.save(update_fields=["counts", "errors", "finished_at"])
    if not dry_run:
        audit.record(
            actor=actor,
            action="privacy.retention_run",
            summary=f"{sum(counts.values())} removed",
            data={"run": record.pk, "counts": counts},
        )
    return record
