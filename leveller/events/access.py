"""Who may see and do what with events. Helpers return the object or raise Http404 / PermissionDenied."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from leveller.core.access import require_member
from leveller.events.models import Course, CourseApplication, Event, EventStatus, Rsvp, RsvpStatus


def _membership_role(member, group_id) -> str | None:
    from leveller.groups.models import GroupMembership

    if group_id is None or member is None or not getattr(member, "pk", None):
        return None
    return GroupMembership.objects.filter(group_id=group_id, member=member).values_list("role", flat=True).first()


def organises(member, group_id) -> bool:
    return _membership_role(member, group_id) == "organiser"


def belongs_to(member, group_id) -> bool:
    return _membership_role(member, group_id) is not None


def is_host(member, event: Event) -> bool:
    """Hosts edit the event, see who is coming, take attendance and always see the joining link."""
    if member is None or not getattr(member, "is_authenticated", False):
        return False
    if member.is_staff_member:
        return True
    if event.group_id is None:
        return False
    return event.created_by_id == member.pk or organises(member, event.group_id)


def can_approve(member, event: Event) -> bool:
    if member.is_staff_member:
        return True
    return event.group_id is not None and organises(member, event.group_id)


def can_create_for(member, group) -> bool:
    """Staff create national events and events for any group; members submit events for their own group."""
    if member.is_staff_member:
        return True
    return group is not None and belongs_to(member, group.pk)


def visible_event(actor, event_id) -> Event:
    require_member(actor)
    event = Event.objects.visible_to(actor).select_related("group", "course").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    return event


def hosted_event(actor, event_id) -> Event:
    event = visible_event(actor, event_id)
    if not is_host(actor, event):
        raise PermissionDenied("Only the event's hosts can do that.")
    return event


def rsvp_of(member, event: Event) -> Rsvp | None:
    return Rsvp.objects.filter(event=event, member=member).first()


def sees_joining_link(member, event: Event, rsvp: Rsvp | None = None) -> bool:
    """The online joining link is for those going, and the hosts: never for the merely curious."""
    if not event.online or not event.online_url or event.status != EventStatus.PUBLISHED:
        return is_host(member, event) and bool(event.online_url)
    if is_host(member, event):
        return True
    rsvp = rsvp if rsvp is not None else rsvp_of(member, event)
    return rsvp is not None and rsvp.status == RsvpStatus.GOING


def visible_course(actor, slug: str) -> Course:
    require_member(actor)
    course = Course.objects.filter(slug=slug).select_related("alumni_group").first()
    if course is None:
        raise Http404("No such course.")
    return course


def reviewable_application(actor, application_id) -> CourseApplication:
    require_member(actor)
    if not actor.is_staff_member:
        raise Http404("No such application.")
    application = CourseApplication.objects.select_related("course", "member").filter(pk=application_id).first()
    if application is None:
        raise Http404("No such application.")
    return application
