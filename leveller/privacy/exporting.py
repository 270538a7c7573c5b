"""A copy of everything (UK GDPR Articles 15 and 20): a zip with one JSON file per kind, plus index.html.

Each domain contributes its kinds through `registry.exporter` (see registry.py). The zip is written in the
task queue, one row at a time: exporters yield rows from `.iterator()` queries and each JSON file is streamed
into the zip, so a member with a long history costs time, not memory. Progress (kinds done, rows written)
is saved as it goes; the member is emailed a link when it is ready; the file expires after
PRIVACY_EXPORT_DAYS days (the retention run deletes it). Asking for a copy, building it and marking it
downloaded are in actions/exports.py; this module writes the zip and finds the file.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from leveller.privacy import registry
from leveller.privacy.models import ExportRequest, ExportStatus

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
