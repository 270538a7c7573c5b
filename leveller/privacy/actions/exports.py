"""Copies of a member's data: asking for one (a member, or staff for a request by post), building the zip in
the task queue (see leveller.privacy.exporting for what it holds), and marking it downloaded."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from leveller.core import audit
from leveller.core.mail import send_templated
from leveller.privacy import registry
from leveller.privacy.exporting import download_url, write_zip
from leveller.privacy.models import ExportRequest, ExportStatus

if TYPE_CHECKING:
    from leveller.accounts.models import Member

log = logging.getLogger(__name__)


@transaction.atomic
def request_export(*, actor: Member | None, member: Member, channel: str = "settings") -> ExportRequest:
    """A member asks for their own copy; staff ask for one for a request received by post."""
    if actor is None or not getattr(actor, "pk", None):
        pass  # the command line: the operator runs it for a member
    elif actor.pk != member.pk and not actor.is_staff_member:
        raise PermissionDenied("Only staff can prepare a copy of someone else's data.")
    running = ExportRequest.objects.filter(member=member, status=ExportStatus.PENDING).first()
    if running is not None and running.created_at > timezone.now() - dt.timedelta(hours=1):
        return running  # one at a time: a second click returns the one being prepared
    export = ExportRequest.objects.create(
        member=member, requested_by=actor if getattr(actor, "pk", None) else None, channel=channel[:20]
    )
    audit.record(
        actor=actor,
        action="privacy.export_requested",
        target=member,
        summary=f"by {channel}",
        data={"export": export.pk},
    )
    from leveller.privacy.tasks import build_export

    transaction.on_commit(lambda: build_export.enqueue(export_id=export.pk))
    return export


def mark_downloaded(*, actor: Member | None, export: ExportRequest) -> None:
    ExportRequest.objects.filter(pk=export.pk).update(downloaded_at=timezone.now())
    audit.record(actor=actor, action="privacy.export_downloaded", target=export.member, data={"export": export.pk})


def _progress(export: ExportRequest, **fields) -> None:
    for key, value in fields.items():
        setattr(export, key, value)
    ExportRequest.objects.filter(pk=export.pk).update(**fields)


def build(*, export: ExportRequest, notify: bool = True) -> ExportRequest:
    """Write the zip for one request (the task calls this). A failure is recorded, never half-served."""
    claimed = ExportRequest.objects.filter(pk=export.pk, status=ExportStatus.PENDING, started_at__isnull=True)
    if not claimed.update(started_at=timezone.now()):
        export.refresh_from_db()
        return export  # another worker (or the command) is building it
    directory = Path(settings.PRIVACY_EXPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"export-{export.pk}-{export.token[:12]}.zip"
    partial = final.with_suffix(".part")
    kinds = registry.exporters()
    _progress(export, kinds_total=len(kinds), kinds_done=0, rows_written=0)
    try:
        write_zip(export.member, partial, on_progress=lambda **f: _progress(export, **f))
        os.replace(partial, final)
    except Exception as error:
        partial.unlink(missing_ok=True)
        log.exception("export %s failed", export.pk)
        _progress(export, status=ExportStatus.FAILED, error=f"{type(error).__name__}"[:300], finished_at=timezone.now())
        return export
    now = timezone.now()
    _progress(
        export,
        status=ExportStatus.READY,
        path=str(final),
        size=final.stat().st_size,
        finished_at=now,
        expires_at=now + dt.timedelta(days=settings.PRIVACY_EXPORT_DAYS),
        current_kind="",
    )
    audit.record(actor=None, action="privacy.export_ready", target=export.member, data={"export": export.pk})
    if notify and export.member.is_active:
        with transaction.atomic():
            send_templated(
                to=export.member.email,
                template="privacy/email/export_ready",
                context={
                    "member": export.member,
                    "link": settings.SITE_URL + download_url(export),
                    "days": settings.PRIVACY_EXPORT_DAYS,
                    "by_staff": export.requested_by_id not in (None, export.member_id),
                },
            )
    return export
