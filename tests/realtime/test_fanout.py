"""The hub: one reader of the channel layer per process writes each broadcast to the local sockets following its
stream, checks membership as it writes, keeps each stream's order, and never waits for a slow socket."""

from __future__ import annotations

import asyncio
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

from leveller.realtime import fanout
from leveller.realtime.fanout import CLOSED_BY_SERVER, TOO_SLOW, Hub, Outbox
from leveller.realtime.layers import LinearInMemoryChannelLayer
from leveller.realtime.publish import relay
from tests.support.services import requires_redis


def run(scenario) -> None:
    """On a thread of its own: a browser test may have left an event loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(scenario())).result()


def in_process_hub() -> tuple[LinearInMemoryChannelLayer, Hub]:
    layer = LinearInMemoryChannelLayer(capacity=1000)
    return layer, Hub(layer)


class FakeSocket:
    """What the hub needs of a consumer; records the text frames it is sent. A slow one waits for `gate`."""

    def __init__(self, hub: Hub, *, slow: bool = False):
        self.hub = hub
        self.streams: set[str] = set()
        self.frames: list[dict] = []
        self.gate = asyncio.Event()
        if not slow:
            self.gate.set()
        self.outbox = Outbox(self.send, on_overflow=lambda: self.shut(TOO_SLOW))
        self.closed_with: int | None = None

    async def send(self, message: dict) -> None:
        await self.gate.wait()
        self.frames.append(json.loads(message["text"]))

    def shut(self, code: int) -> None:
        self.outbox.close()
        self.hub.drop(self)
        self.closed_with = code

    def ids(self) -> list[int]:
        return [frame["event_id"] for frame in self.frames]


def event(stream: str, event_id: int, type: str = "message.created") -> dict:
    return relay(stream, {"type": type, "event_id": event_id, "stream": stream})


def control(member_id: int, type: str, **data) -> dict:
    return {**data, "type": type, "stream": f"user-{member_id}"}


async def settle(until=None, timeout: float = 5.0) -> None:
    """Let the hub catch up: a few loop turns (in-process layer), or until `until()` holds (Redis)."""
    for _ in range(20):
        await asyncio.sleep(0)
    deadline = asyncio.get_running_loop().time() + timeout
    while until is not None and not until() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)


def test_a_broadcast_reaches_the_hub_once_and_each_socket_of_the_stream_once_and_no_other():
    async def scenario():
        layer, hub = in_process_hub()
        readers = [FakeSocket(hub) for _ in range(3)]
        elsewhere = FakeSocket(hub)
        for socket in readers:
            await hub.join(socket, "channel-1")
        await hub.join(elsewhere, "channel-2")
        assert len(layer.groups["channel-1"]) == 1  # the hub, not one channel per socket
        await layer.group_send("channel-1", event("channel-1", 7))
        await settle()
        assert [socket.ids() for socket in readers] == [[7], [7], [7]]
        assert elsewhere.frames == []

    run(scenario)


def test_one_streams_events_reach_each_socket_in_the_order_they_were_broadcast():
    async def scenario():
        layer, hub = in_process_hub()
        sockets = [FakeSocket(hub) for _ in range(2)]
        for socket in sockets:
            await hub.join(socket, "channel-1")
        for event_id in range(1, 201):
            await layer.group_send("channel-1", event("channel-1", event_id))
        await settle()
        assert [socket.ids() for socket in sockets] == [list(range(1, 201))] * 2

    run(scenario)


def test_a_removal_sent_before_a_broadcast_wins_over_it():
    async def scenario():
        layer, hub = in_process_hub()
        removed, staying = FakeSocket(hub), FakeSocket(hub)
        await hub.join(removed, "user-7")
        await hub.join(staying, "user-8")
        for socket in (removed, staying):
            await hub.join(socket, "channel-1")
        # what remove_channel_member() sends, then the next message, all before the hub reads any of it
        await layer.group_send("channel-1", event("channel-1", 1, "channel.member_left"))
        await layer.group_send("user-7", control(7, "leveller.unsubscribe", streams=["channel-1"]))
        await layer.group_send("channel-1", event("channel-1", 2))
        await settle()
        assert removed.ids() == [1]
        assert removed.streams == {"user-7"}
        assert staying.ids() == [1, 2]

    run(scenario)


def test_when_the_last_local_socket_leaves_a_stream_the_hub_leaves_its_group():
    async def scenario():
        layer, hub = in_process_hub()
        socket = FakeSocket(hub)
        await hub.join(socket, "channel-1")
        await hub.leave(socket, ["channel-1"])
        assert "channel-1" not in layer.groups
        await layer.group_send("channel-1", event("channel-1", 1))
        await settle()
        assert socket.frames == []

    run(scenario)


def test_a_subscribe_control_makes_the_members_sockets_follow_the_stream():
    async def scenario():
        layer, hub = in_process_hub()
        member, other = FakeSocket(hub), FakeSocket(hub)
        await hub.join(member, "user-7")
        await hub.join(other, "user-8")
        await layer.group_send("user-7", control(7, "leveller.subscribe", streams=["channel-9"]))
        await settle()
        await layer.group_send("channel-9", event("channel-9", 3))
        await settle()
        assert member.ids() == [3]
        assert other.frames == []

    run(scenario)


def test_a_close_control_stops_deliveries_before_the_next_broadcast():
    async def scenario():
        layer, hub = in_process_hub()
        socket = FakeSocket(hub)
        await hub.join(socket, "user-7")
        await hub.join(socket, "channel-1")
        await layer.group_send("user-7", control(7, "leveller.close"))
        await layer.group_send("channel-1", event("channel-1", 1))
        await settle()
        assert socket.closed_with == CLOSED_BY_SERVER
        assert socket.frames == []
        await hub.join(socket, "channel-2")  # a closing socket cannot follow anything again
        assert socket.streams == set()

    run(scenario)


def test_a_slow_socket_holds_up_nobody_and_gets_its_events_in_order_once_it_drains():
    async def scenario():
        layer, hub = in_process_hub()
        slow, fast = FakeSocket(hub, slow=True), FakeSocket(hub)
        for socket in (slow, fast):
            await hub.join(socket, "channel-1")
        for event_id in range(1, 6):
            await layer.group_send("channel-1", event("channel-1", event_id))
        await settle()
        assert fast.ids() == [1, 2, 3, 4, 5]
        assert slow.frames == []
        slow.gate.set()
        await settle()
        assert slow.ids() == [1, 2, 3, 4, 5]
        await layer.group_send("channel-1", event("channel-1", 6))  # written at once again
        await settle()
        assert slow.ids() == [1, 2, 3, 4, 5, 6]

    run(scenario)


def test_a_socket_too_far_behind_is_closed_and_sent_nothing_more(monkeypatch):
    monkeypatch.setattr(fanout, "OUTBOX_LIMIT", 3)

    async def scenario():
        layer, hub = in_process_hub()
        stuck, fine = FakeSocket(hub, slow=True), FakeSocket(hub)
        for socket in (stuck, fine):
            await hub.join(socket, "channel-1")
        for event_id in range(1, 7):  # one in flight, three waiting, then one too many
            await layer.group_send("channel-1", event("channel-1", event_id))
        await settle()
        assert stuck.closed_with == TOO_SLOW
        assert stuck.streams == set()
        stuck.gate.set()
        await settle()
        assert stuck.ids() == [1]  # the write that was under way, nothing after
        assert fine.ids() == [1, 2, 3, 4, 5, 6]

    run(scenario)


def test_while_a_replay_is_sent_live_events_wait_then_follow_without_repeating_it():
    async def scenario():
        layer, hub = in_process_hub()
        socket = FakeSocket(hub)
        await hub.join(socket, "channel-1")
        async with socket.outbox.held():
            for event_id in (1, 2, 3):
                await layer.group_send("channel-1", event("channel-1", event_id))
            await settle()
            assert socket.frames == []
            for event_id in (1, 2):  # the replay, sent by the socket's own task
                await socket.send(event("channel-1", event_id))
            socket.outbox.forget({1, 2})
        await settle()
        assert socket.ids() == [1, 2, 3]

    run(scenario)


def test_a_replay_on_a_slow_socket_follows_the_write_already_under_way():
    async def scenario():
        layer, hub = in_process_hub()
        socket = FakeSocket(hub, slow=True)
        await hub.join(socket, "channel-1")
        await layer.group_send("channel-1", event("channel-1", 1))
        await layer.group_send("channel-1", event("channel-1", 2))
        await settle()

        async def resume():
            async with socket.outbox.held():
                for event_id in (2, 3):
                    await socket.send(event("channel-1", event_id))
                socket.outbox.forget({2, 3})

        replaying = asyncio.ensure_future(resume())
        await settle()
        socket.gate.set()
        await replaying
        await settle()
        assert socket.ids() == [1, 2, 3]

    run(scenario)


@requires_redis
def test_over_redis_a_removal_before_a_broadcast_wins_and_order_holds():
    from channels_redis.pubsub import RedisPubSubChannelLayer

    async def scenario():
        layer = RedisPubSubChannelLayer(hosts=[settings.REDIS_URL], prefix=f"leveller-test-{uuid.uuid4().hex[:8]}")
        hub = Hub(layer)
        removed, staying = FakeSocket(hub), FakeSocket(hub)
        await hub.join(removed, "user-7")
        for socket in (removed, staying):
            await hub.join(socket, "channel-1")
        try:
            for event_id in range(1, 51):
                await layer.group_send("channel-1", event("channel-1", event_id))
            await layer.group_send("user-7", control(7, "leveller.unsubscribe", streams=["channel-1"]))
            await layer.group_send("channel-1", event("channel-1", 51))
            await settle(until=lambda: len(staying.frames) == 51)
            assert staying.ids() == list(range(1, 52))
            assert removed.ids() == list(range(1, 51))
        finally:
            hub._reader.cancel()
            await asyncio.gather(hub._reader, return_exceptions=True)
            await layer.flush()

    run(scenario)
