"""Email reminders 24 hours and 1 hour before an event, to every member going.

The background worker runs `send_due_reminders` as a self-rescheduling task (tasks.sweep_reminders): each
run sends what is due at `now`, then queues the next run for the next instant a reminder falls due (at
most LEVELLER_REMINDER_SWEEP_MAX_MINUTES away). Actions that create a reminder to come (an RSVP, a promotion,
a new start time) queue a run for its due time if none is queued earlier. Several workers or duplicate
runs are harmless: the unique `ReminderSent(rsvp, slot)` row is written in the same transaction that queues
the email, so each RSVP gets at most one reminder per slot, and a cancelled RSVP gets none.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Min, OuterRef, Q
from django.utils import timezone

from leveller.core import clock
from leveller.core.mail import send_templated
from leveller.events.models import EventStatus, ReminderSent, ReminderSlot, Rsvp, RsvpStatus
from leveller.privacy import consent
from leveller.privacy.purposes import Purpose
from leveller.push import hooks as push

log = logging.getLogger(__name__)

DAY = dt.timedelta(hours=24)
HOUR = dt.timedelta(hours=1)
LEADS = {ReminderSlot.DAY: DAY, ReminderSlot.HOUR: HOUR}
MIN_GAP = dt.timedelta(seconds=20)


def due_slot(starts_at: dt.datetime, now: dt.datetime) -> str | None:
    """The reminder due at `now` for an event starting at `starts_at`; within the last hour only the 1 h one."""
    if now >= starts_at:
        return None
    if now >= starts_at - HOUR:
        return ReminderSlot.HOUR
    if now >= starts_at - DAY:
        return ReminderSlot.DAY
    return None


def _sent(slot: str):
    return Exists(ReminderSent.objects.filter(rsvp=OuterRef("pk"), slot=slot))


def due_rsvps(now: dt.datetime):
    going = Rsvp.objects.filter(
        status=RsvpStatus.GOING,
        member__is_active=True,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + DAY,
    )
    hour_due = Q(event__starts_at__lte=now + HOUR) & ~_sent(ReminderSlot.HOUR)
    # "Tomorrow" is no news to someone who only just RSVP'd: the day-before reminder is for earlier RSVPs.
    day_due = (
        Q(event__starts_at__gt=now + HOUR) & Q(going_since__lte=F("event__starts_at") - DAY) & ~_sent(ReminderSlot.DAY)
    )
    return going.filter(hour_due | day_due).select_related("event", "event__group", "member")


def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """Send every reminder due at `now` (default: the clock). Returns how many were sent."""
    now = now or clock.now()
    sent = 0
    for rsvp in due_rsvps(now).order_by("event__starts_at", "id")[:5000]:
        slot = due_slot(rsvp.event.starts_at, now)
        if slot is not None and _send_one(rsvp, slot):
            sent += 1
    return sent


@transaction.atomic
def _send_one(rsvp: Rsvp, slot: str) -> bool:
    # Re-read under a row lock: the member may have cancelled since the sweep's query.
    current = Rsvp.objects.select_for_update().filter(pk=rsvp.pk, status=RsvpStatus.GOING).first()
    if current is None:
        return False
    _, created = ReminderSent.objects.get_or_create(rsvp=current, slot=slot)
    if not created:
        return False
    event = rsvp.event
    member = rsvp.member
    if not consent.permits(Purpose.EVENT_REMINDERS, member=member):
        return False  # withdrawn: the ReminderSent row keeps the sweep from asking again
    when = "tomorrow" if slot == ReminderSlot.DAY else "in an hour"
    push.event_reminder(rsvp, when=when, local_start=timezone.localtime(event.starts_at, _zone_of(member, event)))
    send_templated(
        to=member.email,
        template="events/email/reminder",
        context={
            "member": member,
            "event": event,
            "slot": slot,
            "when": when,
            "local_start": timezone.localtime(event.starts_at, _zone_of(member, event)),
            "zone_name": _zone_name(member, event),
            "link": settings.SITE_URL + event.get_absolute_url(),
            "joining_link": event.online_url if event.online else "",
        },
    )
    return True


def _zone_of(member, event):
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(member.time_zone or event.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return event.zone


def _zone_name(member, event) -> str:
    return member.time_zone or event.time_zone


def next_due(now: dt.datetime) -> dt.datetime | None:
    """The next instant after `now` when some reminder falls due, or None when nothing is upcoming."""
    going = Rsvp.objects.filter(status=RsvpStatus.GOING, event__status=EventStatus.PUBLISHED)
    candidates = []
    for lead in (DAY, HOUR):
        first = going.filter(event__starts_at__gt=now + lead).aggregate(first=Min("event__starts_at"))["first"]
        if first is not None:
            candidates.append(first - lead)
    return min(candidates) if candidates else None


def schedule_sweep(at: dt.datetime | None = None) -> None:
    """Queue a reminder sweep for `at` (default now) unless one is already queued at or before it."""
    from django_tasks import task_backends

    from leveller.events.tasks import sweep_reminders

    backend = task_backends[sweep_reminders.backend]
    if not backend.supports_defer:
        return  # e.g. the immediate backend in tests: tests call send_due_reminders with their own clock
    now = clock.now()
    at = max(at or now, now)
    if _queued_at_or_before(sweep_reminders.module_path, at):
        return
    sweep_reminders.using(run_after=at).enqueue()


def schedule_next(now: dt.datetime | None = None) -> None:
    now = now or clock.now()
    cap = now + dt.timedelta(minutes=settings.LEVELLER_REMINDER_SWEEP_MAX_MINUTES)
    upcoming = next_due(now)
    at = min(upcoming, cap) if upcoming is not None else cap
    schedule_sweep(max(at, now + MIN_GAP))


def _queued_at_or_before(task_path: str, at: dt.datetime) -> bool:
    try:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another durable backend: a duplicate sweep is harmless
        return False
    return DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY, run_after__lte=at).exists()


def schedule_for_event_start(starts_at: dt.datetime) -> None:
    """After an RSVP or a change of time: make sure a sweep runs when this event's next reminder falls due."""
    now = clock.now()
    if starts_at > now:
        schedule_sweep(max(starts_at - DAY, now))
