"""Abuse limits on calling: a caller sees contact details one at a time, and not faster than a person calls.

Each limit is counted per caller (across campaigns) by the shared limiter (leveller/core/limits.py):
- `next` at most LEVELLER_PHONEBANK_NEXT_PER_MINUTE times a minute;
- `release` at most LEVELLER_PHONEBANK_RELEASES_PER_HOUR times an hour;
- at most LEVELLER_PHONEBANK_CONTACTS_PER_HOUR different contacts handed out an hour.
A released contact is kept for the caller who released it for LEVELLER_PHONEBANK_RELEASE_COOLDOWN_MINUTES
(their next `next` gives it back), so looping next/release shows one contact, not the list.
The first refusal of a window writes an audit entry on the campaign, which its organisers see on the dashboard.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from leveller.core import audit, limits
from leveller.phonebank import progress

ALERT_ACTION = "phonebank.caller_limited"
ALERT_HOURS = 24


class Limited(Exception):
    """Raised inside the action's transaction; `alert()` is called by the action once that has rolled back."""

    def __init__(self, message: str, retry_after: int, *, alert=None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self._alert = alert

    def body(self) -> dict:
        return {"detail": self.message, "retry_after": self.retry_after}

    def alert(self) -> None:
        if self._alert is not None:
            self._alert()


def _next_rate() -> limits.Rate:
    return limits.Rate("pb-next", settings.PHONEBANK_NEXT_PER_MINUTE, 60)


def _release_rate() -> limits.Rate:
    return limits.Rate("pb-release", settings.PHONEBANK_RELEASES_PER_HOUR, 3600)


def _contacts_rate() -> limits.Rate:
    return limits.Rate("pb-contacts", settings.PHONEBANK_CONTACTS_PER_HOUR, 3600)


def cooldown() -> dt.timedelta:
    return dt.timedelta(minutes=settings.PHONEBANK_RELEASE_COOLDOWN_MINUTES)


def _refuse(verdict: limits.Verdict, rate: limits.Rate, *, actor, campaign, what: str) -> None:
    if verdict.allowed:
        return

    def alert() -> None:
        audit.record(
            actor=actor,
            action=ALERT_ACTION,
            target=campaign,
            summary=f"{actor.display_name} went over the limit of {rate.describe()} {what}",
            data={"limit": rate.name, "caller": actor.pk},
        )
        progress.changed(campaign.pk, kind="alert")

    minutes = max(1, round(verdict.retry_after / 60))
    raise Limited(
        f"You have reached the limit of {rate.describe()} {what}. Try again in about {minutes} minute"
        f"{'s' if minutes != 1 else ''}; the campaign's organisers have been told.",
        verdict.retry_after,
        alert=alert if verdict.just_tripped else None,
    )


def check_next(*, actor, campaign) -> None:
    rate = _next_rate()
    _refuse(limits.hit(rate, actor.pk), rate, actor=actor, campaign=campaign, what="requests for a contact")


def check_release(*, actor, campaign) -> None:
    rate = _release_rate()
    _refuse(limits.hit(rate, actor.pk), rate, actor=actor, campaign=campaign, what="released calls")


def check_new_contact(*, actor, campaign, contact_id: int) -> None:
    """Before a contact is handed to this caller: count it if they have not had it this hour."""
    rate = _contacts_rate()
    if rate.count <= 0:
        return
    window = int(timezone.now().timestamp() // rate.seconds)
    seen = f"limit:pb-seen:{actor.pk}:{contact_id}:{window}"
    if cache.get(seen):
        return
    _refuse(limits.hit(rate, actor.pk), rate, actor=actor, campaign=campaign, what="different contacts")
    cache.set(seen, 1, timeout=rate.seconds + 5)


def recent_alerts(campaign, now: dt.datetime) -> list[dict]:
    """Limit trips in this campaign in the last day, newest first, for its organisers' dashboard."""
    from leveller.core.models import AuditEntry

    rows = (
        AuditEntry.objects.about(campaign)
        .filter(action=ALERT_ACTION, created_at__gte=now - dt.timedelta(hours=ALERT_HOURS))
        .select_related("actor")[:50]
    )
    return [
        {"at": row.created_at.isoformat(timespec="seconds"), "caller_id": row.data.get("caller"), "text": row.summary}
        for row in rows
    ]
