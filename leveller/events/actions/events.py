"""Every change to events (RSVPs are in rsvps.py). Views, the API, commands, tasks and demo data call these."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.core import audit, clock
from leveller.core.access import require_member
from leveller.core.mail import send_templated
from leveller.events import access, reminders
from leveller.events.actions.rsvps import broadcast, lock_event, promote
from leveller.events.models import (
    Audience,
    CalendarFeed,
    Event,
    EventStatus,
    EventType,
    Frequency,
    RsvpStatus,
    Series,
)
from leveller.events.recurrence import occurrences
from leveller.realtime.publish import publish

MAX_OCCURRENCES = 52
EDITABLE = {
    "title",
    "description",
    "type",
    "audience",
    "starts_at",
    "ends_at",
    "time_zone",
    "online",
    "online_url",
    "in_person",
    "venue",
    "address",
    "postcode",
    "capacity",
}


def _check_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": f"“{name}” is not a time zone. Choose one such as Europe/London."})
    return name


def _place(event: Event) -> None:
    """Validate where the event happens and derive its postcode district and centre for distance searches."""
    from leveller.groups.postcodes import centroid, outcode_for

    if not event.online and not event.in_person:
        raise ValidationError("Say whether the event is online, in person, or both.")
    if event.online_url and not event.online_url.startswith(("https://", "http://")):
        raise ValidationError({"online_url": "The joining link must start with https://."})
    if event.in_person and not (event.address.strip() or event.postcode.strip()):
        raise ValidationError({"address": "Give the address of an in-person event."})
    event.outcode, event.latitude, event.longitude = "", None, None
    if event.in_person and event.postcode.strip():
        event.outcode = outcode_for(event.postcode)
        event.postcode = event.postcode.strip().upper()
        event.latitude, event.longitude = centroid(event.outcode) or (None, None)
    if not event.in_person:
        event.venue = event.address = event.postcode = ""


def _validate(event: Event, *, new: bool) -> None:
    _check_zone(event.time_zone)
    if event.type not in EventType.values:
        raise ValidationError({"type": "Choose a type of event."})
    if not event.title.strip():
        raise ValidationError({"title": "Give the event a title."})
    if event.starts_at is None or event.ends_at is None:
        raise ValidationError("Give the start and end time.")
    if timezone.is_naive(event.starts_at) or timezone.is_naive(event.ends_at):
        raise ValueError("event times must be aware datetimes")
    # Events are scheduled to the minute.
    event.starts_at = event.starts_at.replace(second=0, microsecond=0)
    event.ends_at = event.ends_at.replace(second=0, microsecond=0)
    if event.ends_at <= event.starts_at:
        raise ValidationError({"ends_at": "The event must end after it starts."})
    if event.ends_at - event.starts_at > dt.timedelta(days=14):
        raise ValidationError({"ends_at": "An event can last at most 14 days."})
    if new and event.starts_at < clock.now() - dt.timedelta(minutes=5):
        raise ValidationError({"starts_at": "The start time is in the past."})
    if event.audience == Audience.GROUP and event.group_id is None:
        raise ValidationError({"audience": "A national event is open to all members."})
    if event.capacity is not None and event.capacity < 1:
        raise ValidationError({"capacity": "Capacity must be at least 1, or empty for no limit."})
    _place(event)
    event.full_clean(validate_constraints=False, exclude=["group", "course", "series", "created_by", "decided_by"])


def _organisers(group_id) -> list:
    from leveller.accounts.models import Member

    if group_id is None:
        return []
    return list(
        Member.objects.active().filter(group_memberships__group_id=group_id, group_memberships__role="organiser")
    )


@transaction.atomic
def create_event(
    *,
    actor,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    time_zone: str = "Europe/London",
    type: str = EventType.MEETING,
    group=None,
    repeat: str = "",
    count: int = 1,
    course=None,
    **fields,
) -> Event:
    """Create an event (or a repeating series; returns the first). Published at once when the actor may
    approve it; otherwise it waits for the group's organisers or staff."""
    require_member(actor)
    if group is None and not actor.is_staff_member:
        raise PermissionDenied("Only staff can create national events. Choose your group.")
    if group is not None and not access.can_create_for(actor, group):
        raise PermissionDenied("You can submit events only for groups you belong to.")
    if group is not None and group.status != "approved":
        raise ValidationError("That group is not approved yet.")
    if course is not None and not actor.is_staff_member:
        raise PermissionDenied("Only staff can add course sessions.")
    if course is not None and group is not None:
        raise ValidationError("Course sessions are hosted by the organisation, not a group.")
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"unknown event fields: {sorted(unknown)}")
    event = Event(
        title=title.strip(),
        type=type,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        group=group,
        course=course,
        created_by=actor,
        **fields,
    )
    _validate(event, new=True)
    approved = actor.is_staff_member or (group is not None and access.organises(actor, group.pk))
    event.status = EventStatus.PUBLISHED if approved else EventStatus.PENDING
    if approved:
        event.decided_by, event.decided_at = actor, timezone.now()
    if repeat:
        return _create_series(actor=actor, first=event, frequency=repeat, count=count)
    event.save()
    _after_create(actor=actor, events=[event])
    return event


def _create_series(*, actor, first: Event, frequency: str, count: int) -> Event:
    if frequency not in Frequency.values:
        raise ValidationError({"repeat": "Choose weekly, fortnightly or monthly."})
    if not 2 <= count <= MAX_OCCURRENCES:
        raise ValidationError({"count": f"A repeating event has between 2 and {MAX_OCCURRENCES} occurrences."})
    series = Series.objects.create(frequency=frequency, created_by=actor)
    events = []
    for starts_at, ends_at in occurrences(first.starts_at, first.ends_at, first.zone, frequency, count):
        event = Event(**{f.attname: getattr(first, f.attname) for f in Event._meta.concrete_fields if f.name != "id"})
        event.starts_at, event.ends_at, event.series = starts_at, ends_at, series
        events.append(event)
    Event.objects.bulk_create(events)
    saved = list(Event.objects.filter(series=series).order_by("starts_at"))
    _after_create(actor=actor, events=saved)
    return saved[0]


def _after_create(*, actor, events: list[Event]) -> None:
    first = events[0]
    audit.record(
        actor=actor,
        action="event.created" if first.is_published else "event.submitted",
        target=first,
        summary=first.title,
        data={"occurrences": len(events), "series": first.series_id},
    )
    if first.status == EventStatus.PENDING:
        _ask_organisers(first, submitter=actor, count=len(events))


def _ask_organisers(event: Event, *, submitter, count: int) -> None:
    for organiser in _organisers(event.group_id):
        send_templated(
            to=organiser.email,
            template="events/email/awaiting_approval",
            context={"organiser": organiser, "event": event, "submitter": submitter, "count": count},
        )
    publish(
        streams=[f"user-{o.pk}" for o in _organisers(event.group_id)],
        type="event.submitted",
        payload={"event": event.pk, "title": event.title},
    )


@transaction.atomic
def update_event(*, actor, event: Event, **fields) -> Event:
    """Change one occurrence. Moving it re-times its reminders; more places promote the waitlist."""
    if not access.is_host(actor, event):
        raise PermissionDenied("Only the event's hosts can change it.")
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"unknown event fields: {sorted(unknown)}")
    event = lock_event(event)
    if event.status in (EventStatus.CANCELLED, EventStatus.REJECTED):
        raise ValidationError("This event was cancelled or not approved; it cannot be changed.")
    moved = "starts_at" in fields and fields["starts_at"] != event.starts_at
    for key, value in fields.items():
        setattr(event, key, value)
    _validate(event, new=False)
    if moved and event.starts_at < clock.now():
        raise ValidationError({"starts_at": "The new start time is in the past."})
    event.sequence += 1
    event.updated_at = timezone.now()
    # Approval is of what was approved: a host who may not approve (the member who submitted it) sends an
    # edited event back to the group's organisers, unpublished until one approves it again.
    resubmitted = event.status == EventStatus.PUBLISHED and not access.can_approve(actor, event)
    if resubmitted:
        event.status, event.decided_by, event.decided_at = EventStatus.PENDING, None, None
    event.save()
    if resubmitted:
        _ask_organisers(event, submitter=actor, count=1)
    promoted = promote(event)
    audit.record(actor=actor, action="event.updated", target=event, data={"fields": sorted(fields)})
    broadcast(event, promoted)
    if moved:
        transaction.on_commit(lambda: reminders.schedule_for_event_start(event.starts_at))
    return event


@transaction.atomic
def approve_event(*, actor, event: Event, note: str = "") -> Event:
    if not access.can_approve(actor, event):
        raise PermissionDenied("Only the group's organisers or staff can approve its events.")
    event = lock_event(event)
    if event.status != EventStatus.PENDING:
        raise ValidationError("This event is not awaiting approval.")
    siblings = _pending_siblings(event)
    now = timezone.now()
    siblings.update(status=EventStatus.PUBLISHED, decided_by=actor, decided_at=now, decision_note=note[:2000])
    audit.record(actor=actor, action="event.approved", target=event, summary=event.title)
    _tell_submitter(event, approved=True, note=note)
    return Event.objects.get(pk=event.pk)


@transaction.atomic
def reject_event(*, actor, event: Event, note: str) -> Event:
    if not access.can_approve(actor, event):
        raise PermissionDenied("Only the group's organisers or staff can decline its events.")
    if not note.strip():
        raise ValidationError({"note": "Say why, so the member can fix it and submit again."})
    event = lock_event(event)
    if event.status != EventStatus.PENDING:
        raise ValidationError("This event is not awaiting approval.")
    _pending_siblings(event).update(
        status=EventStatus.REJECTED, decided_by=actor, decided_at=timezone.now(), decision_note=note.strip()[:2000]
    )
    audit.record(actor=actor, action="event.rejected", target=event, summary=note[:300])
    _tell_submitter(event, approved=False, note=note)
    return Event.objects.get(pk=event.pk)


def _pending_siblings(event: Event):
    """Approving one occurrence of a submitted series approves the series."""
    if event.series_id:
        return Event.objects.filter(series_id=event.series_id, status=EventStatus.PENDING)
    return Event.objects.filter(pk=event.pk)


def _tell_submitter(event: Event, *, approved: bool, note: str) -> None:
    submitter = event.created_by
    if submitter is None:
        return
    send_templated(
        to=submitter.email,
        template="events/email/decision",
        context={
            "member": submitter,
            "event": event,
            "approved": approved,
            "note": note,
            "link": settings.SITE_URL + event.get_absolute_url(),
        },
    )
    publish(
        streams=[f"user-{submitter.pk}"],
        type="event.decided",
        payload={"event": event.pk, "approved": approved},
    )


@transaction.atomic
def cancel_event(*, actor, event: Event, reason: str = "") -> Event:
    if not access.is_host(actor, event):
        raise PermissionDenied("Only the event's hosts can cancel it.")
    event = lock_event(event)
    if event.status == EventStatus.CANCELLED:
        return event
    was_published = event.status == EventStatus.PUBLISHED
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason.strip()[:2000]
    event.sequence += 1
    event.updated_at = timezone.now()
    event.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    if was_published:
        for rsvp in event.rsvps.filter(status__in=[RsvpStatus.GOING, RsvpStatus.WAITLISTED]).select_related("member"):
            send_templated(
                to=rsvp.member.email,
                template="events/email/cancelled",
                context={"member": rsvp.member, "event": event, "reason": event.cancel_reason},
            )
    audit.record(actor=actor, action="event.cancelled", target=event, summary=reason[:300])
    broadcast(event, [])
    return event


# --- Calendar feed ---------------------------------------------------------------------------------


@transaction.atomic
def regenerate_calendar_feed(*, actor) -> CalendarFeed:
    """Create the member's private feed, or replace its address (the old one stops working at once)."""
    require_member(actor)
    feed, created = CalendarFeed.objects.get_or_create(member=actor, defaults={"token": CalendarFeed.new_token()})
    if not created:
        feed.token = CalendarFeed.new_token()
        feed.created_at = timezone.now()
        feed.last_fetched_at = None
        feed.save(update_fields=["token", "created_at", "last_fetched_at"])
    audit.record(actor=actor, action="calendar_feed.regenerated" if not created else "calendar_feed.created")
    return feed


def note_calendar_fetched(*, feed: CalendarFeed) -> None:
    """A calendar app fetched the private feed (no actor: the token is the key); the member sees when."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())


@transaction.atomic
def revoke_calendar_feed(*, actor) -> None:
    require_member(actor)
    deleted, _ = CalendarFeed.objects.filter(member=actor).delete()
    if deleted:
        audit.record(actor=actor, action="calendar_feed.revoked")
