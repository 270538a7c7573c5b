"""The one websocket at /ws/: joins the member's streams, relays events, replays missed ones on resume."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db.models import Max, Q

from leveller.realtime import registry
from leveller.realtime.fanout import TOO_SLOW, Outbox, local_hub
from leveller.realtime.models import Event, Horizon

REPLAY_LIMIT = 2000
# On PostgreSQL, two transactions can commit out of id order. A resume therefore also replays events a
# little older than the last one seen (the client drops ids it already has), so none is skipped.
REORDER_WINDOW = dt.timedelta(seconds=5)


def replay(streams: set[str], after: int) -> dict:
    """Events after `after` in these streams, oldest first, or a `resync` when they are no longer kept."""
    high = latest_event_id()
    horizon = Horizon.objects.values_list("pruned_through", flat=True).first() or 0
    if after < horizon:
        return {"type": "resync", "reason": "too old", "last_event_id": high}
    anchor = Event.objects.filter(id__lte=after).order_by("-id").values_list("created_at", flat=True).first()
    window = Q(id__gt=after)
    if anchor is not None:
        window |= Q(id__lte=after, created_at__gte=anchor - REORDER_WINDOW)
    events = list(Event.objects.filter(window, stream__in=streams).order_by("id")[: REPLAY_LIMIT + 1])
    if len(events) > REPLAY_LIMIT:
        return {"type": "resync", "reason": "too many", "last_event_id": high}
    return {"type": "replay", "events": [e.as_message() for e in events], "last_event_id": high}


def latest_event_id() -> int:
    return Event.objects.aggregate(high=Max("id"))["high"] or 0


class LevellerConsumer(AsyncJsonWebsocketConsumer):
    # No layer channel per socket: the process's hub (fanout.py) reads the layer once per stream and writes
    # events to this socket's outbox.
    channel_layer_alias = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.member = user
        self.origin = secrets.token_hex(8)  # names this socket in events it caused (publish_each's origin)
        self.streams: set[str] = set()
        self.hub = local_hub()
        self.outbox = Outbox(self.base_send, on_overflow=lambda: self.shut(TOO_SLOW))
        await self.accept()
        async with self.outbox.held():  # hello comes first
            for stream in await database_sync_to_async(registry.streams_for)(user):
                await self.hub.join(self, stream)
            await self.send_json({"type": "hello", "last_event_id": await database_sync_to_async(latest_event_id)()})
        await registry.connected(self)

    async def disconnect(self, code):
        await registry.disconnected(self)
        if hasattr(self, "outbox"):
            self.outbox.close()
            await self.hub.leave(self, set(self.streams))

    def shut(self, code: int) -> None:
        """Stop pushing to this socket at once and close it (deactivated, logged out everywhere, too slow)."""
        self.outbox.close()
        self.hub.drop(self)
        self._closing = asyncio.ensure_future(self._close_quietly(code))

    async def _close_quietly(self, code: int) -> None:
        with contextlib.suppress(Exception):
            await self.close(code=code)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "message": "Send a JSON object."})
            return
        kind = content.get("type")
        if kind == "resume":
            await self._resume(content.get("after"))
        elif kind == "subscribe":
            await self._subscribe(str(content.get("stream", "")))
        elif kind == "unsubscribe":
            await self._unsubscribe(str(content.get("stream", "")))
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        elif (handler := registry.client_handler(str(kind))) is not None:
            await handler(self, content)
        else:
            await self.send_json({"type": "error", "message": f"Unknown message type {kind!r}."})

    async def _resume(self, after) -> None:
        try:
            after = int(after)
        except (TypeError, ValueError):
            await self.send_json({"type": "error", "message": "resume needs an integer 'after'."})
            return
        async with self.outbox.held():  # live events wait until the replay is out, then follow it
            result = await database_sync_to_async(replay)(set(self.streams), after)
            if result["type"] == "resync":
                await self.send_json(result)
                return
            for event in result["events"]:
                await self.send_json(event)
            self.outbox.forget({event["event_id"] for event in result["events"]})
            await self.send_json({"type": "resumed", "last_event_id": result["last_event_id"]})

    async def _unsubscribe(self, stream: str) -> None:
        if stream == f"user-{self.member.pk}":  # it carries removals and closes to this socket: it stays
            await self.send_json({"type": "error", "message": "A socket keeps its own stream.", "stream": stream})
            return
        await self.hub.leave(self, [stream])

    async def _subscribe(self, stream: str) -> None:
        allowed = await database_sync_to_async(registry.may_subscribe)(self.member, stream)
        if not allowed:
            await self.send_json({"type": "error", "message": "You cannot follow that.", "stream": stream})
            return
        async with self.outbox.held():  # "subscribed" comes before the stream's events
            await self.hub.join(self, stream)
            await self.send_json({"type": "subscribed", "stream": stream})


def retention() -> dt.timedelta:
    return dt.timedelta(hours=settings.LEVELLER_EVENT_RETENTION_HOURS)
