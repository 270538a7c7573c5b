"""The one way to write the audit log."""

from __future__ import annotations

from typing import Any

from leveller.core import rawload
from leveller.core.models import AuditEntry


def record(*, actor, action: str, target=None, summary: str = "", data: dict[str, Any] | None = None) -> AuditEntry:
    entry = AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        data=data or {},
    )
    return rawload.insert(entry)  # on hot paths (every contact a caller is shown), so without the ORM's build
