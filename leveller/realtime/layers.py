"""The in-process channel layer used without Redis: Channels' InMemoryChannelLayer, made linear in fan-out.

Channels' version sweeps every channel and every group membership for expired entries on each receive and
each group_send. With one consumer per websocket, a broadcast to N sockets makes N receives, so every
message cost O(N^2): measured with bench/bench_chat_fanout.py, this capped fan-out at 1,800 deliveries/s
with 500 sockets (docs/chat.md, Performance). Here the sweep runs at most once a second, group_send puts
messages straight onto the queues, and group memberships never expire nor end when a message expires
(members leave their groups themselves: since fanout.py, the only member is each event loop's hub, and the
stock layer would silently have dropped it from every group after a day, or after one stalled minute).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from copy import deepcopy

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

SWEEP_EVERY_S = 1.0


class LinearInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, *args, group_expiry: int = 0, **kwargs):
        super().__init__(*args, group_expiry=group_expiry, **kwargs)
        self._swept_at = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._swept_at < SWEEP_EVERY_S:
            return
        self._swept_at = now
        if self.group_expiry:
            super()._clean_expired()
            return
        for channel, queue in list(self.channels.items()):  # the stock sweep, minus any group removal
            while not queue.empty() and queue._queue[0][0] < time.time():
                queue.get_nowait()
                if queue.empty():
                    self.channels.pop(channel, None)

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        deadline = time.time() + self.expiry
        for channel in list(self.groups.get(group, {})):
            queue = self.channels.get(channel)
            if queue is None:
                queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
            # Like the stock layer, a full channel misses the message (its client resumes from the event log).
            with contextlib.suppress(asyncio.QueueFull, ChannelFull):
                queue.put_nowait((deadline, deepcopy(message)))
