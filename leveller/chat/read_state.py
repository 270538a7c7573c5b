"""Read state over the websocket: `{"type": "chat.read", "channel_id": 3, "up_to": 812}` and
`{"type": "chat.thread_read", "thread_id": 77}`.

chat.js reports at most once every few seconds per tab and channel (READ_INTERVAL_MS there). Reports are not
written one by one: each process keeps the furthest position per (member, channel) and writes what it holds once
every FLUSH_SECONDS (half a second) in one transaction (`actions.mark_read_many`), so thousands of tabs reading
a busy channel cost the database a handful of statements a second, not a write per tab per message.
"""

from __future__ import annotations

import asyncio
import logging
import time

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import Http404

from leveller.chat import access

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.5
THREAD_READ_INTERVAL = 1.0  # seconds between thread reads a socket may write for one thread


class ReadBuffer:
    """Furthest reported positions per (member id, channel id), written in batches by one task per event loop."""

    def __init__(self):
        self.pending: dict[tuple[int, int], tuple[int | None, str | None]] = {}
        self.task: asyncio.Task | None = None

    def add(self, member_id: int, channel_id: int, up_to: int | None, origin: str | None = None) -> None:
        key = (member_id, channel_id)
        if key in self.pending:
            held = self.pending[key][0]
            up_to = None if held is None or up_to is None else max(held, up_to)
        self.pending[key] = (up_to, origin)
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while self.pending:
            await asyncio.sleep(FLUSH_SECONDS)
            await self.flush()

    async def flush(self) -> None:
        batch, self.pending = self.pending, {}
        if not batch:
            return
        try:
            await database_sync_to_async(_write)(batch)
        except Exception:  # a lost read position is harmless: the next report carries it again
            log.exception("writing %d read positions failed", len(batch))


def _write(batch: dict[tuple[int, int], tuple[int | None, str | None]]) -> int:
    from leveller.chat.actions.state import mark_read_many

    return mark_read_many(
        reads={key: up_to for key, (up_to, _) in batch.items()},
        origins={key: origin for key, (_, origin) in batch.items() if origin},
    )


_buffers: dict[int, ReadBuffer] = {}


def buffer() -> ReadBuffer:
    loop = asyncio.get_running_loop()
    found = _buffers.get(id(loop))
    if found is None or getattr(found, "loop", None) is not loop:
        found = _buffers[id(loop)] = ReadBuffer()
        found.loop = loop
    return found


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


async def read(consumer, content: dict) -> None:
    channel_id = _int(content.get("channel_id"))
    up_to = _int(content.get("up_to")) if content.get("up_to") is not None else None
    if channel_id is None or (content.get("up_to") is not None and up_to is None):
        await consumer.send_json({"type": "error", "message": "chat.read needs a channel_id (and an integer up_to)."})
        return
    if f"channel-{channel_id}" not in consumer.streams:
        return  # not one of the member's channels (mark_read_many also ignores non-members)
    buffer().add(consumer.member.pk, channel_id, up_to, getattr(consumer, "origin", None))


async def thread_read(consumer, content: dict) -> None:
    thread_id = _int(content.get("thread_id"))
    if thread_id is None:
        await consumer.send_json({"type": "error", "message": "chat.thread_read needs a thread_id."})
        return
    last = consumer.__dict__.setdefault("_thread_reads", {})
    now = time.monotonic()
    if now - last.get(thread_id, 0) < THREAD_READ_INTERVAL:
        return
    last[thread_id] = now
    await database_sync_to_async(_thread_read)(consumer.member, thread_id)


def _thread_read(member, thread_id: int) -> None:
    from leveller.chat.actions.state import mark_thread_read

    try:
        root = access.get_message(member, thread_id)
    except (Http404, PermissionDenied):
        return
    mark_thread_read(actor=member, thread=root.thread if root.thread_id else root)
