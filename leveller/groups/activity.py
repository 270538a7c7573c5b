"""What organisers see of their group's activity: members, new joiners, events held and calls made."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from leveller.events.models import Event, EventStatus
from leveller.groups.models import Group, GroupMembership, Role
from leveller.phonebank.models import Call

NEW_JOINER_DAYS = 30


@dataclass
class Activity:
    member_count: int
    organiser_count: int
    new_joiners: int
    events_held: int
    calls_made: int
    new_joiner_days: int = NEW_JOINER_DAYS


def events_held(group: Group, *, now: dt.datetime | None = None) -> int:
    """Published events the group hosted that have started."""
    now = now or timezone.now()
    return Event.objects.filter(group=group, status=EventStatus.PUBLISHED, starts_at__lt=now).count()


def calls_made(group: Group) -> int:
    """Calls with a recorded outcome made by the group's current members."""
    member_ids = GroupMembership.objects.filter(group=group).values("member_id")
    return Call.objects.filter(caller__in=member_ids).exclude(outcome="").count()


def activity_for(group: Group, *, now: dt.datetime | None = None) -> Activity:
    now = now or timezone.now()
    memberships = GroupMembership.objects.filter(group=group, member__is_active=True)
    return Activity(
        member_count=memberships.count(),
        organiser_count=memberships.filter(role=Role.ORGANISER).count(),
        new_joiners=memberships.filter(joined_at__gte=now - dt.timedelta(days=NEW_JOINER_DAYS)).count(),
        events_held=events_held(group, now=now),
        calls_made=calls_made(group),
    )
