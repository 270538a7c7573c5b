"""A Redis outage loses no event: a socket that stays connected through it is given every message posted during
it, once each and in event-id order. Uses a redis-server of its own on a free port (never the shared one)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import time

import pytest
from websockets.sync.client import connect

from leveller.accounts.actions import members as accounts
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.realtime.models import Event
from tests.support.live import free_port, start_live_server

pytestmark = [
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
    pytest.mark.django_db(transaction=True),
]


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def own_redis():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_layer(settings, own_redis):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [own_redis.url], "prefix": f"outage{own_redis.port}"},
        }
    }
    server = start_live_server()
    yield server
    server.stop()


def _frames(ws, until, seconds: float) -> list[dict]:
    got, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline and not until(got):
        try:
            got.append(json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.01))))
        except TimeoutError:
            break
    return got


def _ids(frames) -> list[int]:
    return [f["event_id"] for f in frames if "event_id" in f]


def test_a_socket_connected_through_a_redis_outage_shows_every_message_posted_during_it(
    redis_layer, own_redis, member, organiser
):
    channel = channel_actions.create_channel(actor=organiser, name="general")
    channel_actions.add_channel_member(actor=member, channel=channel, member=member)
    _, secret = accounts.create_api_token(actor=member, member=member, name="ws")
    with connect(f"{redis_layer.ws_url}?token={secret}") as ws:
        assert _frames(ws, lambda got: got and got[-1]["type"] == "hello", 5)[-1]["type"] == "hello"
        before = message_actions.send_message(actor=organiser, channel=channel, text="before the outage")
        live = _frames(ws, lambda got: any(f.get("type") == "message.created" for f in got), 5)
        assert any(f.get("type") == "message.created" for f in live), "the live path works before the outage"

        own_redis.stop()
        during = [message_actions.send_message(actor=organiser, channel=channel, text=f"during {i}") for i in range(5)]
        time.sleep(1.5)
        own_redis.start()

        wanted = set(Event.objects.filter(stream=channel.stream, id__gt=max(_ids(live))).values_list("id", flat=True))
        assert len(wanted) >= 5
        after = _frames(ws, lambda got: wanted <= set(_ids(got)), 20)
        received = _ids(after)
        assert wanted <= set(received), f"missed {sorted(wanted - set(received))}"
        assert len(received) == len(set(received)), "an event was given twice"
        assert received == sorted(received), "events out of id order"
        texts = [f.get("message", {}).get("text") for f in after if f.get("type") == "message.created"]
        assert [m.text for m in during] == [t for t in texts if t and t.startswith("during")]
    assert before.pk


def test_messages_posted_as_redis_returns_do_not_hide_those_posted_during_the_outage(
    redis_layer, own_redis, member, organiser, monkeypatch
):
    """The bench's miss: when Redis is back, new broadcasts reach the socket before the hub notices the layer is
    back; its catch-up must still start from where the socket was before the outage, not from the newest event
    it has since been given. No reorder window helps here (it is set to nothing), and the hub notices late."""
    from leveller.realtime import consumer, fanout

    monkeypatch.setattr(consumer, "REORDER_WINDOW", dt.timedelta(0))
    monkeypatch.setattr(fanout, "PING_EVERY", 2.0)
    channel = channel_actions.create_channel(actor=organiser, name="general")
    channel_actions.add_channel_member(actor=member, channel=channel, member=member)
    _, secret = accounts.create_api_token(actor=member, member=member, name="ws")
    with connect(f"{redis_layer.ws_url}?token={secret}") as ws:
        assert _frames(ws, lambda got: got and got[-1]["type"] == "hello", 5)[-1]["type"] == "hello"
        message_actions.send_message(actor=organiser, channel=channel, text="before the outage")
        live = _frames(ws, lambda got: any(f.get("type") == "message.created" for f in got), 5)
        assert any(f.get("type") == "message.created" for f in live), "the live path works before the outage"
        time.sleep(fanout.PING_EVERY + 0.5)  # the hub has seen the layer answer since

        own_redis.stop()
        during = [
            message_actions.send_message(actor=organiser, channel=channel, text=f"during {i}").text for i in range(5)
        ]
        time.sleep(3)  # long enough for the hub's ping to fail
        own_redis.start()
        back = []
        for i in range(12):  # keep posting while the hub has not yet noticed the layer is back
            back.append(message_actions.send_message(actor=organiser, channel=channel, text=f"back {i}").text)
            time.sleep(0.25)

        wanted = set(Event.objects.filter(stream=channel.stream, id__gt=max(_ids(live))).values_list("id", flat=True))
        after = _frames(ws, lambda got: wanted <= set(_ids(got)), 20)
        received = _ids(after)
        assert wanted <= set(received), f"missed {sorted(wanted - set(received))}"
        assert len(received) == len(set(received)), "an event was given twice"
        texts = {f.get("message", {}).get("text") for f in after if f.get("type") == "message.created"}
        assert set(during + back) <= texts
