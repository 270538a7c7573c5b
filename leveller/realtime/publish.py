"""The one way state changes reach browsers: actions call publish() inside their transaction.

Events are written to the event log in the action's transaction and sent to the channel layer only after
commit, to exactly the streams named. Realtime pushes are hints: a client that missed some resumes from
its last event id (see consumer.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import threading
from collections import deque
from collections.abc import Iterable, Iterator

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from leveller.realtime.models import Event

log = logging.getLogger(__name__)
FAILED_LIMIT = 10000  # broadcasts kept for re-sending through an outage; beyond, clients resume from the log


def _check_streams(streams: Iterable[str]) -> list[str]:
    streams = list(dict.fromkeys(streams))
    for stream in streams:
        prefix, _, ident = stream.rpartition("-")
        if not prefix or not ident or len(stream) > 64 or not stream.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"not a stream name: {stream!r}")
    return streams


RESERVED_KEYS = frozenset({"type", "event_id", "stream"})


TEST_TYPES = "test."  # the realtime machinery's own tests send these made-up types (tests/realtime)


def _check_payload(type: str, payload: dict) -> None:
    """With LEVELLER_CHECK_EVENTS (on in the test suite and with DEBUG), every payload is validated against its
    schema in leveller/realtime/events.py: an event type or field not in the catalogue fails where it is sent."""
    from django.conf import settings

    if getattr(settings, "LEVELLER_CHECK_EVENTS", settings.DEBUG) and not type.startswith(TEST_TYPES):
        from leveller.realtime import events

        if type not in events.EVENTS:
            raise ValueError(f"event type {type!r} is not in the catalogue (leveller/realtime/events.py)")
        events.validate(type, payload)


def publish(*, streams: Iterable[str], type: str, payload: dict) -> list[Event]:
    """Store one event per stream and broadcast each after the surrounding transaction commits."""
    streams = _check_streams(streams)
    clash = RESERVED_KEYS.intersection(payload)
    if clash:
        raise ValueError(f"payload keys {sorted(clash)} are the event's own; rename them (e.g. 'event' for an id)")
    _check_payload(type, payload)
    if not streams:
        return []
    events = Event.objects.bulk_create([Event(stream=s, type=type, payload=payload) for s in streams])
    messages = [(event.stream, event.as_message()) for event in events]
    _after_commit(messages)
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
        _check_payload(type, payload)
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
    _check_payload(type, payload)
    messages = [(s, {**payload, "type": type, "stream": s}) for s in _check_streams(streams)]
    _after_commit(messages)


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
    prepared = [(stream, message if raw else relay(stream, message)) for stream, message in messages]
    try:
        async_to_sync(_send_prepared)(layer, prepared)
    except Exception as error:  # the event log keeps the truth; the broadcast is sent again when the layer is back
        log.warning("broadcast failed (%s); it will be sent again when the channel layer is back", _reason(error))


def _reason(error: BaseException) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200] or type(error).__name__


# Broadcasts this process could not send (the layer was unreachable), oldest first: sent before any new one, or
# by the hub's watchdog (fanout.py) as soon as the layer answers again.
_failed: deque[tuple[str, dict]] = deque(maxlen=FAILED_LIMIT)
_failed_lock = threading.Lock()


async def _send_prepared(layer, prepared: list[tuple[str, dict]]) -> None:
    if _failed:
        with contextlib.suppress(Exception):
            await resend_failed(layer)
        if _failed:  # still failing: keep the order, queue behind them
            with _failed_lock:
                _failed.extend(prepared)
            raise ConnectionError("the channel layer is still unreachable")
    for index, (stream, message) in enumerate(prepared):
        try:
            await layer.group_send(stream, message)
        except Exception:
            with _failed_lock:
                _failed.extend(prepared[index:])
            raise


async def resend_failed(layer) -> int:
    """Send what earlier broadcasts could not; returns how many went. Stops (keeping the rest) at a failure."""
    sent = 0
    while True:
        with _failed_lock:
            if not _failed:
                return sent
            stream, message = _failed[0]
        await layer.group_send(stream, message)
        with _failed_lock:
            if _failed and _failed[0][1] is message:
                _failed.popleft()
        sent += 1


async def _send_all(layer, messages: list[tuple[str, dict]], raw: bool = False) -> None:
    await _send_prepared(layer, [(stream, message if raw else relay(stream, message)) for stream, message in messages])


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
    _after_commit([(stream, {**data, "type": type, "stream": stream})], raw=True)


_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("leveller_publish_batch", default=None)


def _after_commit(messages: list[tuple[str, dict]], raw: bool = False) -> None:
    batch = _batch.get()
    if batch is None:
        transaction.on_commit(lambda: send_now(messages, raw=raw))
    else:  # still only once committed, but sent together when the batch ends
        transaction.on_commit(lambda: batch[raw].extend(messages))


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Bulk work (an import creating thousands of members): broadcasts made inside go out together, each still
    only after its transaction commits, in one send when the block ends (one layer round trip, not thousands)."""
    if _batch.get() is not None:
        yield
        return
    batch: dict = {False: [], True: []}
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)

        def flush() -> None:
            for raw in (False, True):
                if batch[raw]:
                    send_now(batch[raw], raw=raw)

        transaction.on_commit(flush)
