"""Calling hours, always judged in the CONTACT's own time zone.

A campaign's contacts span a handful of time zones (kept in `Campaign.time_zones`). Deciding which of those
zones are inside calling hours right now is a loop over that short list; the queue query then filters on
`time_zone IN (open zones)`, so the check costs nothing per contact however long the list is.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

SUNDAY = 6


@functools.lru_cache(maxsize=1024)
def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_time(name: str, now: dt.datetime) -> dt.datetime:
    return now.astimezone(zone(name))


def is_open(campaign, zone_name: str, now: dt.datetime) -> bool:
    local = local_time(zone_name, now)
    if local.weekday() == SUNDAY and not campaign.call_on_sundays:
        return False
    return campaign.calling_start <= local.time().replace(tzinfo=None) < campaign.calling_end


def open_zones(campaign, now: dt.datetime) -> list[str]:
    return [name for name in campaign.time_zones if is_open(campaign, name, now)]


def describe(campaign) -> str:
    days = "every day" if campaign.call_on_sundays else "Monday to Saturday"
    return f"{campaign.calling_start:%H:%M}–{campaign.calling_end:%H:%M}, {days}, in each contact's own time"


def next_opening(campaign, now: dt.datetime) -> dt.datetime | None:
    """The first instant after `now` when some contact's calling hours open (None: no contacts, or all open)."""
    if not campaign.time_zones or open_zones(campaign, now):
        return None
    soonest = None
    for name in campaign.time_zones:
        local = local_time(name, now)
        for days in range(8):
            day = local.date() + dt.timedelta(days=days)
            if day.weekday() == SUNDAY and not campaign.call_on_sundays:
                continue
            opening = dt.datetime.combine(day, campaign.calling_start, tzinfo=zone(name))
            if opening > now:
                soonest = opening if soonest is None or opening < soonest else soonest
                break
    return soonest
