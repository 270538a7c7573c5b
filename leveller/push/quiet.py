"""Quiet hours, in the member's own time zone: pushes that fall inside them wait until they end."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings


def member_zone(member) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(member.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def quiet_until(start: dt.time | None, end: dt.time | None, zone, now: dt.datetime) -> dt.datetime | None:
    """When the quiet hours around `now` end, or None when `now` is not in quiet hours (or there are none).
    A start later than the end (22:00 to 07:00) runs overnight."""
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    time = local.time().replace(tzinfo=None)
    if start < end:
        if not start <= time < end:
            return None
        end_day = local.date()
    else:
        if end <= time < start:
            return None
        end_day = local.date() + dt.timedelta(days=1) if time >= start else local.date()
    return dt.datetime.combine(end_day, end, tzinfo=zone).astimezone(dt.UTC)
