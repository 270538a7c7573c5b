"""Events API at /api/v1/events: the finder, one event, RSVP and cancel."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from leveller.events import access, finder
from leveller.events.actions import rsvps as rsvp_actions
from leveller.events.models import Event, RsvpStatus

PREFIX = "/events"
router = Router()


class EventOut(Schema):
    id: int
    title: str
    type: str
    type_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    online: bool
    in_person: bool
    host: str
    group: str | None = Field(None, description="The hosting group's slug; null for a national event.")
    url: str
    ics_url: str
    places_left: int | None = Field(None, description="Null when there is no limit.")
    distance_km: float | None = Field(None, description="From the postcode searched, for in-person events.")


class EventDetailOut(EventOut):
    description: str
    venue: str
    address: str
    postcode: str
    capacity: int | None
    status: str
    my_status: str | None = Field(None, description="going, waitlisted, cancelled, or null")
    waitlist_position: int | None = None
    online_url: str | None = Field(None, description="Only for members going, and hosts.")


class RsvpOut(Schema):
    status: str
    waitlist_position: int | None = None


def _local(moment: dt.datetime, event: Event) -> dt.datetime:
    return timezone.localtime(moment, event.zone)


def _summary(event: Event, distance_km: float | None = None) -> dict:
    going = getattr(event, "going_count", None)
    if going is None:
        going = event.rsvps.filter(status=RsvpStatus.GOING).count()
    return {
        "id": event.pk,
        "title": event.title,
        "type": event.type,
        "type_label": event.get_type_display(),
        "starts_at": _local(event.starts_at, event),
        "ends_at": _local(event.ends_at, event),
        "time_zone": event.time_zone,
        "online": event.online,
        "in_person": event.in_person,
        "host": event.host_name,
        "group": event.group.slug if event.group_id else None,
        "url": settings.SITE_URL + event.get_absolute_url(),
        "ics_url": settings.SITE_URL + event.ics_url,
        "places_left": None if event.capacity is None else max(0, event.capacity - going),
        "distance_km": distance_km,
    }


class EventFilters(Schema):
    from_: str = Field("", alias="from", description="ISO 8601 date or date-time; default now")
    to: str = Field("", description="ISO 8601 date (inclusive) or date-time")
    type: str = Field("", description="talk, skillshare, training, phonebank, meeting, social, action, rally")
    group: str = Field("", description="A group's id or slug")
    postcode: str = Field("", description="A UK postcode or district: adds distance_km")
    online: bool | None = Field(None, description="true: online events; false: in-person events")
    within_km: float | None = Field(None, description="With postcode: only events this close (and online ones)")
    limit: int = Field(finder.MAX_RESULTS, ge=1, le=finder.MAX_RESULTS)


@router.get("", response=list[EventOut], summary="Upcoming events you may see")
def list_events(request, filters: Query[EventFilters]):
    found, _ = finder.find_events(
        request.auth,
        start=finder.parse_when(filters.from_),
        end=finder.parse_when(filters.to, end_of_day=True),
        type=filters.type,
        group=finder.resolve_group(filters.group),
        postcode=filters.postcode,
        online=filters.online,
        within_km=filters.within_km,
        limit=filters.limit,
    )
    return [_summary(f.event, f.distance_km) for f in found]


@router.get("/{event_id}", response=EventDetailOut, summary="One event")
def get_event(request, event_id: int):
    event = access.visible_event(request.auth, event_id)
    rsvp = access.rsvp_of(request.auth, event)
    return {
        **_summary(event),
        "description": event.description,
        "venue": event.venue,
        "address": event.address,
        "postcode": event.postcode,
        "capacity": event.capacity,
        "status": event.status,
        "my_status": rsvp.status if rsvp else None,
        "waitlist_position": rsvp_actions.waitlist_position(rsvp),
        "online_url": event.online_url if access.sees_joining_link(request.auth, event, rsvp) else None,
    }


@router.post("/{event_id}/rsvp", response=RsvpOut, summary="RSVP: going, or on the waitlist when full")
def rsvp(request, event_id: int):
    event = access.visible_event(request.auth, event_id)
    result = rsvp_actions.rsvp(actor=request.auth, event=event)
    return {"status": result.status, "waitlist_position": rsvp_actions.waitlist_position(result)}


@router.delete("/{event_id}/rsvp", response=RsvpOut, summary="Cancel your RSVP")
def cancel_rsvp(request, event_id: int):
    event = access.visible_event(request.auth, event_id)
    result = rsvp_actions.cancel_rsvp(actor=request.auth, event=event)
    if result is None:
        raise ValidationError("You had not RSVP'd to this event.")
    return {"status": result.status}
