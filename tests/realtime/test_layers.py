"""The in-process channel layer: broadcasts reach every member of a group, once, and nobody else."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

from leveller.realtime.layers import LinearInMemoryChannelLayer
from leveller.realtime.publish import relay


def run(scenario) -> None:
    """On a thread of its own: a browser test may have left an event loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(scenario())).result()


def test_a_group_send_reaches_every_member_once_and_no_one_else():
    async def scenario():
        layer = LinearInMemoryChannelLayer()
        names = [await layer.new_channel() for _ in range(3)]
        outsider = await layer.new_channel()
        for name in names:
            await layer.group_add("channel-1", name)
        await layer.group_send("channel-1", relay("channel-1", {"type": "message.created", "event_id": 7}))
        got = [await asyncio.wait_for(layer.receive(name), 1) for name in names]
        assert all(json.loads(m["text"]) == {"type": "message.created", "event_id": 7} for m in got)
        assert all(m["stream"] == "channel-1" for m in got)
        await layer.send(outsider, {"type": "probe"})
        assert (await asyncio.wait_for(layer.receive(outsider), 1))["type"] == "probe"
        assert all(layer.channels.get(name) is None or layer.channels[name].empty() for name in names)

    run(scenario)


def test_group_memberships_do_not_expire_while_the_socket_is_open():
    async def scenario():
        layer = LinearInMemoryChannelLayer()
        name = await layer.new_channel()
        await layer.group_add("user-1", name)
        layer.groups["user-1"][name] = 1  # joined "long ago"
        layer._swept_at = 0.0
        await layer.group_send("user-1", {"type": "leveller.event", "stream": "user-1", "text": "{}"})
        assert (await asyncio.wait_for(layer.receive(name), 1))["text"] == "{}"

    run(scenario)
