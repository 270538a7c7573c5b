"""RFC 5545 calendars (icalendar): one event's .ics and a member's private feed, with VTIMEZONEs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from leveller.events.models import Event, EventStatus

PRODID = "-//Leveller//Events//EN"


def _uid(event: Event) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "leveller"
    return f"event-{event.pk}@{host}"


def _location(event: Event) -> str:
    parts = [event.venue, event.address.replace("\n", ", "), event.postcode] if event.in_person else []
    text = ", ".join(p.strip() for p in parts if p and p.strip())
    if event.online:
        text = f"{text} (and online)" if text else "Online"
    return text


def vevent(event: Event, *, with_link: bool) -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", _uid(event))
    item.add("dtstamp", timezone.now())
    item.add("sequence", event.sequence)
    item.add("summary", event.title)
    # Local wall-clock times with TZID: calendar apps keep them right across daylight-saving changes.
    item.add("dtstart", event.local_starts_at)
    item.add("dtend", event.local_ends_at)
    item.add("last-modified", event.updated_at)
    url = settings.SITE_URL + reverse("events:detail", args=[event.pk])
    item.add("url", url)
    description = event.description.strip()
    if with_link and event.online and event.online_url:
        description = f"{description}\n\nJoin online: {event.online_url}".strip()
        item.add("conference", event.online_url, parameters={"VALUE": "URI"})
    item.add("description", f"{description}\n\n{url}".strip())
    location = _location(event)
    if location:
        item.add("location", location)
    if event.latitude is not None and event.longitude is not None:
        item.add("geo", (event.latitude, event.longitude))
    item.add(
        "organizer",
        f"mailto:{settings.DEFAULT_FROM_EMAIL.rsplit('<', 1)[-1].rstrip('>')}",
        parameters={"CN": event.host_name},
    )
    item.add("categories", [event.get_type_display()])
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    return item


def calendar(events: Iterable[tuple[Event, bool]], *, name: str) -> bytes:
    """`events`: (event, whether this reader may see its joining link)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    dates = []
    for event, with_link in events:
        cal.add_component(vevent(event, with_link=with_link))
        dates.append(event.local_starts_at.date())
    if dates:
        # Only the transitions around these events, not every one since 1970.
        cal.add_missing_timezones(
            first_date=min(dates) - dt.timedelta(days=366), last_date=max(dates) + dt.timedelta(days=366)
        )
    return cal.to_ical()
