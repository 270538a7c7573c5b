"""RSVPs, the waitlist and attendance. The event row is locked for every change, so simultaneous RSVPs and
cancellations queue behind each other and never fill more places than there are."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.core import audit, clock
from leveller.core.access import require_member
from leveller.core.mail import send_templated
from leveller.events import access, reminders
from leveller.events.models import ApplicationStatus, CourseApplication, Event, EventStatus, Rsvp, RsvpStatus
from leveller.realtime.publish import publish


def lock_event(event: Event) -> Event:
    return Event.objects.select_for_update(of=("self",)).select_related("group").get(pk=event.pk)


def _counts(event: Event) -> dict[str, int]:
    rows = event.rsvps.exclude(status=RsvpStatus.CANCELLED).values_list("status", flat=True)
    going = sum(1 for s in rows if s == RsvpStatus.GOING)
    return {"going": going, "waitlisted": len(rows) - going}


def _may_rsvp(actor, event: Event) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError("This event is not open for RSVPs.")
    if event.ends_at <= clock.now():
        raise ValidationError("This event has already finished.")
    if event.course_id and not access.is_host(actor, event):
        accepted = CourseApplication.objects.filter(
            course_id=event.course_id, member=actor, status=ApplicationStatus.ACCEPTED
        ).exists()
        if not accepted:
            raise ValidationError(f"This is a session of “{event.course}”: apply to the course to take part.")


@transaction.atomic
def rsvp(*, actor, event: Event) -> Rsvp:
    """Going if a place is free, otherwise on the waitlist. The event row is locked, so simultaneous RSVPs
    queue behind each other and never fill more places than there are."""
    require_member(actor)
    event = lock_event(event)
    _may_rsvp(actor, event)
    existing = Rsvp.objects.select_for_update().filter(event=event, member=actor).first()
    if existing is not None and existing.status != RsvpStatus.CANCELLED:
        return existing
    going = event.rsvps.filter(status=RsvpStatus.GOING).count()
    waiting = event.rsvps.filter(status=RsvpStatus.WAITLISTED).exists()
    full = event.capacity is not None and (going >= event.capacity or waiting)
    status = RsvpStatus.WAITLISTED if full else RsvpStatus.GOING
    now = timezone.now()
    going_since = now if status == RsvpStatus.GOING else None
    if existing is None:
        result = Rsvp.objects.create(event=event, member=actor, status=status, queued_at=now, going_since=going_since)
    else:
        existing.status, existing.queued_at, existing.updated_at, existing.attended = status, now, now, None
        existing.going_since = going_since
        existing.save(update_fields=["status", "queued_at", "updated_at", "attended", "going_since"])
        result = existing
    audit.record(actor=actor, action=f"rsvp.{status}", target=event)
    broadcast(event, [])
    if status == RsvpStatus.GOING:
        starts_at = event.starts_at
        transaction.on_commit(lambda: reminders.schedule_for_event_start(starts_at))
    return result


@transaction.atomic
def cancel_rsvp(*, actor, event: Event, member=None) -> Rsvp | None:
    """Withdraw an RSVP (a host may withdraw someone else's). The freed place goes to the first in line."""
    require_member(actor)
    member = member or actor
    if member.pk != actor.pk and not access.is_host(actor, event):
        raise PermissionDenied("Only the event's hosts can cancel someone else's RSVP.")
    event = lock_event(event)
    rsvp = Rsvp.objects.select_for_update().filter(event=event, member=member).first()
    if rsvp is None or rsvp.status == RsvpStatus.CANCELLED:
        return rsvp
    rsvp.status, rsvp.updated_at = RsvpStatus.CANCELLED, timezone.now()
    rsvp.save(update_fields=["status", "updated_at"])
    promoted = promote(event) if event.status == EventStatus.PUBLISHED else []
    audit.record(actor=actor, action="rsvp.cancelled", target=event, data={"member": member.pk})
    broadcast(event, promoted)
    return rsvp


def promote(event: Event) -> list[Rsvp]:
    """Give free places to the waitlist in the order people joined it. Call with the event row locked."""
    waiting = event.rsvps.filter(status=RsvpStatus.WAITLISTED).order_by("queued_at", "id")
    if event.capacity is None:
        free = None
    else:
        free = max(0, event.capacity - event.rsvps.filter(status=RsvpStatus.GOING).count())
        if free == 0:
            return []
    promoted = list(waiting.select_related("member")[:free] if free is not None else waiting.select_related("member"))
    now = timezone.now()
    for rsvp in promoted:
        rsvp.status, rsvp.updated_at, rsvp.going_since = RsvpStatus.GOING, now, now
        rsvp.save(update_fields=["status", "updated_at", "going_since"])
        send_templated(
            to=rsvp.member.email,
            template="events/email/promoted",
            context={"member": rsvp.member, "event": event, "link": settings.SITE_URL + event.get_absolute_url()},
        )
        audit.record(actor=None, action="rsvp.promoted", target=event, data={"member": rsvp.member_id})
    if promoted:
        starts_at = event.starts_at
        transaction.on_commit(lambda: reminders.schedule_for_event_start(starts_at))
    return promoted


def broadcast(event: Event, promoted: list[Rsvp]) -> None:
    """Counts go to viewers of the event page; a promotion goes to the promoted member alone."""
    publish(streams=[f"event-{event.pk}"], type="event.rsvps", payload={"event": event.pk, **_counts(event)})
    for rsvp in promoted:
        publish(
            streams=[f"user-{rsvp.member_id}"],
            type="event.promoted",
            payload={"event": event.pk, "title": event.title},
        )


def waitlist_position(rsvp: Rsvp) -> int | None:
    if rsvp is None or rsvp.status != RsvpStatus.WAITLISTED:
        return None
    ahead = Rsvp.objects.filter(event_id=rsvp.event_id, status=RsvpStatus.WAITLISTED, queued_at__lt=rsvp.queued_at)
    ties = Rsvp.objects.filter(
        event_id=rsvp.event_id, status=RsvpStatus.WAITLISTED, queued_at=rsvp.queued_at, id__lt=rsvp.id
    )
    return ahead.count() + ties.count() + 1


@transaction.atomic
def take_attendance(*, actor, event: Event, attended: dict[int, bool]) -> int:
    """Record who came (keyed by member id, for members who RSVP'd). Returns how many rows changed.
    Course sessions then check who has completed the course."""
    if not access.is_host(actor, event):
        raise PermissionDenied("Only the event's hosts can take attendance.")
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError("Attendance is taken for published events only.")
    if event.starts_at > clock.now() + dt.timedelta(hours=1):
        raise ValidationError("Attendance can be taken from an hour before the event starts.")
    rows = {r.member_id: r for r in event.rsvps.filter(member_id__in=list(attended)).select_for_update()}
    missing = set(attended) - set(rows)
    if missing:
        raise ValidationError("Some of those people did not RSVP to this event.")
    changed = 0
    for member_id, came in attended.items():
        row = rows[member_id]
        if row.attended != came:
            row.attended = came
            row.updated_at = timezone.now()
            row.save(update_fields=["attended", "updated_at"])
            changed += 1
    audit.record(actor=actor, action="event.attendance", target=event, data={"changed": changed})
    if event.course_id:
        from leveller.events.actions.courses import check_completion

        check_completion(actor=actor, course=event.course, member_ids=[m for m, came in attended.items() if came])
    return changed
