"""The realtime event log's part of members' data rights: it is pruned after LEVELLER_EVENT_RETENTION_HOURS."""

from __future__ import annotations

import datetime as dt

from leveller.privacy.registry import declare, retention
from leveller.realtime.models import Event, Horizon

declare(
    Event,
    what="A copy of each live update pushed to browsers (new messages, RSVP counts …)",
    why="Letting a browser that lost its connection catch up",
    basis="Legitimate interests",
    kept="LEVELLER_EVENT_RETENTION_HOURS (default 72 hours)",
    who="The browsers subscribed to the stream",
)
declare(
    Horizon,
    what="How far the event log was pruned (no personal data)",
    why="Resuming live updates",
    basis="Not personal data",
    kept="One row, always",
    who="Nobody",
)


@retention(
    "realtime.events",
    title="Realtime event log",
    days=3,
    describe="Live updates are kept for LEVELLER_EVENT_RETENTION_HOURS (the days setting here is informative).",
)
def prune_events(*, days: int, now: dt.datetime, dry_run: bool) -> int:
    from leveller.realtime.consumer import retention as kept_for
    from leveller.realtime.prune import prune

    if dry_run:
        return Event.objects.filter(created_at__lt=now - kept_for()).count()
    return prune(now=now)
