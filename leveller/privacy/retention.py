"""Retention: each domain declares rules (registry.retention) with a default period; admins may change the
period or switch a rule off (RetentionPolicy). The daily task runs them all, logging a RetentionRun with
counts per rule; a dry run counts what would go, deleting nothing. Changing a period and the run itself
are in actions/retention.py."""

from __future__ import annotations

from leveller.privacy import registry
from leveller.privacy.models import RetentionPolicy


def policies() -> list[dict]:
    """Every rule with its effective setting, for the admin page and the register."""
    saved = {p.key: p for p in RetentionPolicy.objects.all()}
    rows = []
    for rule in registry.retention_rules():
        policy = saved.get(rule.key)
        rows.append(
            {
                "rule": rule,
                "key": rule.key,
                "days": policy.days if policy else rule.days,
                "enabled": policy.enabled if policy else True,
                "default_days": rule.days,
                "policy": policy,
            }
        )
    return rows
