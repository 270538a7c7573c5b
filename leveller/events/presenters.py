"""How events read on a page: times in the viewer's zone (and the event's own when it differs)."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from django.utils import dateformat, timezone

from leveller.events.models import Event


@dataclass
class When:
    viewer: str
    viewer_zone: str
    event_zone: str | None  # the event's own local time, when the viewer's zone differs
    iso: str


def _span(event: Event, zone: zoneinfo.ZoneInfo) -> str:
    start = timezone.localtime(event.starts_at, zone)
    end = timezone.localtime(event.ends_at, zone)
    text = dateformat.format(start, "D j M Y, H:i")
    text += "–" + dateformat.format(end, "H:i" if end.date() == start.date() else "D j M Y, H:i")
    return f"{text} {start.tzname()}"


def viewer_zone(viewer) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(getattr(viewer, "time_zone", "") or "Europe/London")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Europe/London")


def when(event: Event, viewer) -> When:
    zone = viewer_zone(viewer)
    mine = _span(event, zone)
    own = None
    if timezone.localtime(event.starts_at, zone).utcoffset() != event.local_starts_at.utcoffset():
        own = f"{_span(event, event.zone)} ({event.time_zone})"
    return When(viewer=mine, viewer_zone=str(zone), event_zone=own, iso=event.local_starts_at.isoformat())
