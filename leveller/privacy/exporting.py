"""A copy of everything (UK GDPR Articles 15 and 20): a zip with one JSON file per kind, plus index.html.

Each domain contributes its kinds through `registry.exporter` (see registry.py). The zip is written in the
task queue, one row at a time: exporters yield rows from `.iterator()` queries and each JSON file is streamed
into the zip, so a member with a long history costs time, not memory. Progress (kinds done, rows written)
is saved as it goes; the member is emailed a link when it is ready; the file expires after
PRIVACY_EXPORT_DAYS days (the retention run deletes it).
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import logging
import os
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from leveller.core import audit
from leveller.core.mail import send_templated
from leveller.privacy import registry
from leveller.privacy.models import ExportRequest, ExportStatus

log = logging.getLogger(__name__)
PREVIEW_ROWS = 25
PROGRESS_EVERY = 5000


def _json_default(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def dumps(value) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


# --- requests -------------------------------------------------------------------------------------------------


@transaction.atomic
def request_export(*, actor, member, channel: str = "settings") -> ExportRequest:
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


def download_url(export: ExportRequest) -> str | None:
    if export.status != ExportStatus.READY:
        return None
    return reverse("privacy:download", args=[export.pk, export.token])


def usable_file(export: ExportRequest) -> Path | None:
    if export.status != ExportStatus.READY or not export.path:
        return None
    if export.expires_at and export.expires_at <= timezone.now():
        return None
    path = Path(export.path)
    return path if path.exists() else None


def mark_downloaded(*, actor, export: ExportRequest) -> None:
    ExportRequest.objects.filter(pk=export.pk).update(downloaded_at=timezone.now())
    audit.record(actor=actor, action="privacy.export_downloaded", target=export.member, data={"export": export.pk})


# --- building -------------------------------------------------------------------------------------------------


def _progress(export: ExportRequest, **fields) -> None:
    for key, value in fields.items():
        setattr(export, key, value)
    ExportRequest.objects.filter(pk=export.pk).update(**fields)


def build(export: ExportRequest, *, notify: bool = True) -> ExportRequest:
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


def write_zip(member, target, *, on_progress=None) -> dict[str, int]:
    """Write every kind about `member` into the zip at `target` (a path or a binary file). Returns row counts."""
    counts: dict[str, int] = {}
    previews: list[dict] = []
    total_rows = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for done, kind in enumerate(registry.exporters()):
            if on_progress:
                on_progress(current_kind=kind.kind, kinds_done=done)
            count, preview = _write_kind(archive, kind, member, total_rows, on_progress)
            total_rows += count
            counts[kind.kind] = count
            previews.append(
                {"kind": kind.kind, "title": kind.title, "count": count, "rows": preview, "single": kind.single}
            )
        html = render_to_string(
            "privacy/export_index.html",
            {
                "member": member,
                "kinds": previews,
                "generated_at": timezone.now(),
                "SITE_NAME": settings.SITE_NAME,
                "preview_rows": PREVIEW_ROWS,
            },
        )
        archive.writestr(_entry("index.html"), html)
    if on_progress:
        on_progress(kinds_done=len(counts), rows_written=total_rows)
    return counts


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_kind(archive, kind, member, written_before: int, on_progress) -> tuple[int, list]:
    count = 0
    preview: list = []
    with archive.open(_entry(f"{kind.kind}.json"), "w", force_zip64=True) as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8", write_through=False)
        if not kind.single:
            out.write("[\n")
        for row in kind.rows(member):
            text = dumps(row)
            if kind.single:
                out.write(json.dumps(row, default=_json_default, ensure_ascii=False, indent=2, sort_keys=True))
                count = 1
                preview = [_preview(row)]
                break
            out.write(",\n" if count else "")
            out.write(text)
            count += 1
            if count <= PREVIEW_ROWS:
                preview.append(_preview(row))
            if on_progress and count % PROGRESS_EVERY == 0:
                on_progress(rows_written=written_before + count)
        if not kind.single:
            out.write("\n]\n")
        elif not count:
            out.write("{}\n")
        out.flush()
        out.detach()
    return count, preview


def _preview(row: dict) -> list[tuple[str, str]]:
    items = []
    for key, value in row.items():
        text = value if isinstance(value, str) else dumps(value)
        items.append((key, text if len(text) <= 300 else text[:300] + "…"))
    return items
