"""The events list as people browse it: "this week" / "this month" ranges, pages of results, and a month
calendar, all in the viewer's own time zone."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.utils import timezone

from leveller.core import clock
from leveller.events.presenters import viewer_zone

PER_PAGE = 20
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
PERIODS = {"": "All upcoming", "week": "This week", "month": "This month"}


def period_range(period: str, viewer, now: dt.datetime | None = None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(start, end) of "this week" (to Sunday night) or "this month" in the viewer's zone; (None, None) for all."""
    if period not in PERIODS:
        raise ValidationError(f"“{period}” is not a period: choose this week or this month.")
    if not period:
        return None, None
    zone = viewer_zone(viewer)
    local = timezone.localtime(now or clock.now(), zone)
    today = local.date()
    if period == "week":
        last = today + dt.timedelta(days=6 - today.weekday())
    else:
        last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return None, end


def page_of(rows: list, number: str):
    return Paginator(rows, PER_PAGE).get_page(number)


def parse_month(text: str, viewer) -> dt.date:
    """The first day of the month asked for ("2026-12"), or of the viewer's current month."""
    if text:
        try:
            year, month = (int(part) for part in text.split("-", 1))
            return dt.date(year, month, 1)
        except ValueError:
            raise ValidationError(f"“{text}” is not a month: use the form 2026-12.") from None
    return timezone.localtime(clock.now(), viewer_zone(viewer)).date().replace(day=1)


def month_bounds(first: dt.date, viewer) -> tuple[dt.datetime, dt.datetime]:
    zone = viewer_zone(viewer)
    days = calendar.monthrange(first.year, first.month)[1]
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    return start, start + dt.timedelta(days=days)


@dataclass
class Day:
    date: dt.date | None
    today: bool = False
    rows: list = field(default_factory=list)


def month_grid(first: dt.date, rows: list, viewer) -> list[list[Day]]:
    """Weeks (Monday first) of days, each with the events starting that day (in the viewer's zone)."""
    zone = viewer_zone(viewer)
    today = timezone.localtime(clock.now(), zone).date()
    by_day: dict[dt.date, list] = {}
    for row in rows:
        by_day.setdefault(timezone.localtime(row["event"].starts_at, zone).date(), []).append(row)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append(
            [
                Day(date=day, today=day == today, rows=by_day.get(day, [])) if day.month == first.month else Day(None)
                for day in week
            ]
        )
    return weeks


def neighbours(first: dt.date) -> tuple[str, str]:
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return f"{previous:%Y-%m}", f"{following:%Y-%m}"
