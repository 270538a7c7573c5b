import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from leveller.events.actions import rsvps as rsvp_actions


def test_the_finder_lists_upcoming_events_with_the_documented_fields(api_client, make_event, member):
    event = make_event(title="Tenant rights talk", type="talk", time_zone="Europe/London")
    response = api_client(member).get("/api/v1/events")
    assert response.status_code == 200
    (row,) = response.json()
    assert {"id", "title", "type", "starts_at", "time_zone", "online", "ics_url"} <= set(row)
    assert row["id"] == event.pk and row["type"] == "talk" and row["time_zone"] == "Europe/London"
    starts = parse_datetime(row["starts_at"])
    assert starts.utcoffset() is not None and starts == event.starts_at
    assert row["ics_url"].endswith(f"/events/{event.pk}.ics")


def test_the_finder_filters_by_type_group_dates_and_gives_distance(api_client, make_event, member, group, organiser):
    near = make_event(title="Harlesden social", type="social", actor=organiser, group=group, postcode="NW10 8AA")
    far = make_event(title="Manchester rally", type="rally", postcode="M1 1AE", hours=24 * 5)
    online = make_event(title="Online training", online=True, online_url="https://meet.example.org/x")
    client = api_client(member)
    assert [r["id"] for r in client.get("/api/v1/events?type=social").json()] == [near.pk]
    assert [r["id"] for r in client.get(f"/api/v1/events?group={group.slug}").json()] == [near.pk]
    soon = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert far.pk not in [r["id"] for r in client.get(f"/api/v1/events?to={soon}").json()]
    later = (timezone.localdate() + dt.timedelta(days=4)).isoformat()
    assert [r["id"] for r in client.get(f"/api/v1/events?from={later}").json()] == [far.pk]
    rows = {r["id"]: r for r in client.get("/api/v1/events?postcode=NW10%203LN").json()}
    assert rows[near.pk]["distance_km"] < 5
    assert rows[far.pk]["distance_km"] > 200
    assert rows[online.pk]["distance_km"] is None
    within = [r["id"] for r in client.get("/api/v1/events?postcode=NW10&within_km=10").json()]
    assert sorted(within) == sorted([near.pk, online.pk])


def test_bad_filters_get_a_clear_400(api_client, member):
    client = api_client(member)
    response = client.get("/api/v1/events?postcode=NOTAPOSTCODE")
    assert response.status_code == 400 and "postcode" in response.json()["detail"]
    assert client.get("/api/v1/events?from=yesterday").status_code == 400
    assert "not a type" in client.get("/api/v1/events?type=picnic").json()["detail"]


def test_rsvp_and_cancel_through_the_api(api_client, make_event, member, people):
    event = make_event(capacity=1)
    (first,) = people(1)
    assert api_client(first).post(f"/api/v1/events/{event.pk}/rsvp").json()["status"] == "going"
    client = api_client(member)
    body = client.post(f"/api/v1/events/{event.pk}/rsvp").json()
    assert body == {"status": "waitlisted", "waitlist_position": 1}
    assert api_client(first).delete(f"/api/v1/events/{event.pk}/rsvp").json()["status"] == "cancelled"
    assert client.get(f"/api/v1/events/{event.pk}").json()["my_status"] == "going"
    assert client.delete(f"/api/v1/events/{event.pk}/rsvp").json() == {"status": "cancelled", "waitlist_position": None}


def test_the_joining_link_is_hidden_from_members_who_have_not_rsvpd(api_client, make_event, member, outsider):
    event = make_event(online=True, online_url="https://meet.example.org/secret-room")
    assert api_client(outsider).get(f"/api/v1/events/{event.pk}").json()["online_url"] is None
    assert "secret-room" not in api_client(outsider).get("/api/v1/events").content.decode()
    api_client(member).post(f"/api/v1/events/{event.pk}/rsvp")
    assert api_client(member).get(f"/api/v1/events/{event.pk}").json()["online_url"].endswith("secret-room")
    assert api_client(outsider).get(f"/api/v1/events/{event.pk}").json()["online_url"] is None


def test_group_only_and_pending_events_are_invisible_to_outsiders(
    api_client, make_event, group, organiser, member, outsider
):
    private = make_event(actor=organiser, group=group, audience="group", title="Branch AGM")
    pending = make_event(actor=member, group=group, title="Member's idea")
    assert pending.status == "pending"
    client = api_client(outsider)
    assert client.get("/api/v1/events").json() == []
    for event in (private, pending):
        assert client.get(f"/api/v1/events/{event.pk}").status_code == 404
        assert client.post(f"/api/v1/events/{event.pk}/rsvp").status_code == 404
    assert [r["id"] for r in api_client(member).get("/api/v1/events").json()] == [private.pk]


def test_the_openapi_schema_documents_the_finder_filters(client):
    parameters = client.get("/api/openapi.json").json()["paths"]["/api/v1/events"]["get"]["parameters"]
    assert {"from", "to", "type", "group", "postcode"} <= {p["name"] for p in parameters}


def test_the_events_api_needs_authentication(client, make_event):
    event = make_event()
    assert client.get("/api/v1/events").status_code == 401
    assert client.post(f"/api/v1/events/{event.pk}/rsvp").status_code == 401


def test_course_sessions_need_an_accepted_application(api_client, staff, member, make_event):
    from leveller.events.actions import courses as course_actions

    course = course_actions.create_course(actor=staff, title="Future Councillors' Programme", questions=["Why?"])
    session = make_event(course=course, title="Workshop 1")
    response = api_client(member).post(f"/api/v1/events/{session.pk}/rsvp")
    assert response.status_code == 400 and "apply to the course" in response.json()["detail"]
    assert rsvp_actions.rsvp(actor=staff, event=session).status == "going"
