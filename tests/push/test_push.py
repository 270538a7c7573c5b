"""Push: the API contract, who may do what, per-kind and per-device choices, quiet hours in the member's time
zone, one push per conversation, withdrawal, and the pushes other domains send."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import zoneinfo

import pytest
from django.utils import timezone

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.chat.handles import handle_for
from leveller.push import delivery, keys, quiet
from leveller.push.actions import notifications as push_actions
from leveller.push.models import PushMessage, PushSubscription, State
from tests.support.personas import make_member

pytestmark = [pytest.mark.django_db]


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def browser_subscription(n: int = 1) -> dict:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/device-{n}",
        "expirationTime": None,
        "keys": {"p256dh": b64(point), "auth": b64(os.urandom(16))},
    }


@pytest.fixture
def sent(monkeypatch):
    """Every push the server sends: (endpoint, payload, headers). Nothing leaves the machine."""
    calls = []

    def fake_webpush(*, subscription_info, data, headers, **kwargs):
        calls.append((subscription_info["endpoint"], json.loads(data), headers))

    monkeypatch.setattr(delivery, "webpush", fake_webpush)
    return calls


@pytest.fixture
def channel(organiser, member):
    general = channel_actions.create_channel(actor=organiser, name="general")
    channel_actions.add_channel_member(actor=member, channel=general, member=member)
    return general


def subscribe(who, n=1):
    body = browser_subscription(n)
    row, _ = push_actions.subscribe(
        actor=who, endpoint=body["endpoint"], p256dh=body["keys"]["p256dh"], auth=body["keys"]["auth"]
    )
    return row


def test_the_public_key_is_base64url_and_needs_no_login(client):
    response = client.get("/api/v1/push/key")
    assert response.status_code == 200
    key = response.json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4 and "=" not in key
    assert key == keys.public_key()  # generated once and kept


def test_the_key_is_kept_in_the_data_dir_readable_only_by_its_owner(settings):
    keys.public_key()
    path = settings.DATA_DIR / keys.FILE_NAME
    assert path.exists()
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_member_subscribes_with_to_json_and_unsubscribes_with_the_same_body(api_client, member):
    api = api_client(member)
    body = browser_subscription()
    response = api.post("/api/v1/push/subscriptions", {**body, "label": "Firefox on Android"})
    assert response.status_code == 201
    assert response.json()["label"] == "Firefox on Android"
    assert api.post("/api/v1/push/subscriptions", body).status_code == 200  # the same browser again: one row
    assert PushSubscription.objects.filter(member=member).count() == 1
    assert api.delete("/api/v1/push/subscriptions", data=body).status_code == 204
    assert not PushSubscription.objects.exists()


def test_an_outsider_cannot_unsubscribe_someone_elses_device(api_client, member, outsider):
    body = browser_subscription()
    api_client(member).post("/api/v1/push/subscriptions", body)
    response = api_client(outsider).delete("/api/v1/push/subscriptions", data=body)
    assert response.status_code == 400
    assert PushSubscription.objects.get().member == member


def test_nobody_subscribes_without_logging_in(client):
    assert (
        client.post("/api/v1/push/subscriptions", browser_subscription(), content_type="application/json").status_code
        == 401
    )


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/x",
        "https://127.0.0.1:6379/",
        "https://evil.example/fcm.googleapis.com",
        "https://fcm.googleapis.com.evil.example/x",
    ],
)
def test_the_server_posts_only_to_known_push_services(api_client, member, endpoint):
    response = api_client(member).post("/api/v1/push/subscriptions", {**browser_subscription(), "endpoint": endpoint})
    assert response.status_code == 400
    assert not PushSubscription.objects.exists()


def test_keys_that_are_not_a_p256_point_and_a_16_byte_secret_are_refused(api_client, member):
    body = browser_subscription()
    bad = {**body, "keys": {"p256dh": b64(b"\x04" + b"x" * 10), "auth": body["keys"]["auth"]}}
    assert "P-256" in api_client(member).post("/api/v1/push/subscriptions", bad).json()["detail"]
    bad = {**body, "keys": {"p256dh": body["keys"]["p256dh"], "auth": b64(b"short")}}
    assert "16 bytes" in api_client(member).post("/api/v1/push/subscriptions", bad).json()["detail"]


def test_a_mention_is_one_push_to_each_device_and_more_messages_update_it(
    sent, channel, organiser, member, run_on_commit
):
    subscribe(member, 1)
    subscribe(member, 2)
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=channel, text=f"@{handle_for(member)} hello")
    assert len(sent) == 2
    _endpoint, payload, headers = sent[0]
    assert set(payload) >= {"title", "body", "url", "tag"}
    assert payload["tag"] == headers["Topic"] == f"channel-{channel.pk}"
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=channel, text=f"@{handle_for(member)} still there?")
    assert len(sent) == 4  # the same notification, replaced on each device
    assert sent[-1][1]["title"].endswith("(2 new)")
    assert PushMessage.objects.filter(member=member).count() == 1


def test_the_author_is_never_pushed_their_own_post(sent, channel, organiser, member, run_on_commit):
    subscribe(organiser)
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=channel, text=f"@{handle_for(organiser)} note to self")
    assert sent == []


def test_a_kind_turned_off_for_the_member_or_the_device_is_not_pushed(sent, channel, organiser, member, run_on_commit):
    phone, laptop = subscribe(member, 1), subscribe(member, 2)
    push_actions.set_device_kinds(actor=member, subscription=laptop, kinds=["dm"])
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=channel, text=f"@{handle_for(member)} one")
    assert [endpoint for endpoint, *_ in sent] == [phone.endpoint]
    push_actions.set_preferences(actor=member, kinds=["dm"])
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=channel, text=f"@{handle_for(member)} two")
    assert len(sent) == 1


def test_someone_else_cannot_change_my_device(member, outsider):
    device = subscribe(member)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        push_actions.set_device_kinds(actor=outsider, subscription=device, kinds=[])


def test_quiet_hours_run_overnight_in_the_members_own_time_zone():
    zone = zoneinfo.ZoneInfo("Asia/Kolkata")
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=zone)
    assert quiet.quiet_until(dt.time(22), dt.time(7), zone, late) == dt.datetime(2026, 3, 2, 7, tzinfo=zone)
    early = dt.datetime(2026, 3, 2, 6, 0, tzinfo=zone)
    assert quiet.quiet_until(dt.time(22), dt.time(7), zone, early) == dt.datetime(2026, 3, 2, 7, tzinfo=zone)
    assert quiet.quiet_until(dt.time(22), dt.time(7), zone, dt.datetime(2026, 3, 2, 12, tzinfo=zone)) is None
    assert quiet.quiet_until(None, None, zone, late) is None


def test_a_push_in_quiet_hours_waits_until_they_end_then_goes_once(sent, channel, organiser, run_on_commit):
    abroad = make_member("Amal Abroad", "amal@example.org", time_zone="Asia/Kolkata")
    channel_actions.add_channel_member(actor=abroad, channel=channel, member=abroad)
    subscribe(abroad)
    push_actions.set_preferences(actor=abroad, kinds=["mention"], quiet_start=dt.time(22), quiet_end=dt.time(7))
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")
    tomorrow = (timezone.now().astimezone(kolkata) + dt.timedelta(days=1)).date()
    night = dt.datetime.combine(tomorrow, dt.time(23, 30), tzinfo=kolkata)  # ahead, so the queue cannot send it yet
    with run_on_commit():
        push_actions.notify(
            kind="mention", member_ids=[abroad.pk], title="t", body="b", url="/", tag="channel-1", now=night
        )
    assert sent == []
    held = PushMessage.objects.get()
    assert held.state == State.HELD
    assert held.deliver_after == dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(7), tzinfo=kolkata)
    assert delivery.deliver_due(now=held.deliver_after - dt.timedelta(minutes=1)) == 0
    assert delivery.deliver_due(now=held.deliver_after) == 1
    assert delivery.deliver_due(now=held.deliver_after + dt.timedelta(hours=1)) == 0
    assert len(sent) == 1


def test_quiet_hours_need_a_start_and_an_end(member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        push_actions.set_preferences(actor=member, kinds=["dm"], quiet_start=dt.time(22))


def test_reading_elsewhere_withdraws_a_shown_push_and_drops_a_waiting_one(
    sent, channel, organiser, member, run_on_commit
):
    subscribe(member)
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=channel, text=f"@{handle_for(member)} hi")
    with run_on_commit():
        state_actions.mark_read(actor=member, channel=channel)
    assert [payload["action"] for _, payload, _ in sent] == ["show", "withdraw"]
    assert sent[1][2]["Topic"] == f"channel-{channel.pk}"
    assert sent[1][1]["unread"] == 0
    assert PushMessage.objects.get().state == State.WITHDRAWN


def test_a_gone_subscription_is_forgotten(monkeypatch, channel, organiser, member, run_on_commit):
    from pywebpush import WebPushException

    class Gone:
        status_code = 410

    def gone(**kwargs):
        raise WebPushException("gone", response=Gone())

    monkeypatch.setattr(delivery, "webpush", gone)
    subscribe(member)
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=channel, text=f"@{handle_for(member)} hi")
    assert not PushSubscription.objects.exists()


def test_an_announcement_reaches_every_member_of_the_channel(sent, staff, member, run_on_commit):
    announcements = channel_actions.create_channel(actor=staff, name="news", announcement=True)
    channel_actions.add_channel_member(actor=member, channel=announcements, member=member)
    subscribe(member)
    with run_on_commit():
        message_actions.send_message(actor=staff, channel=announcements, text="AGM on Saturday")
    assert [p["title"] for _, p, _ in sent] == ["Announcement in #news"]


def test_an_event_reminder_is_pushed_with_the_email(sent, staff, member, run_on_commit, mailoutbox):
    from leveller.events import reminders
    from leveller.events.actions import events as event_actions
    from leveller.events.actions import rsvps as rsvp_actions

    start = timezone.now() + dt.timedelta(days=3)
    event = event_actions.create_event(
        actor=staff,
        title="Canvassing training",
        type="training",
        in_person=True,
        address="95 High Road",
        postcode="NW10 2SF",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    rsvp_actions.rsvp(actor=member, event=event)
    subscribe(member)
    with run_on_commit():
        reminders.send_due_reminders(now=event.starts_at - dt.timedelta(minutes=50))
    assert [p["title"] for _, p, _ in sent] == ["Canvassing training starts in an hour"]
    assert sent[0][1]["tag"] == f"event-{event.pk}"


def test_the_unread_count_is_the_members_own(api_client, channel, organiser, member, outsider, run_on_commit):
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=channel, text=f"@{handle_for(member)} hi")
    assert api_client(member).get("/api/v1/push/unread").json() == {"unread": 1}
    assert api_client(outsider).get("/api/v1/push/unread").json() == {"unread": 0}


def test_the_settings_page_saves_kinds_and_quiet_hours(client, member):
    client.force_login(member)
    assert client.get("/settings/notifications/").status_code == 200
    response = client.post(
        "/settings/notifications/", {"kinds": ["dm", "mention"], "quiet_start": "22:00", "quiet_end": "07:00"}
    )
    assert response.status_code == 302
    preference = push_actions.preference_for(member)
    assert preference.kinds == ["dm", "mention"] and preference.quiet_end == dt.time(7)


def test_preferences_and_device_kinds_through_the_api(api_client, member, outsider):
    api = api_client(member)
    device = api.post("/api/v1/push/subscriptions", browser_subscription()).json()
    body = {"kinds": ["dm", "voting_open"], "quiet_start": "22:30:00", "quiet_end": "07:00:00"}
    assert api.put("/api/v1/push/preferences", body).json() == body
    assert api.get("/api/v1/push/preferences").json() == body
    assert api.put("/api/v1/push/preferences", {"kinds": ["gossip"]}).status_code == 400
    changed = api.patch(f"/api/v1/push/subscriptions/{device['id']}", {"kinds": ["dm"]})
    assert changed.json()["kinds"] == ["dm"]
    assert api_client(outsider).patch(f"/api/v1/push/subscriptions/{device['id']}", {"kinds": []}).status_code == 404
