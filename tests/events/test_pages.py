import datetime as dt

from django.utils import timezone

from leveller.events.actions import rsvps as rsvp_actions


def test_the_event_page_hides_the_joining_link_until_you_rsvp(client, make_event, member, outsider):
    event = make_event(online=True, online_url="https://meet.example.org/secret-room")
    client.force_login(outsider)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "secret-room" not in page and "appears here once you have a place" in page
    client.force_login(member)
    client.post(f"/events/{event.pk}/rsvp/")
    assert "secret-room" in client.get(f"/events/{event.pk}/").content.decode()


def test_the_waitlist_position_shows_on_the_event_page(client, make_event, member, people):
    event = make_event(capacity=1)
    (first,) = people(1)
    rsvp_actions.rsvp(actor=first, event=event)
    client.force_login(member)
    response = client.post(f"/events/{event.pk}/rsvp/", follow=True)
    assert "number 1 in line" in response.content.decode()


def test_times_show_in_the_viewers_zone_and_the_events_own(client, make_event, people):
    (abroad,) = people(1, prefix="abroad")
    abroad.time_zone = "America/New_York"
    abroad.save()
    start = timezone.now() + dt.timedelta(days=2)
    event = make_event(starts_at=start)
    client.force_login(abroad)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert timezone.localtime(event.starts_at, event.zone).strftime("%H:%M") in page
    assert "Local time at the event" in page and "(Europe/London)" in page


def test_pages_render_for_the_right_people(client, make_event, group, organiser, member, outsider, staff):
    event = make_event(actor=organiser, group=group)
    pending = make_event(actor=member, group=group, title="Pending idea")
    client.force_login(member)
    for path in ["/events/", "/events/new/", "/events/settings/", "/courses/", f"/events/{event.pk}/", "/"]:
        assert client.get(path).status_code == 200, path
    assert client.get(f"/events/{event.pk}/attendance/").status_code == 403
    client.force_login(organiser)
    assert client.get(f"/events/{event.pk}/attendance/").status_code == 200
    assert "Pending idea" in client.get("/events/approvals/").content.decode()
    client.force_login(outsider)
    assert client.get(f"/events/{pending.pk}/").status_code == 404
    assert "Pending idea" not in client.get("/events/approvals/").content.decode()
    assert client.get(f"/events/{event.pk}/edit/").status_code == 403


def test_submitting_an_event_through_the_form(client, group, member):
    client.force_login(member)
    start = (timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT19:00")
    end = (timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT21:00")
    data = {
        "title": "Door-knocking skillshare",
        "type": "skillshare",
        "group": str(group.pk),
        "starts_at": start,
        "ends_at": end,
        "time_zone": "Europe/London",
        "in_person": "on",
        "address": "Harlesden Methodist Church",
        "postcode": "NW10 4NG",
        "audience": "members",
        "capacity": "",
        "repeat": "",
    }
    response = client.post("/events/new/", data, follow=True)
    assert "organisers for approval" in response.content.decode()
    bad = client.post("/events/new/", {**data, "postcode": "BAD"})
    assert bad.status_code == 200 and "not a UK postcode" in bad.content.decode()
    assert "Door-knocking skillshare" in bad.content.decode()  # nothing typed is lost
