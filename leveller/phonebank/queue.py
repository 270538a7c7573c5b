"""Choosing the next contact for a caller: the one read that must be safe under concurrency.

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED … LIMIT 1` inside the action's transaction, so concurrent
callers each lock a different row and never wait on each other. SQLite: the action's transaction is
`BEGIN IMMEDIATE` (see settings), which takes the database's write lock before the read, so assignments are
serialised. Either way the row is re-checked by the database under the lock before it is claimed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.db.models import Q

from leveller.phonebank import hours
from leveller.phonebank.models import CampaignCaller, Contact


def lease_length() -> dt.timedelta:
    return dt.timedelta(minutes=settings.PHONEBANK_LEASE_MINUTES)


def presence_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.PHONEBANK_PRESENCE_MINUTES)


def callback_grace() -> dt.timedelta:
    return dt.timedelta(minutes=settings.PHONEBANK_CALLBACK_GRACE_MINUTES)


def held_by(campaign, member, now: dt.datetime) -> Contact | None:
    return Contact.objects.filter(
        campaign=campaign, holder=member, done=False, lease_call_id__isnull=False, available_at__gt=now
    ).first()


def _lock_first(queryset) -> Contact | None:
    queryset = queryset.order_by("available_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True)
    return queryset.first()


def pick(campaign, member, now: dt.datetime) -> Contact | None:
    """Lock and return the contact this caller should call now, or None.

    Order: this caller's own due call-backs first; then everyone else's queue, oldest `available_at` first,
    leaving alone call-backs promised to another caller who is online, until the grace period has passed.
    Only contacts whose own local time is inside calling hours are considered.
    """
    zones = hours.open_zones(campaign, now)
    if not zones:
        return None
    due = Contact.objects.filter(campaign=campaign, done=False, available_at__lte=now, time_zone__in=zones)
    mine = _lock_first(due.filter(preferred_caller=member))
    if mine is not None:
        return mine
    online_others = (
        CampaignCaller.objects.filter(campaign=campaign, last_seen_at__gte=now - presence_window())
        .exclude(member=member)
        .values("member_id")
    )
    promised = Q(preferred_caller_id__in=online_others, callback_at__gt=now - callback_grace())
    return _lock_first(due.exclude(promised))
