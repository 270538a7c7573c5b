"""Event pages: parse, authorise, call an action, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from leveller.core import clock
from leveller.core.page_errors import reported
from leveller.events import access, finder, ics, listing
from leveller.events.actions import events as event_actions
from leveller.events.actions import rsvps as rsvp_actions
from leveller.events.forms import CancelEventForm, EventForm, NoteForm, initial_for
from leveller.events.models import CalendarFeed, Course, Event, EventType, RsvpStatus
from leveller.events.presenters import when


@login_required
def event_list(request):
    params = request.GET
    view = "calendar" if params.get("view") == "calendar" else "list"
    period = params.get("period", "") if view == "list" else ""
    error, found, origin, month = None, [], None, None
    online = {"online": True, "in_person": False}.get(params.get("where", ""))
    with reported(request, flash=False) as outcome:
        start = finder.parse_when(params.get("from", ""))
        end = finder.parse_when(params.get("to", ""), end_of_day=True)
        if view == "calendar":
            month = listing.parse_month(params.get("month", ""), request.user)
            start, end = listing.month_bounds(month, request.user)
        elif period:
            _, period_end = listing.period_range(period, request.user)
            end = min(end, period_end) if end else period_end
        found, origin = finder.find_events(
            request.user,
            start=start,
            end=end,
            type=params.get("type", ""),
            group=finder.resolve_group(params.get("group", "")),
            postcode=params.get("postcode", ""),
            online=online,
            within_km=float(params["within"]) if params.get("within", "").isdigit() else None,
            limit=finder.MAX_RESULTS,
        )
    error = outcome.text or None
    from leveller.groups.models import Group

    rows = [{"event": f.event, "distance": f.distance_km, "when": when(f.event, request.user)} for f in found]
    kept = params.copy()
    for key in ("page", "period", "view", "month"):
        kept.pop(key, None)
    context = {
        "view": view,
        "period": period,
        "periods": listing.PERIODS.items(),
        "kept_query": kept.urlencode(),
        "origin": origin,
        "error": error,
        "params": params,
        "types": EventType.choices,
        "groups": Group.objects.approved().filter(events__isnull=False).distinct().order_by("name"),
        "can_submit": True,
        "pending_count": Event.objects.awaiting_approval_by(request.user).count(),
    }
    if view == "calendar" and month is not None:
        previous, following = listing.neighbours(month)
        context.update(
            month=month,
            weekdays=listing.WEEKDAYS,
            weeks=listing.month_grid(month, rows, request.user),
            previous=previous,
            following=following,
        )
    else:
        context["page"] = listing.page_of(rows, params.get("page", "1"))
    return render(request, "events/list.html", context)


def _detail_context(request, event: Event, **extra) -> dict:
    rsvp = access.rsvp_of(request.user, event)
    going = event.rsvps.filter(status=RsvpStatus.GOING).count()
    waiting = event.rsvps.filter(status=RsvpStatus.WAITLISTED).count()
    host = access.is_host(request.user, event)
    return {
        "event": event,
        "when": when(event, request.user),
        "rsvp": rsvp,
        "position": rsvp_actions.waitlist_position(rsvp),
        "going_count": going,
        "waiting_count": waiting,
        "places_left": None if event.capacity is None else max(0, event.capacity - going),
        "is_host": host,
        "can_approve": event.status == "pending" and access.can_approve(request.user, event),
        "joining_link": event.online_url if access.sees_joining_link(request.user, event, rsvp) else "",
        "finished": event.ends_at <= timezone.now(),
        "series": event.series.events.order_by("starts_at") if event.series_id else None,
        "note_form": NoteForm(),
        "cancel_form": CancelEventForm(),
        **extra,
    }


@login_required
def event_detail(request, event_id: int):
    event = access.visible_event(request.user, event_id)
    return render(request, "events/detail.html", _detail_context(request, event))


@login_required
def rsvp_panel(request, event_id: int):
    event = access.visible_event(request.user, event_id)
    return render(request, "events/_rsvp_panel.html", _detail_context(request, event))


def _rsvp_response(request, event: Event, error: str | None = None):
    if request.htmx:
        return render(request, "events/_rsvp_panel.html", _detail_context(request, event, error=error))
    if error:
        messages.error(request, error)
    return redirect(event)


@login_required
@require_POST
def rsvp(request, event_id: int):
    event = access.visible_event(request.user, event_id)
    with reported(request, flash=False) as outcome:
        result = rsvp_actions.rsvp(actor=request.user, event=event)
    if not outcome.ok:
        return _rsvp_response(request, event, outcome.text)
    if not request.htmx:
        messages.success(
            request,
            "You're going." if result.status == RsvpStatus.GOING else "The event is full: you're on the waitlist.",
        )
    return _rsvp_response(request, event)


@login_required
@require_POST
def cancel_rsvp(request, event_id: int):
    event = access.visible_event(request.user, event_id)
    rsvp_actions.cancel_rsvp(actor=request.user, event=event)
    if not request.htmx:
        messages.success(request, "Your RSVP is cancelled.")
    return _rsvp_response(request, event)


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def event_ics(request, event_id: int):
    event = access.visible_event(request.user, event_id)
    body = ics.calendar([(event, access.sees_joining_link(request.user, event))], name=event.title)
    return _ics_response(body, f"event-{event.pk}.ics")


def calendar_feed(request, token: str):
    """The private feed: no login (calendar apps cannot log in); the unguessable token is the key."""
    feed = CalendarFeed.objects.select_related("member").filter(token=token).first()
    if feed is None or not feed.member.is_active:
        raise Http404("No such calendar.")
    member = feed.member
    since = clock.now() - dt.timedelta(days=60)
    events = (
        Event.objects.visible_to(member)
        .going_for(member)
        .filter(ends_at__gt=since)
        .select_related("group")
        .order_by("starts_at")[:500]
    )
    event_actions.note_calendar_fetched(feed=feed)
    body = ics.calendar([(e, True) for e in events], name=f"My events · {member.display_name}")
    return _ics_response(body, "leveller-events.ics")


def _group_choices(member) -> list[tuple[str, str]]:
    from leveller.groups.models import Group

    groups = Group.objects.approved() if member.is_staff_member else Group.objects.approved().for_member(member)
    choices = [("", "The national organisation")] if member.is_staff_member else []
    return choices + [(str(g.pk), g.name) for g in groups.order_by("name")]


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request):
    from leveller.groups.models import Group

    choices = _group_choices(request.user)
    if not choices:
        return render(request, "events/no_group.html")
    initial = {"time_zone": request.user.time_zone or "Europe/London", "group": request.GET.get("group", "")}
    form = EventForm(request.POST or None, group_choices=choices, initial=initial)
    course = None
    if request.user.is_staff_member and request.GET.get("course"):
        course = Course.objects.filter(slug=request.GET["course"]).first()
    if request.method == "POST" and form.is_valid():
        group_id = form.cleaned_data["group"]
        group = Group.objects.filter(pk=group_id).first() if group_id else None
        with reported(request, form=form, denied_field="group") as outcome:
            event = event_actions.create_event(
                actor=request.user,
                group=group,
                course=course,
                repeat=form.cleaned_data.get("repeat") or "",
                count=form.cleaned_data.get("count") or 1,
                **form.action_fields(),
            )
        if outcome.ok:
            if event.is_published:
                messages.success(request, "Your event is published.")
            else:
                messages.success(request, "Thanks! Your event is sent to the group's organisers for approval.")
            return redirect(event)
    return render(request, "events/form.html", {"form": form, "course": course, "editing": None})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, event_id: int):
    event = access.hosted_event(request.user, event_id)
    form = EventForm(request.POST or None, initial=initial_for(event), group_choices=[], series=False)
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form) as outcome:
            event_actions.update_event(actor=request.user, event=event, **form.action_fields())
        if outcome.ok:
            messages.success(request, "The event is saved.")
            return redirect(event)
    return render(request, "events/form.html", {"form": form, "editing": event})


@login_required
@require_POST
def event_cancel(request, event_id: int):
    event = access.hosted_event(request.user, event_id)
    form = CancelEventForm(request.POST)
    form.is_valid()
    event_actions.cancel_event(actor=request.user, event=event, reason=form.cleaned_data.get("reason", ""))
    messages.success(request, "The event is cancelled and everyone going has been told.")
    return redirect(event)


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request, event_id: int):
    event = access.hosted_event(request.user, event_id)
    rsvps = list(event.rsvps.exclude(status=RsvpStatus.CANCELLED).select_related("member").order_by("status"))
    error = None
    if request.method == "POST":
        marked = {r.member_id: f"attended-{r.member_id}" in request.POST for r in rsvps if r.status == "going"}
        with reported(request, flash=False) as outcome:
            rsvp_actions.take_attendance(actor=request.user, event=event, attended=marked)
        error = outcome.text or None
        if outcome.ok:
            messages.success(request, f"Attendance saved: {sum(marked.values())} came.")
            return redirect("events:attendance", event.pk)
    return render(
        request,
        "events/attendance.html",
        {"event": event, "when": when(event, request.user), "rsvps": rsvps, "error": error},
    )


@login_required
def approvals(request):
    pending = Event.objects.awaiting_approval_by(request.user).select_related("group", "created_by")
    first_of_each = [e for e in pending.order_by("starts_at") if not e.series_id or _first_in_series(e, pending)]
    rows = [{"event": e, "when": when(e, request.user)} for e in first_of_each]
    return render(request, "events/approvals.html", {"rows": rows, "form": NoteForm()})


def _first_in_series(event: Event, pending) -> bool:
    return not pending.filter(series_id=event.series_id, starts_at__lt=event.starts_at).exists()


@login_required
@require_POST
def decide(request, event_id: int, decision: str):
    event = access.visible_event(request.user, event_id)
    form = NoteForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    with reported(request):
        if decision == "approve":
            event_actions.approve_event(actor=request.user, event=event, note=note)
            messages.success(request, f"“{event.title}” is approved and published.")
        else:
            event_actions.reject_event(actor=request.user, event=event, note=note)
            messages.success(request, f"“{event.title}” is declined; the member has been told why.")
    return redirect(event) if request.POST.get("next") == "event" else redirect("events:approvals")


@login_required
def calendar_settings(request):
    feed = CalendarFeed.objects.filter(member=request.user).first()
    url = request.build_absolute_uri(feed.path) if feed else None
    return render(request, "events/calendar_settings.html", {"feed": feed, "feed_url": url})


@login_required
@require_POST
def calendar_regenerate(request):
    had = CalendarFeed.objects.filter(member=request.user).exists()
    event_actions.regenerate_calendar_feed(actor=request.user)
    messages.success(
        request, "Your calendar address is replaced: the old one no longer works." if had else "Your calendar is ready."
    )
    return redirect("events:calendar_settings")


@login_required
@require_POST
def calendar_revoke(request):
    event_actions.revoke_calendar_feed(actor=request.user)
    messages.success(request, "Your calendar address is turned off.")
    return redirect("events:calendar_settings")
