"""The home page panel: your next events, and approvals waiting for you."""

from __future__ import annotations

from django.template.loader import render_to_string

from leveller.core.home_panels import register
from leveller.events.models import Event, RsvpStatus
from leveller.events.presenters import when


@register(30)
def upcoming_events(request):
    member = request.user
    if not member.is_authenticated:
        return None
    going = (
        Event.objects.visible_to(member)
        .listed()
        .upcoming()
        .filter(rsvps__member=member, rsvps__status__in=[RsvpStatus.GOING, RsvpStatus.WAITLISTED])
        .select_related("group")
        .order_by("starts_at")[:5]
    )
    rows = [{"event": e, "when": when(e, member)} for e in going]
    pending = Event.objects.awaiting_approval_by(member).count()
    return render_to_string("events/_home_panel.html", {"rows": rows, "pending": pending}, request=request)
