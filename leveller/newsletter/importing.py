"""Import an existing subscriber list (CSV) with consent dates. Every valid row is imported; every invalid
row is reported with its line number. People who unsubscribed or bounced are never re-added by an import."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.core import audit, csvfile
from leveller.newsletter.access import require_editor
from leveller.newsletter.actions.subscriptions import clean_subscriber_fields, start_subscription
from leveller.newsletter.models import Subscriber, SubscriberStatus

COLUMNS = {
    "email": {"email", "email address", "e-mail"},
    "name": {"name", "full name", "display name"},
    "postcode": {"postcode", "post code", "postal code", "zip"},
    "consent_at": {
        "consent_date",
        "consent date",
        "consented",
        "consent_at",
        "subscribed",
        "subscribed_at",
        "optin_time",
        "confirm_time",
    },
    "consent_source": {"consent_source", "source", "consent source"},
    "consent_wording": {"consent_wording", "wording", "consent wording", "consent text"},
}
FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y", "%d/%m/%Y %H:%M")
MAX_ROWS = 200_000


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _parse_date(value: str) -> dt.datetime:
    value = (value or "").strip()
    if not value:
        raise ValidationError("no consent date: we cannot email someone without a record of their consent")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
        for fmt in FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValidationError(f"consent date {value!r} is not a date (use YYYY-MM-DD)")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    if parsed > timezone.now() + dt.timedelta(days=1):
        raise ValidationError(f"consent date {value!r} is in the future")
    return parsed


def _header_map(header: list[str]) -> dict[str, int]:
    mapping = {}
    for index, name in enumerate(header):
        cleaned = name.strip().lower().lstrip("\ufeff")
        for key, aliases in COLUMNS.items():
            if cleaned in aliases and key not in mapping:
                mapping[key] = index
    return mapping


def import_subscribers(*, actor, data: bytes | str, source: str = "import") -> ImportReport:
    require_editor(actor)
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    reader = csvfile.reader(text)
    report = ImportReport()
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ValidationError(f"The first line is not valid CSV: {error}.") from None
    if not header:
        raise ValidationError("The file is empty.")
    columns = _header_map(header)
    missing = [c for c in ("email", "consent_at") if c not in columns]
    if missing:
        raise ValidationError(
            "The first line must name the columns; missing: " + ", ".join(missing) + ". Expected at least "
            "'email' and 'consent_date' (optional: name, postcode, source, wording)."
        )
    numbered = enumerate(reader, start=2)
    while True:
        try:
            line, row = next(numbered)
        except StopIteration:
            break
        except csv.Error as error:
            report.errors.append((reader.line_num, csvfile.stopped(reader.line_num, error)))
            break
        if line - 1 > MAX_ROWS:
            report.errors.append((line, f"stopped: at most {MAX_ROWS} rows per file"))
            break
        if not any(cell.strip() for cell in row):
            continue
        try:
            with transaction.atomic():
                _import_row(report, columns, row, source)
        except ValidationError as error:
            report.errors.append((line, " ".join(error.messages)))
    from leveller.privacy.actions import consent as consent_actions

    consent_actions.record_import(  # each row carries its own consent date, source and wording; this is the file's
        actor=actor,
        kind="newsletter.subscribers",
        basis="consent",
        source=f"newsletter subscribers CSV ({source})",
        purposes=["newsletter"],
        wording="As given on each row (its consent date, source and wording columns)",
        rows=report.added + report.updated,
        refused_suppressed=sum(1 for _, text in report.errors if "suppression list" in text),
    )
    audit.record(
        actor=actor,
        action="newsletter.subscribers_imported",
        summary=f"{report.added} added",
        data={"added": report.added, "updated": report.updated, "errors": len(report.errors)},
    )
    return report


def _cell(row: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return row[index].strip() if index is not None and index < len(row) else ""


def _import_row(report: ImportReport, columns: dict[str, int], row: list[str], source: str) -> None:
    email, name, postcode = clean_subscriber_fields(
        _cell(row, columns, "email"), _cell(row, columns, "name"), _cell(row, columns, "postcode")
    )
    from leveller.privacy import suppression

    suppression.refuse(email=email)
    consent_at = _parse_date(_cell(row, columns, "consent_at"))
    wording = _cell(row, columns, "consent_wording") or "Imported: consent given before Leveller (see source)."
    how = (_cell(row, columns, "consent_source") or source)[:40]
    subscriber = Subscriber.objects.select_for_update().filter(email__iexact=email).first()
    if subscriber is not None and subscriber.status in {SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.BOUNCING}:
        raise ValidationError(f"{email} has {subscriber.get_status_display().lower()}; an import does not re-add them")
    if subscriber is not None and subscriber.status == SubscriberStatus.SUBSCRIBED:
        subscriber.name, subscriber.postcode = subscriber.name or name, subscriber.postcode or postcode
        subscriber.save(update_fields=["name", "postcode"])
        report.updated += 1
        return
    subscriber = subscriber or Subscriber(email=email)
    subscriber.name, subscriber.postcode = name or subscriber.name, postcode or subscriber.postcode
    start_subscription(subscriber, source=how, wording=wording, at=consent_at)
    report.added += 1
