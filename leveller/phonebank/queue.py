"""Choosing the next contact for a caller: the one read that must be safe under concurrency.

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED … LIMIT 1` inside the action's transaction, so concurrent
callers each lock a different row and never wait on each other. SQLite: the action's transaction is
`BEGIN IMMEDIATE` (see settings), which takes the database's write lock before the read, so assignments are
serialised. Either way the row is re-checked by the database under the lock before it is claimed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from leveller.core import rawload
from leveller.phonebank import hours
from leveller.phonebank.models import Contact


def lease_length() -> dt.timedelta:
    return dt.timedelta(minutes=settings.PHONEBANK_LEASE_MINUTES)


def presence_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.PHONEBANK_PRESENCE_MINUTES)


def callback_grace() -> dt.timedelta:
    return dt.timedelta(minutes=settings.PHONEBANK_CALLBACK_GRACE_MINUTES)


def held_by(campaign, member, now: dt.datetime) -> int | None:
    """The open call id of the contact this caller holds in this campaign, if any."""
    sql = _HELD.format(index=_index("pb_contact_holder"))
    row = rawload.execute(sql, [member.pk, campaign.pk, False, db_time(now)]).fetchone()
    return row[0] if row else None


def caller_row(campaign, member, now: dt.datetime, *, stale_before: dt.datetime):
    """Lock the caller's row in this campaign (one assignment at a time per caller) and read, in the same
    statement, whether their presence needs refreshing, which contact they already hold, and whether any
    call-back promised to them is due: `(row id, stale, held call id or None, call-back due)`, or None when
    they have no row yet."""
    lock = " FOR UPDATE OF p" if connection.features.has_select_for_update else ""
    held = _HELD.format(index=_index("pb_contact_holder")).strip()
    due = _DUE.format(index=_index("pb_contact_promised")).strip()
    sql = (
        f"SELECT p.id, (p.last_seen_at < %s OR p.last_seen_at > %s), ({held}), EXISTS ({due})"  # noqa: S608
        f" FROM phonebank_campaigncaller p WHERE p.campaign_id = %s AND p.member_id = %s{lock}"
    )
    at = db_time(now)
    params = [db_time(stale_before), at, member.pk, campaign.pk, False, at, member.pk, campaign.pk, False, at]
    return rawload.execute(sql, [*params, campaign.pk, member.pk]).fetchone()


def _index(name: str) -> str:
    """Name the index on SQLite, whose planner (no statistics gathered) otherwise walks the whole queue index."""
    return f" INDEXED BY {name}" if connection.vendor == "sqlite" else ""


@dataclass(frozen=True)
class Candidate:
    contact: Contact
    blocked: bool  # on the do-not-call list (added while this contact was being loaded)

    @property
    def id(self) -> int:
        return self.contact.pk


# The hot path is plain SQL: the ORM's query building cost more than the query itself. Each statement reads
# one index and stops at the first row: a caller's held contact by (holder, campaign), their own call-backs by
# (preferred_caller, campaign), everyone's queue by (campaign, done, available_at). Without the index named,
# SQLite walked the queue index for the first two: a scan of every waiting or deferred contact per request.
_HELD = """
SELECT c.lease_call_id FROM phonebank_contact c{index}
WHERE c.holder_id = %s AND c.campaign_id = %s AND c.done = %s AND c.lease_call_id IS NOT NULL AND c.available_at > %s
LIMIT 1
"""
_DUE = """
SELECT 1 FROM phonebank_contact c{index}
WHERE c.preferred_caller_id = %s AND c.campaign_id = %s AND c.done = %s AND c.available_at <= %s
"""
_PICK = """
SELECT {columns}, d.id IS NOT NULL
FROM phonebank_contact c{index} LEFT JOIN phonebank_donotcall d ON d.phone_e164 = c.phone_e164
WHERE {which} c.campaign_id = %s AND c.done = %s AND c.available_at <= %s AND c.time_zone IN ({zones})
ORDER BY c.available_at, c.id
LIMIT 1{lock}
"""
_MINE = "c.preferred_caller_id = %s AND"
_ANYONE = """NOT (c.preferred_caller_id IS NOT NULL AND c.callback_at > %s AND c.preferred_caller_id IN (
    SELECT p.member_id FROM phonebank_campaigncaller p
    WHERE p.campaign_id = %s AND p.last_seen_at >= %s AND p.member_id <> %s)) AND"""


def _first(
    campaign_id: int, zones: list[str], now: dt.datetime, which: str, params: list, index: str
) -> Candidate | None:
    lock = " FOR UPDATE OF c SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    sql = _PICK.format(
        columns=rawload.columns(Contact, "c"),
        zones=", ".join(["%s"] * len(zones)),
        which=which,
        lock=lock,
        index=_index(index),
    )
    row = rawload.execute(sql, [*params, campaign_id, False, db_time(now), *zones]).fetchone()
    return Candidate(rawload.build(Contact, row[:-1]), bool(row[-1])) if row else None


def db_time(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def pick(campaign, member, now: dt.datetime, *, callbacks_due: bool = True) -> Candidate | None:
    """Lock and return the contact this caller should call now, or None.

    Order: this caller's own due call-backs first; then everyone else's queue, oldest `available_at` first,
    leaving alone call-backs promised to another caller who is online, until the grace period has passed.
    Only contacts whose own local time is inside calling hours are considered. `callbacks_due=False` (the
    caller's row said none of their call-backs is due) skips looking for their own.
    """
    zones = hours.open_zones(campaign, now)
    if not zones:
        return None
    if callbacks_due:
        mine = _first(campaign.pk, zones, now, _MINE, [member.pk], "pb_contact_promised")
        if mine is not None:
            return mine
    params = [db_time(now - callback_grace()), campaign.pk, db_time(now - presence_window()), member.pk]
    return _first(campaign.pk, zones, now, _ANYONE, params, "pb_contact_queue")
