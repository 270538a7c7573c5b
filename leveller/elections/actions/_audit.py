"""Audit helpers: every setting change is recorded against the election, with before and after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from leveller.core import audit


def plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def record(*, actor, election, action: str, summary: str, changes: dict | None = None, **data) -> None:
    payload = {k: plain(v) for k, v in data.items()}
    if changes:
        payload["changes"] = {field: {"before": plain(b), "after": plain(a)} for field, (b, a) in changes.items()}
    audit.record(actor=actor, action=f"election.{action}", target=election, summary=summary, data=payload)
