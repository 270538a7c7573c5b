"""Contact-list actions: uploading, and loading big lists in the background."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.core import audit
from leveller.phonebank import importing, progress
from leveller.phonebank.access import is_organiser_of
from leveller.phonebank.models import Campaign, Contact, DoNotCall, ImportJob, ImportStatus
from leveller.privacy import suppression


def _require_campaign_organiser(actor, campaign: Campaign) -> None:
    from django.core.exceptions import PermissionDenied

    if not is_organiser_of(actor, campaign):
        raise PermissionDenied("Only this campaign's organisers and staff can do that.")


def upload_contacts(
    *,
    actor,
    campaign: Campaign,
    data: bytes,
    filename: str = "",
    basis: str = "legitimate_interests",
    source: str = "",
    purposes: list[str] | None = None,
    wording: str = "",
) -> ImportJob:
    """Load a contact list now, or queue it when it is large (the job reports progress as it goes). The list's
    lawful basis and source are recorded (privacy.ImportRecord); suppressed numbers are never loaded."""
    from leveller.privacy.actions import consent as consent_actions

    _require_campaign_organiser(actor, campaign)
    text = importing.decode(data)
    importing.rows(text)  # checks the header now, so a wrong file is refused at once
    total = importing.count_rows(text)
    background = total > settings.PHONEBANK_SYNC_IMPORT_ROWS
    with transaction.atomic():
        job = ImportJob.objects.create(
            campaign=campaign,
            created_by=actor,
            filename=filename[:200],
            total_rows=total,
            source=text if background else "",
        )
        consent_actions.record_import(
            actor=actor,
            kind="phonebank.contacts",
            object_id=str(campaign.pk),
            basis=basis,
            source=source or f"uploaded file {filename or 'contacts.csv'}",
            purposes=purposes if purposes is not None else ["campaign_calls"],
            wording=wording,
            rows=total,
        )
        audit.record(
            actor=actor,
            action="phonebank.contacts_uploaded",
            target=campaign,
            summary=f"{filename or 'contacts.csv'}: {total} rows",
            data={"job": job.pk},
        )
        if background:
            from leveller.phonebank.tasks import import_contacts

            transaction.on_commit(lambda: import_contacts.enqueue(job_id=job.pk))
            return job
        _run_import(job, text, actor=actor, atomic_batches=False)
    return job


def run_import_job(*, job: ImportJob) -> ImportJob:
    """Process a queued import in batches, each in its own transaction, so progress shows and callers keep
    calling. A failure part-way keeps the batches already loaded; importing the file again skips them."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(status=ImportStatus.RUNNING)
    job.refresh_from_db()
    if not claimed:
        return job
    try:
        _run_import(job, job.source, actor=job.created_by, atomic_batches=True)
    except Exception as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else "an internal error"
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, error=f"The import stopped: {message}.", finished_at=timezone.now()
        )
        _import_hint(job.campaign_id, job.pk)
        if not isinstance(error, ValidationError):
            raise
    _refresh_planner_statistics()
    job.refresh_from_db()
    return job


def _refresh_planner_statistics() -> None:
    """After a big load, PostgreSQL's planner must know the table grew, or it sorts the whole list on every
    `next` instead of walking the queue index (autovacuum's analyse comes later)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE phonebank_contact")


def _run_import(job: ImportJob, text: str, *, actor, atomic_batches: bool) -> None:
    report = importing.Report()
    batch: list[importing.Parsed] = []
    processed = 0
    for row in importing.rows(text):
        processed = row.number - 1
        parsed = importing.parse(row, report)
        if parsed is not None:
            batch.append(parsed)
        if len(batch) >= importing.BATCH:
            _commit_batch(job, batch, report, processed, atomic_batches)
            batch = []
    _commit_batch(job, batch, report, max(processed, job.total_rows), atomic_batches, last=True)


def _commit_batch(job, batch, report, processed: int, atomic_batches: bool, *, last: bool = False) -> None:
    if atomic_batches:
        with transaction.atomic():
            load_batch(job=job, batch=batch, report=report, processed=processed, last=last)
    else:
        load_batch(job=job, batch=batch, report=report, processed=processed, last=last)


def load_batch(
    *, job: ImportJob, batch: list[importing.Parsed], report: importing.Report, processed: int, last: bool
) -> None:
    """Insert one batch of parsed rows, skipping duplicates and do-not-call numbers, and record progress."""
    campaign = Campaign.objects.select_for_update().get(pk=job.campaign_id)
    numbers = [p.phone_e164 for p in batch]
    existing = set(
        Contact.objects.filter(campaign=campaign, phone_e164__in=numbers).values_list("phone_e164", flat=True)
    )
    blocked = set(DoNotCall.objects.filter(phone_e164__in=numbers).values_list("phone_e164", flat=True))
    blocked |= suppression.suppressed_phones(numbers)  # erased people: never loaded again
    now = timezone.now()
    new: list[importing.Parsed] = []
    for parsed in batch:
        if parsed.phone_e164 in blocked:
            report.blocked(parsed.number)
        elif parsed.phone_e164 in existing:
            report.duplicate(parsed.number)
        else:
            existing.add(parsed.phone_e164)
            report.zones.add(parsed.time_zone)
            new.append(parsed)
    importing.insert(campaign.pk, new, now)
    report.loaded += len(new)
    zones = sorted(set(campaign.time_zones) | report.zones)
    if zones != campaign.time_zones:
        Campaign.objects.filter(pk=campaign.pk).update(time_zones=zones)
    job.processed_rows = min(processed, job.total_rows)
    for name in ("loaded", "duplicates", "do_not_call", "invalid_count"):
        setattr(job, name, getattr(report, name))
    job.invalid, job.duplicate_rows, job.do_not_call_rows = (
        report.invalid,
        report.duplicate_rows,
        report.do_not_call_rows,
    )
    fields = [
        "processed_rows",
        "loaded",
        "duplicates",
        "do_not_call",
        "invalid_count",
        "invalid",
        "duplicate_rows",
        "do_not_call_rows",
    ]
    if last:
        job.status, job.finished_at, job.source, job.processed_rows = ImportStatus.DONE, now, "", job.total_rows
        fields += ["status", "finished_at", "source"]
    job.save(update_fields=fields)
    _import_hint(campaign.pk, job.pk)
    if new:
        progress.changed(campaign.pk, kind="contacts")


def _import_hint(campaign_id: int, job_id: int) -> None:
    from leveller.realtime.publish import publish

    publish(
        streams=[f"campaign-{campaign_id}"], type="phonebank.import", payload={"campaign": campaign_id, "job": job_id}
    )
