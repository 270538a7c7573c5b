"""The one websocket at /ws/: joins the member's streams, relays events, replays missed ones on resume."""

from __future__ import annotations

import datetime as dt

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db.models import Max, Q

from leveller.realtime import registry
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
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.member = user
        self.streams: set[str] = set()
        await self.accept()
        for stream in await database_sync_to_async(registry.streams_for)(user):
            await self._join(stream)
        await self.send_json({"type": "hello", "last_event_id": await database_sync_to_async(latest_event_id)()})

    async def disconnect(self, code):
        for stream in list(getattr(self, "streams", ())):
            await self.channel_layer.group_discard(stream, self.channel_name)

    async def _join(self, stream: str) -> None:
        if stream not in self.streams:
            self.streams.add(stream)
            await self.channel_layer.group_add(stream, self.channel_name)

    async def _leave(self, stream: str) -> None:
        if stream in self.streams:
            self.streams.discard(stream)
            await self.channel_layer.group_discard(stream, self.channel_name)

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
            await self._leave(str(content.get("stream", "")))
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
        result = await database_sync_to_async(replay)(set(self.streams), after)
        if result["type"] == "resync":
            await self.send_json(result)
            return
        for event in result["events"]:
            await self.send_json(event)
        await self.send_json({"type": "resumed", "last_event_id": result["last_event_id"]})

    async def _subscribe(self, stream: str) -> None:
        allowed = await database_sync_to_async(registry.may_subscribe)(self.member, stream)
        if not allowed:
            await self.send_json({"type": "error", "message": "You cannot follow that.", "stream": stream})
            return
        await self._join(stream)
        await self.send_json({"type": "subscribed", "stream": stream})

    async def dispatch(self, message):
        # Channels runs close_old_connections() in the sync thread before every handler: a thread hop per socket
        # per broadcast, all through one thread. Relaying an event never touches the database, so it skips
        # that; everything else goes the usual way.
        if message.get("type") == "leveller.event":
            await self.leveller_event(message)
        else:
            await super().dispatch(message)

    # --- messages from the channel layer ---------------------------------------------------------
    async def leveller_event(self, message):
        if "text" in message:  # publish.relay(): already encoded
            if message.get("stream") in self.streams:
                await self.send(text_data=message["text"])
        elif (event := message.get("event", {})).get("stream") in self.streams:
            await self.send_json(event)

    async def leveller_subscribe(self, message):
        for stream in message.get("streams", []):
            await self._join(stream)

    async def leveller_unsubscribe(self, message):
        for stream in message.get("streams", []):
            await self._leave(stream)

    async def leveller_close(self, message):
        """Sent when a member is deactivated or logs out everywhere."""
        await self.close(code=4403)


def retention() -> dt.timedelta:
    return dt.timedelta(hours=settings.LEVELLER_EVENT_RETENTION_HOURS)
