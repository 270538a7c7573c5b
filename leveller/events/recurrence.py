"""Occurrences of a repeating event, computed on the wall clock of the event's own time zone, so a weekly
7pm meeting stays at 7pm local time across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

from leveller.events.models import Frequency


def _rule(frequency: str, start: dt.datetime, count: int) -> rrule:
    if frequency == Frequency.WEEKLY:
        return rrule(WEEKLY, dtstart=start, count=count)
    if frequency == Frequency.FORTNIGHTLY:
        return rrule(WEEKLY, interval=2, dtstart=start, count=count)
    if frequency == Frequency.MONTHLY:
        nth = (start.day - 1) // 7 + 1
        # The fifth Tuesday does not exist every month: "the last Tuesday" does.
        by = weekday(start.weekday(), -1 if nth == 5 else nth)
        return rrule(MONTHLY, byweekday=by, dtstart=start, count=count)
    raise ValueError(f"unknown frequency {frequency!r}")


def occurrences(
    starts_at: dt.datetime, ends_at: dt.datetime, zone: zoneinfo.ZoneInfo, frequency: str, count: int
) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) pairs in UTC for `count` occurrences, the first being the given one."""
    local_start = starts_at.astimezone(zone).replace(tzinfo=None)
    local_end = ends_at.astimezone(zone).replace(tzinfo=None)
    duration = local_end - local_start
    result = []
    for naive in _rule(frequency, local_start, count):
        start = naive.replace(tzinfo=zone).astimezone(dt.UTC)
        end = (naive + duration).replace(tzinfo=zone).astimezone(dt.UTC)
        result.append((start, end))
    return result
