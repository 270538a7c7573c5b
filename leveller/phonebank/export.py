"""The results CSV for a campaign's organisers: one row per contact with outcome, answers, time, attempts, caller."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, Subquery

from leveller.core import csvfile
from leveller.core.text import spreadsheet_safe
from leveller.phonebank.models import EXPIRED, RELEASED, Call, Contact

safe = spreadsheet_safe  # text that came from a contact list or a caller


def rows(campaign) -> Iterator[str]:
    writer = csvfile.line_writer()
    questions = campaign.questions
    field_keys = _field_keys(campaign)
    yield writer.writerow(
        [
            "name",
            "phone",
            "postcode",
            "country",
            "time_zone",
            *field_keys,
            "status",
            "outcome",
            "attempts",
            "last_called_at_utc",
            "caller",
            *[q["id"] for q in questions],
        ]
    )
    last_call = Call.objects.filter(contact=OuterRef("pk")).exclude(outcome__in=["", RELEASED, EXPIRED]).order_by("-id")
    contacts = (
        Contact.objects.filter(campaign=campaign)
        .annotate(
            final_answers=Subquery(last_call.filter(outcome="answered").values("answers")[:1]),
            caller_name=Subquery(last_call.values("caller__display_name")[:1]),
        )
        .order_by("id")
    )
    for contact in contacts.iterator(chunk_size=2000):
        answers = contact.final_answers or {}
        if isinstance(answers, str):  # some backends hand JSON from a subquery back as text
            import json

            answers = json.loads(answers)
        status = "finished" if contact.done else ("waiting" if contact.attempts == 0 else "to retry")
        yield writer.writerow(
            [
                safe(contact.name),
                contact.phone_e164,
                safe(contact.postcode),
                contact.country,
                contact.time_zone,
                *[safe(contact.fields.get(k, "")) for k in field_keys],
                status,
                contact.last_outcome,
                contact.attempts,
                contact.last_called_at.isoformat(timespec="seconds") if contact.last_called_at else "",
                safe(contact.caller_name or ""),
                *[safe(_answer(answers.get(q["id"]))) for q in questions],
            ]
        )


def _answer(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _field_keys(campaign) -> list[str]:
    keys: dict[str, None] = {}
    for fields in Contact.objects.filter(campaign=campaign).values_list("fields", flat=True)[:2000]:
        keys.update(dict.fromkeys(fields or {}))
    return list(keys)
