"""The event finder's read: upcoming events a member may see, filtered, with distance from a postcode.
Shared by the finder page and GET /api/v1/events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from leveller.core import clock
from leveller.events.models import Event, EventType, RsvpStatus

MAX_RESULTS = 200


@dataclass
class Found:
    event: Event
    distance_km: float | None = None


def parse_when(text: str, *, end_of_day: bool = False) -> dt.datetime | None:
    """An ISO 8601 date or date-time; a date means the start (or end) of that day in the viewer's zone."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is not None:
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    try:
        day = parse_date(text)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(f"“{text}” is not a date. Use YYYY-MM-DD, or a date and time such as 2026-05-01T18:00.")
    if end_of_day:
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def resolve_group(text: str):
    from leveller.groups.models import Group

    text = (text or "").strip()
    if not text:
        return None
    group = Group.objects.filter(pk=int(text)).first() if text.isdigit() else Group.objects.filter(slug=text).first()
    if group is None:
        raise ValidationError(f"There is no group “{text}”.")
    return group


def find_events(
    member,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    type: str = "",
    group=None,
    postcode: str = "",
    online: bool | None = None,
    within_km: float | None = None,
    limit: int = MAX_RESULTS,
) -> tuple[list[Found], str | None]:
    """Returns (found events by start time, the postcode district searched from)."""
    from leveller.groups.postcodes import centroid, distance_km, outcode_for

    now = clock.now()
    start = max(start or now, now)
    events = Event.objects.visible_to(member).listed().filter(ends_at__gt=start)
    if end is not None:
        if end <= start:
            raise ValidationError("The end of the range must be after its start.")
        events = events.filter(starts_at__lt=end)
    if type:
        if type not in EventType.values:
            raise ValidationError(f"“{type}” is not a type of event. Choose from: {', '.join(EventType.values)}.")
        events = events.filter(type=type)
    if group is not None:
        events = events.filter(group=group)
    if online is True:
        events = events.filter(online=True)
    elif online is False:
        events = events.filter(in_person=True)
    origin = None
    if postcode.strip():
        origin = outcode_for(postcode)
    events = events.select_related("group").annotate(
        going_count=Count("rsvps", filter=Q(rsvps__status=RsvpStatus.GOING))
    )
    found = []
    here = centroid(origin) if origin else None
    for event in events.order_by("starts_at", "id")[: max(1, min(limit, MAX_RESULTS)) * (4 if within_km else 1)]:
        distance = None
        if here is not None and event.in_person and event.latitude is not None:
            distance = round(distance_km(here, (event.latitude, event.longitude)), 1)
        # Online events are within reach of everyone.
        too_far = not event.online and (distance is None or distance > (within_km or 0))
        if within_km is not None and here is not None and too_far:
            continue
        found.append(Found(event=event, distance_km=distance))
        if len(found) >= limit:
            break
    return found, origin
