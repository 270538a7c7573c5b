"""Event pages as members and hosts use them: RSVP and cancel (with and without htmx), the RSVP panel, a member
without a group, course sessions, editing, cancelling, attendance, approving and declining, and the private
calendar address. Errors are sentences, nothing saved is lost, and an outsider sees nothing of a pending event."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.utils import timezone

from leveller.events.actions import courses as course_actions
from leveller.events.actions import events as event_actions
from leveller.events.actions import rsvps as rsvp_actions
from leveller.events.models import CalendarFeed, Event, EventStatus, Rsvp, RsvpStatus

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return html.unescape(response.content.decode())


def _form(event: Event, **changes) -> dict:
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    data = {
        "title": event.title,
        "type": event.type,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        "time_zone": event.time_zone,
        "in_person": "on",
        "address": event.address,
        "postcode": event.postcode,
        "audience": event.audience,
        "capacity": event.capacity or "",
    }
    data.update(changes)
    return data


def test_a_member_rsvps_from_the_page_and_then_cancels(client, make_event, member):
    event = make_event(capacity=10)
    client.force_login(member)
    response = client.post(f"/events/{event.pk}/rsvp/", follow=True)
    assert "You're going." in text(response)
    assert Rsvp.objects.get(event=event, member=member).status == RsvpStatus.GOING
    response = client.post(f"/events/{event.pk}/rsvp/cancel/", follow=True)
    assert "Your RSVP is cancelled." in text(response)
    assert Rsvp.objects.get(event=event, member=member).status == RsvpStatus.CANCELLED


def test_a_full_event_puts_the_member_on_the_waitlist_and_says_so(client, make_event, member, people):
    event = make_event(capacity=1)
    rsvp_actions.rsvp(actor=people(1)[0], event=event)
    client.force_login(member)
    response = client.post(f"/events/{event.pk}/rsvp/", follow=True)
    assert "The event is full: you're on the waitlist." in text(response)
    assert "number 1 in line" in text(response)


def test_with_htmx_the_rsvp_panel_is_redrawn_in_place(client, make_event, member):
    event = make_event(capacity=3)
    client.force_login(member)
    response = client.post(f"/events/{event.pk}/rsvp/", headers=HTMX)
    assert response.status_code == 200 and text(response).startswith('<section class="panel rsvp-panel"')
    assert "You're going." in text(response) and "Cancel my place" in text(response)
    response = client.post(f"/events/{event.pk}/rsvp/cancel/", headers=HTMX)
    assert "You cancelled your RSVP." in text(response) and "3 places left." in text(response)
    panel = client.get(f"/events/{event.pk}/rsvp/panel/")
    assert panel.status_code == 200 and "RSVP: I'm going" in text(panel)


def test_an_rsvp_to_a_pending_event_is_refused_with_a_reason(client, make_event, group, member):
    pending = make_event(actor=member, group=group, title="My idea")
    client.force_login(member)
    response = client.post(f"/events/{pending.pk}/rsvp/", headers=HTMX)
    assert 'role="alert"' in text(response)
    response = client.post(f"/events/{pending.pk}/rsvp/", follow=True)
    assert 'class="message message-error"' in text(response)
    assert not Rsvp.objects.filter(event=pending).exists()


def test_an_outsider_cannot_rsvp_to_or_see_the_panel_of_a_pending_event(client, make_event, group, member, outsider):
    pending = make_event(actor=member, group=group, title="Secret planning")
    client.force_login(outsider)
    for response in (
        client.post(f"/events/{pending.pk}/rsvp/"),
        client.post(f"/events/{pending.pk}/rsvp/cancel/"),
        client.get(f"/events/{pending.pk}/rsvp/panel/"),
        client.get(f"/events/{pending.pk}.ics"),
    ):
        assert response.status_code == 404 and "Secret planning" not in text(response)
    assert not Rsvp.objects.exists()


def test_a_member_without_a_group_is_told_to_join_one_before_submitting(client, outsider):
    client.force_login(outsider)
    response = client.get("/events/new/")
    assert response.status_code == 200 and "Join a group" in text(response)


def test_a_member_choosing_no_group_is_told_to_choose_theirs_and_keeps_the_form(client, group, member):
    client.force_login(member)
    start = (timezone.localtime() + dt.timedelta(days=5)).replace(hour=18, minute=0)
    data = {
        "title": "Our own meeting",
        "type": "meeting",
        "group": "",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "Europe/London",
        "in_person": "on",
        "address": "Harlesden Library",
        "audience": "members",
    }
    response = client.post("/events/new/", data)
    assert response.status_code == 200
    assert "Only staff can create national events. Choose your group." in text(response)
    assert "Our own meeting" in text(response)
    assert not Event.objects.exists()


def test_staff_add_a_published_national_session_to_a_course(client, staff):
    course = course_actions.create_course(actor=staff, title="Organising 101")
    client.force_login(staff)
    start = (timezone.localtime() + dt.timedelta(days=5)).replace(hour=18, minute=0)
    data = {
        "title": "Session one",
        "type": "training",
        "group": "",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "Europe/London",
        "online": "on",
        "online_url": "https://meet.example.org/one",
        "audience": "members",
        "repeat": "",
    }
    assert "Organising 101" in text(client.get("/events/new/", {"course": course.slug}))
    response = client.post(f"/events/new/?course={course.slug}", data, follow=True)
    assert "Your event is published." in text(response)
    event = Event.objects.get(title="Session one")
    assert event.course == course and event.status == EventStatus.PUBLISHED


def test_a_host_edits_the_event_and_a_bad_change_keeps_the_form(client, make_event, group, organiser):
    event = make_event(actor=organiser, group=group, capacity=5)
    client.force_login(organiser)
    form = client.get(f"/events/{event.pk}/edit/")
    assert form.status_code == 200 and "Canvassing training" in text(form)
    response = client.post(f"/events/{event.pk}/edit/", _form(event, title="Canvassing masterclass"), follow=True)
    assert "The event is saved." in text(response)
    event.refresh_from_db()
    assert event.title == "Canvassing masterclass"
    past = (timezone.localtime() - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/events/{event.pk}/edit/", _form(event, title="Moved back", starts_at=past, ends_at=_form(event)["ends_at"])
    )
    assert response.status_code == 200 and "The new start time is in the past." in text(response)
    assert "Moved back" in text(response)
    event.refresh_from_db()
    assert event.title == "Canvassing masterclass"


def test_a_host_cancels_and_everyone_going_is_told(client, make_event, group, organiser, member, mailoutbox):
    event = make_event(actor=organiser, group=group)
    rsvp_actions.rsvp(actor=member, event=event)
    client.force_login(member)
    assert client.post(f"/events/{event.pk}/cancel/", {"reason": "Mine now"}).status_code == 403
    client.force_login(organiser)
    response = client.post(f"/events/{event.pk}/cancel/", {"reason": "The hall flooded"}, follow=True)
    assert "The event is cancelled and everyone going has been told." in text(response)
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED


def test_the_host_takes_attendance_and_too_early_is_refused(client, make_event, group, organiser, member):
    soon = make_event(actor=organiser, group=group, hours=0.5)
    later = make_event(actor=organiser, group=group, hours=72, title="Next week")
    for event in (soon, later):
        rsvp_actions.rsvp(actor=member, event=event)
    client.force_login(organiser)
    page = client.get(f"/events/{soon.pk}/attendance/")
    assert "Mo Member" in text(page)
    response = client.post(f"/events/{soon.pk}/attendance/", {f"attended-{member.pk}": "on"}, follow=True)
    assert "Attendance saved: 1 came." in text(response)
    assert Rsvp.objects.get(event=soon, member=member).attended is True
    response = client.post(f"/events/{later.pk}/attendance/", {f"attended-{member.pk}": "on"})
    assert response.status_code == 200
    assert "Attendance can be taken from an hour before the event starts." in text(response)
    assert Rsvp.objects.get(event=later, member=member).attended is None


def test_an_organiser_approves_a_members_series_from_the_approvals_page(client, make_event, group, organiser, member):
    first = make_event(actor=member, group=group, title="Weekly stall", repeat="weekly", count=3)
    client.force_login(organiser)
    page = text(client.get("/events/approvals/"))
    assert page.count('class="panel event-card"') == 1  # a series is listed once, by its first occurrence
    assert "Weekly stall" in page
    response = client.post(f"/events/{first.pk}/approve/", {"note": "Great"}, follow=True)
    assert response.redirect_chain[-1][0] == "/events/approvals/"
    assert "“Weekly stall” is approved and published." in text(response)
    assert set(Event.objects.filter(series=first.series).values_list("status", flat=True)) == {"published"}


def test_declining_needs_a_reason_and_the_event_waits(client, make_event, group, organiser, member):
    pending = make_event(actor=member, group=group, title="Half-formed idea")
    client.force_login(organiser)
    response = client.post(f"/events/{pending.pk}/reject/", {"note": "", "next": "event"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/events/{pending.pk}/"
    assert "Say why, so the member can fix it and submit again." in text(response)
    pending.refresh_from_db()
    assert pending.status == EventStatus.PENDING
    response = client.post(f"/events/{pending.pk}/reject/", {"note": "Needs a venue"}, follow=True)
    assert "“Half-formed idea” is declined; the member has been told why." in text(response)


def test_a_member_cannot_approve_their_own_event(client, make_event, group, member):
    pending = make_event(actor=member, group=group, title="Let me in")
    client.force_login(member)
    response = client.post(f"/events/{pending.pk}/approve/", {"note": ""})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == EventStatus.PENDING


def test_a_member_turns_on_replaces_and_turns_off_their_calendar_address(client, member):
    client.force_login(member)
    assert client.get("/events/settings/").status_code == 200
    response = client.post("/events/settings/calendar/regenerate/", follow=True)
    assert "Your calendar is ready." in text(response)
    first = CalendarFeed.objects.get(member=member).token
    assert first in text(response)
    response = client.post("/events/settings/calendar/regenerate/", follow=True)
    assert "Your calendar address is replaced: the old one no longer works." in text(response)
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    response = client.post("/events/settings/calendar/revoke/", follow=True)
    assert "Your calendar address is turned off." in text(response)
    assert not CalendarFeed.objects.filter(member=member).exists()


def test_a_deactivated_members_calendar_address_stops_working(client, member):
    feed = event_actions.regenerate_calendar_feed(actor=member)
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 200
    type(member).objects.filter(pk=member.pk).update(is_active=False)
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404


@pytest.mark.parametrize("path", ["/events/settings/calendar/regenerate/", "/events/settings/calendar/revoke/"])
def test_the_calendar_address_changes_only_by_post(client, member, path):
    client.force_login(member)
    assert client.get(path).status_code == 405
    assert not CalendarFeed.objects.exists()
