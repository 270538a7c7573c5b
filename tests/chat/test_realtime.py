"""The websocket path: live events, reconnect-and-resume with nothing lost, typing hints."""

from __future__ import annotations

import json

import pytest
from websockets.sync.client import connect

from leveller.accounts.actions import create_api_token
from leveller.chat import actions
from tests.support.personas import make_member

pytestmark = pytest.mark.django_db(transaction=True)


def token_for(member) -> str:
    return create_api_token(actor=member, member=member)[1]


def recv_until(ws, type_, timeout=5):
    while True:
        event = json.loads(ws.recv(timeout=timeout))
        if event["type"] == type_:
            return event


def test_a_reconnecting_client_receives_all_50_missed_messages_in_order(live_server_asgi):
    author = make_member("Ann Author", "ann@example.org", password=None)
    reader = make_member("Rae Reader", "rae@example.org", password=None)
    channel = actions.create_channel(actor=author, name="live")
    actions.add_channel_member(actor=reader, channel=channel, member=reader)
    url = f"{live_server_asgi.ws_url}?token={token_for(reader)}"
    with connect(url) as ws:
        recv_until(ws, "hello")
        actions.send_message(actor=author, channel=channel, text="before the drop")
        last_seen = recv_until(ws, "message.created")["event_id"]
    # socket dropped; 50 messages go by
    sent = [actions.send_message(actor=author, channel=channel, text=f"missed {i}").pk for i in range(50)]
    with connect(url) as ws:
        recv_until(ws, "hello")
        ws.send(json.dumps({"type": "resume", "after": last_seen}))
        received = []
        while (event := json.loads(ws.recv(timeout=5)))["type"] != "resumed":
            if event["type"] == "message.created" and event["event_id"] > last_seen:
                received.append(event)
    assert [e["message"]["id"] for e in received] == sent
    assert [e["event_id"] for e in received] == sorted(e["event_id"] for e in received)


def test_membership_changes_follow_open_sockets_and_typing_reaches_others(live_server_asgi):
    author = make_member("Ann Author", "ann@example.org", password=None)
    reader = make_member("Rae Reader", "rae@example.org", password=None)
    channel = actions.create_channel(actor=author, name="later", private=True)
    with (
        connect(f"{live_server_asgi.ws_url}?token={token_for(reader)}") as ws,
        connect(f"{live_server_asgi.ws_url}?token={token_for(author)}") as author_ws,
    ):
        recv_until(ws, "hello")
        recv_until(author_ws, "hello")
        actions.add_channel_member(actor=author, channel=channel, member=reader)
        recv_until(ws, "channel.member_joined")
        actions.send_message(actor=author, channel=channel, text="now you see it")
        assert recv_until(ws, "message.created")["message"]["text"] == "now you see it"
        ws.send(json.dumps({"type": "typing", "channel_id": channel.pk}))
        typing = recv_until(author_ws, "typing")
        assert typing["member_id"] == reader.pk and "event_id" not in typing
        actions.remove_channel_member(actor=author, channel=channel, member=reader)
        recv_until(ws, "channel.member_left")
        actions.send_message(actor=author, channel=channel, text="gone")
        actions.send_message(actor=author, channel=actions.ensure_default_channels()[0], text="welcome marker")
        assert recv_until(ws, "message.created")["message"]["text"] == "welcome marker"
