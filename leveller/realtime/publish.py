"""The one way state changes reach browsers: actions call publish() inside their transaction.

Events are written to the event log in the action's transaction and sent to the channel layer only after
commit, to exactly the streams named. Realtime pushes are hints: a client that missed some resumes from
its last event id (see consumer.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from leveller.realtime.models import Event

log = logging.getLogger(__name__)


def _check_streams(streams: Iterable[str]) -> list[str]:
    streams = list(dict.fromkeys(streams))
    for stream in streams:
        prefix, _, ident = stream.rpartition("-")
        if not prefix or not ident or len(stream) > 64 or not stream.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"not a stream name: {stream!r}")
    return streams


RESERVED_KEYS = frozenset({"type", "event_id", "stream"})


def publish(*, streams: Iterable[str], type: str, payload: dict) -> list[Event]:
    """Store one event per stream and broadcast each after the surrounding transaction commits."""
    streams = _check_streams(streams)
    clash = RESERVED_KEYS.intersection(payload)
    if clash:
        raise ValueError(f"payload keys {sorted(clash)} are the event's own; rename them (e.g. 'event' for an id)")
    if not streams:
        return []
    events = Event.objects.bulk_create([Event(stream=s, type=type, payload=payload) for s in streams])
    messages = [(event.stream, event.as_message()) for event in events]
    transaction.on_commit(lambda: send_now(messages))
    return events


def publish_each(items: Iterable[tuple[Iterable[str], str, dict, str | None]]) -> list[Event]:
    """publish() for many events at once, one INSERT for all: `(streams, type, payload, origin)` each. `origin`
    (a socket's `origin` token, or None) is the socket the change came from: it already shows it, so the live
    push skips it (a resume still replays the event to it, which is harmless)."""
    rows, origins = [], []
    for streams, type, payload, origin in items:
        streams = _check_streams(streams)
        clash = RESERVED_KEYS.intersection(payload)
        if clash:
            raise ValueError(f"payload keys {sorted(clash)} are the event's own; rename them")
        rows += [Event(stream=s, type=type, payload=payload) for s in streams]
        origins += [origin] * len(streams)
    if not rows:
        return []
    events = Event.objects.bulk_create(rows)
    messages = [
        (event.stream, relay(event.stream, event.as_message(), origin=origin))
        for event, origin in zip(events, origins, strict=True)
    ]
    transaction.on_commit(lambda: send_now(messages, raw=True))
    return events


def publish_ephemeral(*, streams: Iterable[str], type: str, payload: dict) -> None:
    """Broadcast a passing hint (typing, presence) that is never stored and never replayed."""
    messages = [(s, {**payload, "type": type, "stream": s}) for s in _check_streams(streams)]
    transaction.on_commit(lambda: send_now(messages))


def send_now(messages: list[tuple[str, dict]], *, raw: bool = False) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _send_blocking(layer, messages, raw)
    else:
        # Sync code running on a thread that owns an event loop (a sync test driver, a REPL): send from a
        # helper thread, since async_to_sync refuses to run there.
        sender = threading.Thread(target=_send_blocking, args=(layer, messages, raw))
        sender.start()
        sender.join()


def _send_blocking(layer, messages: list[tuple[str, dict]], raw: bool = False) -> None:
    try:
        async_to_sync(_send_all)(layer, messages, raw)
    except Exception:  # a broadcast is a hint; the event log keeps the truth
        log.exception("broadcast failed; clients will catch up on resume")


async def _send_all(layer, messages: list[tuple[str, dict]], raw: bool = False) -> None:
    for stream, message in messages:
        await layer.group_send(stream, message if raw else relay(stream, message))


def relay(stream: str, event: dict, *, origin: str | None = None) -> dict:
    """The channel-layer message for an event: JSON-encoded once here, not once per socket. The event id rides
    along so a socket that is being sent a replay skips what the replay already carried; `origin` names a socket
    the live push skips (the one the change came from)."""
    message = {"type": "leveller.event", "stream": stream, "text": json.dumps(event), "event_id": event.get("event_id")}
    if origin:
        message["origin"] = origin
    return message


async def asend(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await _send_all(layer, messages)


def control(member_id: int, type: str, **data) -> None:
    """Tell a member's open sockets to change subscriptions (`leveller.subscribe` / `leveller.unsubscribe`) or
    to close (`leveller.close`). It travels the `user-<id>` stream, in order with that stream's events."""
    stream = f"user-{member_id}"
    transaction.on_commit(lambda: send_now([(stream, {**data, "type": type, "stream": stream})], raw=True))
