"""The websocket at /ws/: authentication, narrow streams, and resuming from the last event id."""

import contextlib
import json

import pytest
from django.db import transaction
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from leveller.accounts.actions import members as member_actions
from leveller.chat.actions import channels as channel_actions
from leveller.realtime.publish import publish
from tests.support.browser import session_for


def token_for(member):
    return member_actions.create_api_token(actor=member, member=member, name="ws")[1]


def receive(ws, timeout=5):
    return json.loads(ws.recv(timeout=timeout))


def publish_to(streams, n=1, type="test.ping"):
    with transaction.atomic():
        return [publish(streams=streams, type=type, payload={"n": i})[0] for i in range(n)]


def test_a_socket_without_credentials_is_refused(live_server_asgi):
    with pytest.raises(InvalidStatus) as refused:
        connect(live_server_asgi.ws_url)
    assert refused.value.response.status_code == 403


def test_a_bad_token_is_refused(live_server_asgi, member):
    with pytest.raises(InvalidStatus) as refused:
        connect(live_server_asgi.ws_url + "?token=lvl_not-a-token")
    assert refused.value.response.status_code == 403


def test_a_token_authenticates_the_socket_and_events_for_the_member_arrive(live_server_asgi, member):
    with connect(f"{live_server_asgi.ws_url}?token={token_for(member)}") as ws:
        assert receive(ws)["type"] == "hello"
        publish_to([f"user-{member.pk}"], type="test.hello")
        event = receive(ws)
        assert event["type"] == "test.hello"
        assert event["stream"] == f"user-{member.pk}"


def test_the_session_cookie_authenticates_a_browser_socket(live_server_asgi, member):
    cookie = f"sessionid={session_for(member)}"
    with connect(live_server_asgi.ws_url, additional_headers={"Cookie": cookie, "Origin": live_server_asgi.url}) as ws:
        assert receive(ws)["type"] == "hello"


def test_a_foreign_origin_cannot_ride_a_session_cookie(live_server_asgi, member):
    cookie = f"sessionid={session_for(member)}"
    with pytest.raises(InvalidStatus) as refused:
        connect(live_server_asgi.ws_url, additional_headers={"Cookie": cookie, "Origin": "https://evil.example"})
    assert refused.value.response.status_code == 403


def test_a_member_never_receives_another_members_events(live_server_asgi, member, outsider):
    with connect(f"{live_server_asgi.ws_url}?token={token_for(outsider)}") as ws:
        receive(ws)
        publish_to([f"user-{member.pk}"], type="test.private")
        ws.send(json.dumps({"type": "ping"}))
        assert receive(ws)["type"] == "pong"


def test_subscribing_to_a_stream_without_an_authoriser_is_refused(live_server_asgi, member):
    with connect(f"{live_server_asgi.ws_url}?token={token_for(member)}") as ws:
        receive(ws)
        ws.send(json.dumps({"type": "subscribe", "stream": "user-999999"}))
        assert receive(ws)["type"] == "error"


def test_a_client_that_reconnects_receives_every_missed_event_in_order(live_server_asgi, member):
    token = token_for(member)
    with connect(f"{live_server_asgi.ws_url}?token={token}") as ws:
        last = receive(ws)["last_event_id"]
    sent = publish_to([f"user-{member.pk}"], n=50)
    with connect(f"{live_server_asgi.ws_url}?token={token}") as ws:
        receive(ws)
        ws.send(json.dumps({"type": "resume", "after": last}))
        received = []
        while True:
            message = receive(ws)
            if message["type"] == "resumed":
                break
            received.append(message)
    ids = [m["event_id"] for m in received if m["type"] == "test.ping"]
    assert ids == [e.id for e in sent]
    assert [m["n"] for m in received if m["type"] == "test.ping"] == list(range(50))


def test_a_resume_from_before_the_retained_events_is_told_to_resync(live_server_asgi, member):
    import datetime as dt

    from django.utils import timezone

    from leveller.realtime.prune import prune

    first = publish_to([f"user-{member.pk}"], n=3)[0]
    assert prune(now=timezone.now() + dt.timedelta(days=30)) >= 3
    with connect(f"{live_server_asgi.ws_url}?token={token_for(member)}") as ws:
        receive(ws)
        ws.send(json.dumps({"type": "resume", "after": first.id - 1}))
        assert receive(ws)["type"] == "resync"


def test_nothing_is_broadcast_for_a_rolled_back_change(live_server_asgi, member):
    with connect(f"{live_server_asgi.ws_url}?token={token_for(member)}") as ws:
        receive(ws)
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(streams=[f"user-{member.pk}"], type="test.rolled_back", payload={})
            raise RuntimeError("abort")
        publish_to([f"user-{member.pk}"], type="test.after")
        assert receive(ws)["type"] == "test.after"


def test_publish_refuses_a_malformed_stream_name(db):
    with pytest.raises(ValueError):
        publish(streams=["everyone"], type="x", payload={})


def test_publish_refuses_a_payload_that_would_hide_the_event_id(db):
    with pytest.raises(ValueError, match="event_id"):
        publish(streams=["user-1"], type="x", payload={"event_id": 5})


def test_after_unsubscribing_a_socket_is_sent_nothing_more_from_that_stream(live_server_asgi, member):
    channel = channel_actions.create_channel(actor=member, name="quiet")
    with connect(f"{live_server_asgi.ws_url}?token={token_for(member)}") as ws:
        receive(ws)
        ws.send(json.dumps({"type": "unsubscribe", "stream": channel.stream}))
        ws.send(json.dumps({"type": "ping"}))
        assert receive(ws)["type"] == "pong"  # the unsubscribe has been handled
        publish_to([channel.stream], type="test.after_unsubscribe")
        ws.send(json.dumps({"type": "ping"}))
        assert receive(ws)["type"] == "pong"


def test_a_socket_cannot_leave_its_members_own_stream(live_server_asgi, member):
    with connect(f"{live_server_asgi.ws_url}?token={token_for(member)}") as ws:
        receive(ws)
        ws.send(json.dumps({"type": "unsubscribe", "stream": f"user-{member.pk}"}))
        assert receive(ws)["type"] == "error"
        publish_to([f"user-{member.pk}"], type="test.still_here")
        assert receive(ws)["type"] == "test.still_here"


def test_every_socket_of_a_stream_gets_its_events_once_each_in_event_id_order(live_server_asgi, member):
    token = token_for(member)
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(connect(f"{live_server_asgi.ws_url}?token={token}")) for _ in range(3)]
        for ws in sockets:
            receive(ws)
        sent = [publish_to([f"user-{member.pk}"], type="test.order")[0].id for _ in range(30)]
        for ws in sockets:
            assert [receive(ws)["event_id"] for _ in sent] == sent


def test_deactivating_a_member_closes_their_open_socket(live_server_asgi, member, staff):
    with connect(f"{live_server_asgi.ws_url}?token={token_for(member)}") as ws:
        receive(ws)
        member_actions.deactivate_member(actor=staff, member=member, reason="left")
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                receive(ws)
        assert closed.value.rcvd.code == 4403
