"""What organisers see of their group's activity, read defensively from other domains.

Events and calls live in other apps (leveller.events, leveller.phonebank) that may not have the models or
fields we look for; anything absent is reported as None ("not available") rather than failing the page.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldError
from django.utils import timezone

from leveller.groups.models import Group, GroupMembership

log = logging.getLogger(__name__)
NEW_JOINER_DAYS = 30


@dataclass
class Activity:
    member_count: int
    organiser_count: int
    new_joiners: int
    events_held: int | None
    calls_made: int | None
    new_joiner_days: int = NEW_JOINER_DAYS


def _model(label: str, name: str):
    try:
        return apps.get_model(label, name)
    except LookupError:
        return None


def events_held(group: Group, *, now=None) -> int | None:
    Event = _model("events", "Event")
    if Event is None:
        return None
    now = now or timezone.now()
    for filters in ({"group": group, "starts_at__lt": now}, {"host_group": group, "starts_at__lt": now}):
        try:
            queryset = Event.objects.filter(**filters)
            field_names = {f.name for f in Event._meta.get_fields()}
            if "status" in field_names:
                queryset = queryset.exclude(status__in=["cancelled", "canceled", "rejected", "proposed", "pending"])
            return queryset.count()
        except (FieldError, ValueError):
            continue
    return None


def calls_made(group: Group) -> int | None:
    """Calls with a recorded outcome made by the group's current members (phonebank.Call), if that exists."""
    Call = _model("phonebank", "Call")
    if Call is None:
        return None
    member_ids = GroupMembership.objects.filter(group=group).values("member_id")
    try:
        calls = Call.objects.filter(caller__in=member_ids)
        if "outcome" in {f.name for f in Call._meta.get_fields()}:
            calls = calls.exclude(outcome="")
        return calls.count()
    except (FieldError, ValueError):
        return None


def activity_for(group: Group, *, now=None) -> Activity:
    now = now or timezone.now()
    memberships = GroupMembership.objects.filter(group=group, member__is_active=True)
    return Activity(
        member_count=memberships.count(),
        organiser_count=memberships.filter(role="organiser").count(),
        new_joiners=memberships.filter(joined_at__gte=now - dt.timedelta(days=NEW_JOINER_DAYS)).count(),
        events_held=events_held(group, now=now),
        calls_made=calls_made(group),
    )
