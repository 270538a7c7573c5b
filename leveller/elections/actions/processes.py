"""Staff set up a decision process (e.g. a re-foundation) and its stage dates."""

from __future__ import annotations

import itertools

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from leveller.core import audit
from leveller.elections.actions.setup import _require_staff
from leveller.elections.models import Process

STAGES = (
    "proposals_open_at",
    "proposals_close_at",
    "amendments_close_at",
    "deliberation_close_at",
    "voting_opens_at",
    "voting_closes_at",
    "results_at",
)
FIELDS = ("description", "seconders_needed", "amendment_seconders_needed", "standing_orders_group", *STAGES)


def _check(process: Process) -> None:
    dates = [(f, getattr(process, f)) for f in STAGES if getattr(process, f)]
    for (a, first), (b, second) in itertools.pairwise(dates):
        if second < first:
            raise ValidationError(
                f"The stages must be in order: {b.replace('_', ' ')} is before {a.replace('_', ' ')}."
            )


@transaction.atomic
def create_process(*, actor, title: str, slug: str = "", **fields) -> Process:
    _require_staff(actor)
    if unknown := set(fields) - set(FIELDS):
        raise ValueError(f"unknown process settings: {sorted(unknown)}")
    title = (title or "").strip()
    if not title:
        raise ValidationError("Give the process a title.")
    process = Process(title=title, slug=slugify(slug or title)[:120] or "process", created_by=actor, **fields)
    _check(process)
    try:
        with transaction.atomic():
            process.save()
    except IntegrityError:
        raise ValidationError(f"There is already a process at /{process.slug}/: choose another slug.")
    audit.record(actor=actor, action="process.created", target=process, summary=title)
    return process


@transaction.atomic
def update_process(*, actor, process: Process, **fields) -> Process:
    _require_staff(actor)
    if unknown := set(fields) - set(FIELDS) - {"title"}:
        raise ValueError(f"unknown process settings: {sorted(unknown)}")
    for field, value in fields.items():
        setattr(process, field, value)
    _check(process)
    process.save()
    audit.record(actor=actor, action="process.updated", target=process, summary=", ".join(fields))
    return process
