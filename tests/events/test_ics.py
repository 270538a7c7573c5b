import datetime as dt
import zoneinfo

import icalendar
from django.utils import timezone

from leveller.events.actions import events as event_actions
from leveller.events.actions import rsvps as rsvp_actions

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _at(year, month, day, hour):
    return dt.datetime(year, month, day, hour, tzinfo=LONDON)


def _parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _freeze_future(monkeypatch):
    # Events are dated in 2030 so the DST dates are fixed; they are in the future, as new events must be.
    monkeypatch.setattr("leveller.core.clock.now", lambda: dt.datetime(2030, 1, 1, tzinfo=dt.UTC))


def test_an_events_ics_carries_its_time_zone_and_the_right_offsets_across_dst(client, make_event, member, monkeypatch):
    _freeze_future(monkeypatch)
    # The clocks go forward on Sunday 31 March 2030 and back on Sunday 27 October 2030.
    before = make_event(starts_at=_at(2030, 3, 30, 19), title="Before spring")
    after = make_event(starts_at=_at(2030, 4, 1, 19), title="After spring")
    autumn = make_event(starts_at=_at(2030, 10, 28, 19), title="After autumn")
    client.force_login(member)
    offsets = {}
    for event in (before, after, autumn):
        cal = _parse(client.get(f"/events/{event.pk}.ics"))
        (vevent,) = cal.walk("VEVENT")
        assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
        start = vevent.decoded("DTSTART")
        assert start.hour == 19 and str(vevent["DTSTART"].params["TZID"]) == "Europe/London"
        offsets[event.title] = start.utcoffset()
        assert start == event.starts_at
    assert offsets == {
        "Before spring": dt.timedelta(0),
        "After spring": dt.timedelta(hours=1),
        "After autumn": dt.timedelta(0),
    }


def test_the_vtimezone_itself_describes_the_transitions(client, make_event, member, monkeypatch):
    _freeze_future(monkeypatch)
    event = make_event(starts_at=_at(2030, 3, 30, 19))
    client.force_login(member)
    cal = _parse(client.get(f"/events/{event.pk}.ics"))
    zone = cal.walk("VTIMEZONE")[0].to_tz()
    assert dt.datetime(2030, 3, 30, 19).replace(tzinfo=zone).utcoffset() == dt.timedelta(0)
    assert dt.datetime(2030, 4, 1, 19).replace(tzinfo=zone).utcoffset() == dt.timedelta(hours=1)
    assert dt.datetime(2030, 10, 28, 19).replace(tzinfo=zone).utcoffset() == dt.timedelta(0)


def test_the_private_feed_lists_events_you_are_going_to_with_correct_offsets(
    client, make_event, member, people, monkeypatch
):
    _freeze_future(monkeypatch)
    going_before = make_event(starts_at=_at(2030, 10, 26, 19), title="Saturday before")
    going_after = make_event(starts_at=_at(2030, 10, 27, 19), title="Sunday after")
    not_going = make_event(starts_at=_at(2030, 10, 25, 19), title="Not going")
    cancelled = make_event(starts_at=_at(2030, 10, 24, 19), title="Cancelled RSVP")
    for event in (going_before, going_after, cancelled):
        rsvp_actions.rsvp(actor=member, event=event)
    rsvp_actions.cancel_rsvp(actor=member, event=cancelled)
    feed = event_actions.regenerate_calendar_feed(actor=member)
    cal = _parse(client.get(f"/calendar/{feed.token}.ics"))  # no login: calendar apps cannot log in
    events = {e["SUMMARY"]: e.decoded("DTSTART") for e in cal.walk("VEVENT")}
    assert set(events) == {"Saturday before", "Sunday after"}
    assert events["Saturday before"].utcoffset() == dt.timedelta(hours=1)
    assert events["Sunday after"].utcoffset() == dt.timedelta(0)
    assert not_going.pk  # present in the system, absent from the feed


def test_a_regenerated_or_revoked_feed_address_stops_working(client, member):
    old = event_actions.regenerate_calendar_feed(actor=member).token
    new = event_actions.regenerate_calendar_feed(actor=member).token
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    event_actions.revoke_calendar_feed(actor=member)
    assert client.get(f"/calendar/{new}.ics").status_code == 404


def test_the_ics_shows_the_joining_link_only_to_those_going(client, make_event, member, outsider):
    event = make_event(online=True, online_url="https://meet.example.org/room-42")
    client.force_login(outsider)
    assert b"room-42" not in client.get(f"/events/{event.pk}.ics").content
    rsvp_actions.rsvp(actor=member, event=event)
    client.force_login(member)
    assert b"room-42" in client.get(f"/events/{event.pk}.ics").content
    assert timezone.now()
