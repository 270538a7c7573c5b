"""The private runtime (docs/architecture.md, "Private runtime: what is kept and why") with Django's async-safety
check on: the request threads serving a page, the local fan-out hub and outbox pushing a post to a browser's
socket, and the websocket read reports written in batches. Any ORM call made from the event loop would fail."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from websockets.sync.client import connect

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.models import ChannelMembership
from tests.support.async_safety import async_safety_on  # noqa: F401 - fixture
from tests.support.browser import session_for

pytestmark = pytest.mark.django_db(transaction=True)


def frames(ws, until, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        if until(event):
            return event
    raise AssertionError("no such frame")


def test_a_member_reads_a_post_pushed_to_their_tab_and_reports_reading_it_with_the_check_on(
    async_safety_on,  # noqa: F811
    live_server_asgi,
    member,
    organiser,
):
    channel = channel_actions.create_channel(actor=organiser, name="safe")
    channel_actions.add_channel_member(actor=member, channel=channel, member=member)
    cookie = session_for(member)
    page = httpx.get(f"{live_server_asgi.url}/chat/c/{channel.pk}/", cookies={"sessionid": cookie})
    assert page.status_code == 200, "the page came through Django on a request thread"
    headers = {"Cookie": f"sessionid={cookie}", "Origin": live_server_asgi.url}
    with connect(live_server_asgi.ws_url, additional_headers=headers) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "hello"
        post = message_actions.send_message(actor=organiser, channel=channel, text="Meet at six")
        created = frames(ws, lambda e: e["type"] == "message.created")
        assert created["message"]["id"] == post.pk
        assert "<article" in created["fragments"]["channel"]
        ws.send(json.dumps({"type": "chat.read", "channel_id": channel.pk, "up_to": post.pk}))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if ChannelMembership.objects.get(channel=channel, member=member).last_read_id == post.pk:
                break
            time.sleep(0.1)
        assert ChannelMembership.objects.get(channel=channel, member=member).last_read_id == post.pk
