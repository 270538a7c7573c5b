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
HAVE_LIMIT = 1000


def replay(streams: set[str], after: int, have: set[int] | None = None, floor: int | None = None) -> dict:
    """Events after `after` in these streams, oldest first, or a `resync` when they are no longer kept.

    On PostgreSQL two transactions can commit out of id order, so events a little older than `after` (the
    REORDER_WINDOW) may also be missing: those are sent too, except the ones the client says it `have`s and
    those at or below its `floor` (the last event id when its page was loaded: the page already shows them)."""
    high = latest_event_id()
    horizon = Horizon.objects.values_list("pruned_through", flat=True).first() or 0
    if after < horizon:
        return {"type": "resync", "reason": "too old", "last_event_id": high}
    anchor = Event.objects.filter(id__lte=after).order_by("-id").values_list("created_at", flat=True).first()
    window = Q(id__gt=after)
    if anchor is not None:
        window |= Q(id__lte=after, created_at__gte=anchor - REORDER_WINDOW)
    events = list(Event.objects.filter(window, stream__in=streams).order_by("id")[: REPLAY_LIMIT + 1])
    if have is not None or floor is not None:
        have, floor = have or set(), floor or 0
        events = [e for e in events if e.id > after or (e.id > floor and e.id not in have)]
    if len(events) > REPLAY_LIMIT:
        return {"type": "resync", "reason": "too many", "last_event_id": high}
    return {"type": "replay", "events": [e.as_message() for e in events], "last_event_id": high}


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ids(value) -> set[int] | None:
    """The event ids a client says it has (`have`, at most HAVE_LIMIT), or None when it says nothing."""
    if not isinstance(value, list):
        return None
    return {item for item in value[:HAVE_LIMIT] if isinstance(item, int) and not isinstance(item, bool)}


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
            latest = await database_sync_to_async(latest_event_id)()
            self.outbox.high = self.outbox.checkpoint = self.floor = latest
            await self.send_json({"type": "hello", "last_event_id": latest})
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

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """A frame that is not JSON (or is binary, too deep, or not valid text) gets an error, not a dropped socket."""
        from leveller.core.text import parse_json

        try:
            content = parse_json(text_data) if text_data else None
        except ValueError:
            content = None
        if content is None:
            await self.send_json({"type": "error", "message": "Send a JSON object."})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "message": "Send a JSON object."})
            return
        kind = content.get("type")
        if kind == "resume":
            await self._resume(content.get("after"), _ids(content.get("have")), _int(content.get("floor")))
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

    async def _resume(self, after, have: set[int] | None = None, floor: int | None = None) -> None:
        try:
            after = int(after)
        except (TypeError, ValueError, OverflowError):
            after = -1
        if not 0 <= after < 2**63:
            await self.send_json({"type": "error", "message": "resume needs an integer 'after'."})
            return
        async with self.outbox.held():  # live events wait until the replay is out, then follow it
            result = await database_sync_to_async(replay)(set(self.streams), after, have, floor)
            if result["type"] == "resync":
                await self.send_json(result)
                return
            await self._send_replayed(result["events"])
            self.outbox.high = max(self.outbox.high, after)
            self.floor = min(self.floor, after if floor is None else max(floor, 0))
            await self.send_json({"type": "resumed", "last_event_id": result["last_event_id"]})

    async def catch_up(self) -> None:
        """After a channel-layer outage (fanout.Hub._watch): give this open socket every event it missed, from
        the event log, without a reconnect; events it was already given are not sent again. It starts from the
        socket's checkpoint (how far it had got when the layer last answered), not from the newest event it has
        been given since: broadcasts sent as the layer came back may have been lost while newer ones got through."""
        async with self.outbox.held():
            result = await database_sync_to_async(replay)(
                set(self.streams), self.outbox.checkpoint, self.outbox.recent(), self.floor
            )
            if result["type"] == "resync":
                await self.send_json(result)
                return
            await self._send_replayed([e for e in result["events"] if not self.outbox.has(e["event_id"])])

    async def _send_replayed(self, events: list[dict]) -> None:
        for event in events:
            await self.send_json(event)
            self.outbox.given(event["event_id"])
        self.outbox.forget({event["event_id"] for event in events})

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
