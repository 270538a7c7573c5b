"""The websocket path: live events, reconnect-and-resume with nothing lost, typing hints."""

from __future__ import annotations

import json

import pytest
from websockets.sync.client import connect

from leveller.accounts.actions.members import create_api_token
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
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
    channel = channel_actions.create_channel(actor=author, name="live")
    channel_actions.add_channel_member(actor=reader, channel=channel, member=reader)
    url = f"{live_server_asgi.ws_url}?token={token_for(reader)}"
    with connect(url) as ws:
        recv_until(ws, "hello")
        message_actions.send_message(actor=author, channel=channel, text="before the drop")
        last_seen = recv_until(ws, "message.created")["event_id"]
    # socket dropped; 50 messages go by
    sent = [message_actions.send_message(actor=author, channel=channel, text=f"missed {i}").pk for i in range(50)]
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
    channel = channel_actions.create_channel(actor=author, name="later", private=True)
    with (
        connect(f"{live_server_asgi.ws_url}?token={token_for(reader)}") as ws,
        connect(f"{live_server_asgi.ws_url}?token={token_for(author)}") as author_ws,
    ):
        recv_until(ws, "hello")
        recv_until(author_ws, "hello")
        channel_actions.add_channel_member(actor=author, channel=channel, member=reader)
        recv_until(ws, "channel.member_joined")
        message_actions.send_message(actor=author, channel=channel, text="now you see it")
        assert recv_until(ws, "message.created")["message"]["text"] == "now you see it"
        ws.send(json.dumps({"type": "typing", "channel_id": channel.pk}))
        typing = recv_until(author_ws, "typing")
        assert typing["member_id"] == reader.pk and "event_id" not in typing
        channel_actions.remove_channel_member(actor=author, channel=channel, member=reader)
        recv_until(ws, "channel.member_left")
        message_actions.send_message(actor=author, channel=channel, text="gone")
        message_actions.send_message(
            actor=author, channel=channel_actions.ensure_default_channels()[0], text="welcome marker"
        )
        assert recv_until(ws, "message.created")["message"]["text"] == "welcome marker"


def test_a_read_over_the_websocket_is_written_in_a_batch_and_reaches_the_members_other_tab_only(live_server_asgi):
    from leveller.chat.models import ChannelMembership

    author = make_member("Ann Author", "ann@example.org", password=None)
    reader = make_member("Rae Reader", "rae@example.org", password=None)
    channel = channel_actions.create_channel(actor=author, name="live")
    channel_actions.add_channel_member(actor=reader, channel=channel, member=reader)
    url = f"{live_server_asgi.ws_url}?token={token_for(reader)}"
    with connect(url) as reading, connect(url) as other_tab:
        recv_until(reading, "hello")
        recv_until(other_tab, "hello")
        message = message_actions.send_message(actor=author, channel=channel, text="@rae.reader are you coming?")
        event = recv_until(reading, "message.created")
        assert event["fragments"]["channel"].startswith("<article")  # the finished row, no fetch needed
        assert event["fragments"]["thread"] is None
        recv_until(other_tab, "message.created")
        reading.send(json.dumps({"type": "chat.read", "channel_id": channel.pk, "up_to": message.pk}))
        read = recv_until(other_tab, "channel.read")
        assert read["channel_id"] == channel.pk and read["last_read_id"] == message.pk
        assert read["unread"] == 0 and read["mentions"] == 0
        reading.send(json.dumps({"type": "ping"}))
        before_pong = []
        while (seen := json.loads(reading.recv(timeout=5)))["type"] != "pong":
            before_pong.append(seen["type"])
        assert "channel.read" not in before_pong  # the socket that reported it already knows
    membership = ChannelMembership.objects.get(channel=channel, member=reader)
    assert membership.last_read_id == message.pk


def test_reads_for_channels_a_member_is_not_in_change_nothing(live_server_asgi):
    from leveller.chat.models import ChannelMembership

    author = make_member("Ann Author", "ann@example.org", password=None)
    outsider = make_member("Oz Outsider", "oz@example.org", password=None)
    channel = channel_actions.create_channel(actor=author, name="closed", private=True)
    message = message_actions.send_message(actor=author, channel=channel, text="Committee only")
    with connect(f"{live_server_asgi.ws_url}?token={token_for(outsider)}") as ws:
        recv_until(ws, "hello")
        ws.send(json.dumps({"type": "chat.read", "channel_id": channel.pk, "up_to": message.pk}))
        ws.send(json.dumps({"type": "chat.read", "channel_id": "x"}))
        assert recv_until(ws, "error")["message"].startswith("chat.read needs")
    assert not ChannelMembership.objects.filter(channel=channel, member=outsider).exists()
    assert state_actions.mark_read_many(reads={(outsider.pk, channel.pk): message.pk}) == 0
