"""The events list for people: pages of 20, "this week" / "this month", a month calendar, courses in the menu."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from leveller.events import listing

pytestmark = pytest.mark.django_db


def test_a_long_list_comes_in_pages(client, make_event, member):
    start = timezone.now() + dt.timedelta(days=1)
    for i in range(45):
        make_event(title=f"Weekly meeting {i:02d}", starts_at=start + dt.timedelta(hours=i))
    client.force_login(member)
    first = client.get("/events/").content.decode()
    assert first.count('class="panel event-card"') == 20
    assert "45 events; page 1 of 3" in first and "Later events" in first
    third = client.get("/events/?page=3").content.decode()
    assert third.count('class="panel event-card"') == 5 and "Weekly meeting 44" in third
    assert "Earlier events" in third


def test_this_week_and_this_month_limit_the_range(client, make_event, member, monkeypatch):
    london = timezone.get_default_timezone()
    wednesday = dt.datetime(2027, 3, 10, 12, 0, tzinfo=london)
    monkeypatch.setattr("leveller.core.clock.now", lambda: wednesday)
    make_event(title="Friday social", starts_at=wednesday + dt.timedelta(days=2))
    make_event(title="Next Tuesday training", starts_at=wednesday + dt.timedelta(days=6))
    make_event(title="April rally", starts_at=wednesday + dt.timedelta(days=30))
    client.force_login(member)
    week = client.get("/events/?period=week").content.decode()
    assert "Friday social" in week and "Next Tuesday training" not in week
    month = client.get("/events/?period=month").content.decode()
    assert "Next Tuesday training" in month and "April rally" not in month
    assert re.search(r'aria-current="page"[^>]*>|>This month</a>', month)
    assert client.get("/events/?period=fortnight").status_code == 200  # a clear error, not a crash
    assert "is not a period" in client.get("/events/?period=fortnight").content.decode()


def test_this_week_ends_on_sunday_night_in_the_viewers_zone(member):
    london = timezone.get_default_timezone()
    _, end = listing.period_range("week", member, dt.datetime(2027, 3, 10, 12, 0, tzinfo=london))
    assert end == dt.datetime(2027, 3, 15, 0, 0, tzinfo=london)


def test_the_month_calendar_puts_events_on_their_days(client, make_event, member):
    start = (timezone.localtime() + dt.timedelta(days=40)).replace(hour=18, minute=30, second=0, microsecond=0)
    make_event(title="Branch meeting", starts_at=start)
    client.force_login(member)
    page = client.get(f"/events/?view=calendar&month={start:%Y-%m}").content.decode()
    assert f"{start:%B %Y}" in page and 'class="month-calendar"' in page
    cell = page[page.index(f'</span>{start.day}<span class="visually-hidden"> {start:%B}') :]
    assert "18:30</time> Branch meeting" in cell[: cell.index("</td>")]
    assert "Previous month" in page and "Next month" in page
    assert "is not a month" in client.get("/events/?view=calendar&month=soon").content.decode()


def test_courses_are_in_the_main_navigation(client, member):
    client.force_login(member)
    page = client.get("/").content.decode()
    nav = page[page.index('aria-label="Main"') : page.index("</nav>")]
    assert 'href="/courses/"' in nav and ">Courses<" in nav
