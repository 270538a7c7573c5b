"""Events' part of members' data rights: the register, RSVPs/attendance/applications in a copy, erasure."""

from __future__ import annotations

from django.utils import timezone

from leveller.events.models import (
    CalendarFeed,
    Course,
    CourseApplication,
    Event,
    ReminderSent,
    Rsvp,
    RsvpStatus,
    Series,
)
from leveller.privacy.registry import declare, eraser, exporter

declare(
    Event,
    what="Events: title, description, time, place, host group, who created and approved it",
    why="Organising events",
    basis="Legitimate interests",
    kept="Kept as the movement's calendar",
    who="Members the event is for; hosts and staff see pending ones",
)
declare(
    Series,
    what="Which events repeat together",
    why="Repeating events",
    basis="Legitimate interests",
    kept="As long as its events",
    who="Hosts and staff",
)
declare(
    Rsvp,
    what="Who is going to which event, the waitlist order, and attendance taken by the host",
    why="Places, waitlists, reminders and attendance",
    basis="Legitimate interests",
    kept="Until the member is erased",
    who="The member; the event's hosts and staff",
)
declare(
    ReminderSent,
    what="That a reminder was emailed for an RSVP",
    why="Sending each reminder once",
    basis="Legitimate interests",
    kept="As long as the RSVP",
    who="Nobody reads it",
)
declare(
    CalendarFeed,
    what="A member's private calendar feed link",
    why="Letting members see their events in their calendar app",
    basis="Legitimate interests",
    kept="Until the member is erased",
    who="The member",
)
declare(
    Course,
    what="Courses: title, description, application questions",
    why="Political education",
    basis="Legitimate interests",
    kept="Kept as the movement's programme",
    who="Members",
)
declare(
    CourseApplication,
    what="A member's answers to a course's application form and the decision (may reveal political opinions)",
    why="Choosing participants and recording completion",
    basis="Legitimate interests; Article 9(2)(d)",
    kept="Until the member is erased",
    who="The member; the course's organisers and staff",
    special=True,
)


@exporter("rsvps", title="Events you signed up to, and attendance", order=30)
def export_rsvps(member):
    rows = Rsvp.objects.filter(member=member).values(
        "event_id", "event__title", "event__starts_at", "status", "attended", "created_at", "updated_at"
    )
    for row in rows.order_by("id").iterator(chunk_size=2000):
        yield {
            "event_id": row["event_id"],
            "event": row["event__title"],
            "starts_at": row["event__starts_at"],
            "status": row["status"],
            "attended": row["attended"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }


@exporter("events_created", title="Events you created", order=31)
def export_events(member):
    yield from Event.objects.filter(created_by=member).values("id", "title", "starts_at", "status").iterator()


@exporter("course_applications", title="Your course applications", order=32)
def export_applications(member):
    rows = CourseApplication.objects.filter(member=member).values(
        "course__title", "answers", "status", "submitted_at", "decided_at", "note", "completed_at"
    )
    yield from rows.order_by("id").iterator()


@eraser("events", order=110)
def erase_events(member, *, delete_content: bool, identity) -> dict:
    from leveller.events.actions.rsvps import cancel_rsvp

    upcoming = Rsvp.objects.filter(
        member=member, status__in=[RsvpStatus.GOING, RsvpStatus.WAITLISTED], event__starts_at__gt=timezone.now()
    ).select_related("event")
    for rsvp in list(upcoming):
        cancel_rsvp(actor=member, event=rsvp.event)  # frees the place for the waitlist
    return {
        "RSVPs": Rsvp.objects.filter(member=member).delete()[0],
        "calendar feeds": CalendarFeed.objects.filter(member=member).delete()[0],
        "course applications": CourseApplication.objects.filter(member=member).delete()[0],
    }
