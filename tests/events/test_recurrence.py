import datetime as dt
import zoneinfo

from django.utils import timezone

from leveller.events.models import Event

LONDON = zoneinfo.ZoneInfo("Europe/London")


def test_a_weekly_meeting_keeps_its_local_time_across_the_clock_change(make_event, monkeypatch):
    monkeypatch.setattr("leveller.core.clock.now", lambda: dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    first = make_event(starts_at=dt.datetime(2030, 3, 19, 19, tzinfo=LONDON), repeat="weekly", count=4)
    dates = list(Event.objects.filter(series=first.series).order_by("starts_at"))
    assert len(dates) == 4
    assert [timezone.localtime(e.starts_at, LONDON).hour for e in dates] == [19, 19, 19, 19]
    assert [e.starts_at.astimezone(dt.UTC).hour for e in dates] == [19, 19, 18, 18]


def test_a_monthly_meeting_falls_on_the_same_weekday_of_the_month(make_event, monkeypatch):
    monkeypatch.setattr("leveller.core.clock.now", lambda: dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    # Tuesday 8 January 2030 is the second Tuesday.
    first = make_event(starts_at=dt.datetime(2030, 1, 8, 19, tzinfo=LONDON), repeat="monthly", count=3)
    days = [timezone.localtime(e.starts_at, LONDON).date() for e in Event.objects.filter(series=first.series)]
    assert days == [dt.date(2030, 1, 8), dt.date(2030, 2, 12), dt.date(2030, 3, 12)]


def test_each_occurrence_is_editable_on_its_own(make_event, staff):
    from leveller.events.actions import events as event_actions

    first = make_event(repeat="weekly", count=3)
    second = Event.objects.filter(series=first.series).order_by("starts_at")[1]
    event_actions.update_event(actor=staff, event=second, title="Special guest week")
    titles = list(Event.objects.filter(series=first.series).order_by("starts_at").values_list("title", flat=True))
    assert titles == ["Canvassing training", "Special guest week", "Canvassing training"]
