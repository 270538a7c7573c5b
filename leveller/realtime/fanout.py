"""Local fan-out: one reader of the channel layer per process writes each broadcast to the process's sockets.

Channels gives every consumer a layer channel of its own, so a broadcast to N sockets put N copies on N queues
and woke N tasks, each of which then dispatched and sent: most of the server's CPU in
bench/bench_chat_fanout.py (docs/chat.md, Performance). Here each event loop has one hub. The hub is the only
member of the layer groups (streams) its sockets follow, so a broadcast reaches it once (in-process, or once
per process from Redis), and it writes the already-encoded text to every local socket following that stream
in one pass, in the order broadcasts arrive.

- Membership is checked as each event is written, and changed at once: an unsubscribe, a removal
  (`leveller.unsubscribe` to `user-<id>`) or a close that comes before a broadcast wins over it.
- One stream's events reach a socket in the order they were broadcast.
- A slow socket never holds up the others: its events wait in its own outbox (at most OUTBOX_LIMIT, then it is
  closed with 1013 and its client reconnects and resumes from the event log).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import types
import weakref
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, Protocol

from channels.layers import get_channel_layer
from django.conf import settings

log = logging.getLogger(__name__)

OUTBOX_LIMIT = 1000  # pushes waiting for one slow socket before it is closed
RECENT = 1000  # event ids each socket remembers having been given (no event is given twice)
PING_EVERY = 1.0  # seconds between the hub's round trips through the layer (outage detection)
PING_TIMEOUT = 2.0
TOO_SLOW = 1013  # "try again later": the browser reconnects and resumes
CLOSED_BY_SERVER = 4403  # deactivated or logged out everywhere: the browser stays away


class Outbox:
    """One socket's pushes, in order. A push is written at once when the socket can take it (the usual case,
    with no task and no queue); once a write has to wait, later pushes queue behind it and a task sends them."""

    __slots__ = (
        "_draining",
        "_holds",
        "_on_overflow",
        "_recent",
        "_send",
        "_task",
        "_waiting",
        "checkpoint",
        "closed",
        "high",
    )

    def __init__(self, send: Callable[[dict], Coroutine[Any, Any, None]], on_overflow: Callable[[], None]):
        self._send = send
        self._waiting: deque[tuple[dict, int | None]] | None = None  # set while pushes must wait their turn
        self._holds = 0
        self._draining = False
        self._task: asyncio.Future | None = None
        self._on_overflow = on_overflow
        self.closed = False
        self.high = 0  # the highest event id this socket has been given
        self.checkpoint = 0  # `high` when the hub last saw the layer answer: where a catch-up after an outage starts
        self._recent: dict[int, None] = {}  # the last RECENT event ids given, so none is given twice

    def push(self, message: dict, event_id: int | None = None) -> None:
        if self.closed:
            return
        if event_id is not None:
            if event_id in self._recent:
                return  # already given (a catch-up after an outage, then the late broadcast itself)
            self.given(event_id)
        if self._waiting is None:
            self._write(message)
        elif len(self._waiting) < OUTBOX_LIMIT:
            self._waiting.append((message, event_id))
        else:
            self._waiting.clear()
            self._on_overflow()

    def _write(self, message: dict) -> None:
        # Run the send until it would wait, as Python 3.12's eager tasks do (`coroutine.send(None)`, the
        # coroutine protocol itself): a socket that can take the frame costs no task. If it must wait (its
        # write buffer is full), a task runs the rest of it (`_rest`) and the pushes behind it.
        if not settings.FANOUT_EAGER_WRITES:  # a task for every push (measured against: docs/architecture.md)
            self._waiting = deque()
            self._draining = True
            self._task = asyncio.ensure_future(self._drain(self._send(message)))
            return
        step = self._send(message)
        try:
            awaited = step.send(None)
        except StopIteration:
            return
        except Exception:  # the socket is gone; its own task sees the disconnect
            return
        self._waiting = deque()
        self._draining = True
        self._task = asyncio.ensure_future(self._drain(_rest(step, awaited)))

    async def _drain(self, started=None) -> None:
        try:
            if started is not None:
                await started
            while self._waiting and not self._holds and not self.closed:
                message, _ = self._waiting.popleft()
                await self._send(message)
        except Exception:  # noqa: S110  (the socket is gone)
            pass
        finally:
            self._draining = False
            if not self._holds:
                self._waiting = None

    @contextlib.asynccontextmanager
    async def held(self):
        """Pushes wait while the socket's own task sends what must come first (hello, a replay)."""
        self.hold()
        try:
            if self._draining and self._task is not None:  # let the write under way finish first (it stops there)
                await asyncio.wait((self._task,))
            yield self
        finally:
            self.release()

    def hold(self) -> None:
        """Pushes wait (in order) until as many release()s: see held(); the hub holds sockets through an outage."""
        self._holds += 1
        if self._waiting is None:
            self._waiting = deque()

    def release(self) -> None:
        self._holds -= 1
        if not self._holds and not self._draining:
            if self._waiting:
                self._draining = True
                self._task = asyncio.ensure_future(self._drain())
            else:
                self._waiting = None

    def given(self, event_id: int) -> None:
        """Note an event id as sent to this socket (by a push, a replay or a catch-up)."""
        self._recent[event_id] = None
        if len(self._recent) > RECENT:
            del self._recent[next(iter(self._recent))]
        if event_id > self.high:
            self.high = event_id

    def has(self, event_id: int) -> bool:
        return event_id in self._recent

    def recent(self) -> set[int]:
        return set(self._recent)

    def forget(self, event_ids: set[int]) -> None:
        """Drop waiting pushes of events the socket has just been sent another way (a replay)."""
        if self._waiting and event_ids:
            kept = [item for item in self._waiting if item[1] not in event_ids]
            self._waiting.clear()
            self._waiting.extend(kept)

    def close(self) -> None:
        self.closed = True
        if self._waiting is not None:
            self._waiting.clear()


@types.coroutine
def _rest(step, awaited):
    """The rest of a coroutine that was run by hand until it first waited: yield what it waits for to the task
    that awaits this (the task waits for it, exactly as if the coroutine had yielded it to the task itself),
    then delegate to the coroutine until it ends (`yield from`, which also passes on cancellation)."""
    try:
        yield awaited
    except BaseException:
        step.close()
        raise
    return (yield from step)


class Socket(Protocol):
    streams: set[str]
    outbox: Outbox

    def shut(self, code: int) -> None: ...


class Hub:
    """The process's reader of the channel layer for one event loop (see the module docstring)."""

    def __init__(self, layer):
        self.layer = layer
        self.members: dict[str, dict[Socket, None]] = {}  # stream -> local sockets following it, in join order
        self._joined: set[str] = set()  # streams whose layer group the hub is in
        self._channel: str | None = None
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task | None = None
        self._watcher: asyncio.Task | None = None
        self._pong: asyncio.Event | None = None
        self._background: set[asyncio.Task] = set()
        self.healthy = True
        self.catch_ups = 0
        self._holding: dict[Socket, None] = {}  # sockets held through an outage until their catch-up

    async def join(self, socket: Socket, stream: str) -> None:
        if socket.outbox.closed:
            return
        socket.streams.add(stream)
        self.members.setdefault(stream, {})[socket] = None
        await self._sync(stream)

    async def leave(self, socket: Socket, streams: Iterable[str]) -> None:
        """Stops deliveries at once (before the first await); then leaves layer groups nobody here follows."""
        for stream in self._forget(socket, list(streams)):
            await self._sync(stream)

    def drop(self, socket: Socket) -> None:
        """Stop delivering to a socket now, from sync code (it is closing)."""
        emptied = self._forget(socket, list(socket.streams))
        if emptied:
            task = asyncio.ensure_future(self._sync_all(emptied))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def _forget(self, socket: Socket, streams: list[str]) -> list[str]:
        emptied = []
        for stream in streams:
            socket.streams.discard(stream)
            sockets = self.members.get(stream)
            if sockets is not None:
                sockets.pop(socket, None)
                if not sockets:
                    del self.members[stream]
                    emptied.append(stream)
        return emptied

    async def _sync_all(self, streams: list[str]) -> None:
        for stream in streams:
            await self._sync(stream)

    async def _sync(self, stream: str) -> None:
        """Keep the hub in a stream's layer group exactly while a local socket follows the stream."""
        if (stream in self.members) == (stream in self._joined):
            return
        async with self._lock:  # one group change at a time, re-checked: joins and leaves may interleave
            if self._channel is None:
                self._channel = await self.layer.new_channel()
                self._reader = asyncio.ensure_future(self._read())
                self._watcher = asyncio.ensure_future(self._watch())
            wanted = stream in self.members
            if wanted and stream not in self._joined:
                await self.layer.group_add(stream, self._channel)
                self._joined.add(stream)
            elif not wanted and stream in self._joined:
                self._joined.discard(stream)
                await self.layer.group_discard(stream, self._channel)

    async def _read(self) -> None:
        try:
            while True:
                try:
                    message = await self.layer.receive(self._channel)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("realtime: reading the channel layer failed; retrying in a second")
                    await asyncio.sleep(1)
                    continue
                try:
                    await self.deliver(message)
                except Exception:
                    log.exception("realtime: a broadcast could not be delivered; clients catch up on resume")
        finally:
            if self._watcher is not None:
                self._watcher.cancel()
            await self._leave_groups()

    async def _watch(self) -> None:
        """Outages: every PING_EVERY a message goes round through the layer to this hub. While it cannot, the
        hub's sockets are missing broadcasts; when it can again, broadcasts this process failed to send are sent,
        and each socket is given what it missed from the event log (so no open socket misses an event)."""
        from leveller.realtime import publish

        while True:
            await asyncio.sleep(PING_EVERY)
            if not await self._ping():
                if self.healthy:
                    log.warning("realtime: the channel layer is unreachable; sockets will catch up when it is back")
                    self._hold_all()
                self.healthy = False
                continue
            try:
                await publish.resend_failed(self.layer)
                if not self.healthy:
                    log.warning("realtime: the channel layer is back; catching sockets up from the event log")
                    await self.catch_up()
                    self.healthy = True
                self._checkpoint()
            except Exception:
                log.exception("realtime: catching up after an outage failed; trying again")

    # --- outage catch-up -----------------------------------------------------------------------------------
    # When the layer answers again, broadcasts sent while it was coming back may have reached Redis before this
    # hub's subscription did (pub/sub drops them), and later ones may already have reached the sockets before
    # the next ping says the layer is back. So a catch-up starts from each socket's checkpoint (how far it had
    # been given events when the layer last answered), not from the newest event it has since been given; and
    # from the failed ping until the catch-up, live pushes wait behind it, so the socket gets both in id order.
    def _checkpoint(self) -> None:
        for group in self.members.values():
            for socket in group:
                socket.outbox.checkpoint = socket.outbox.high

    def _hold_all(self) -> None:
        for group in self.members.values():
            for socket in group:
                if socket not in self._holding and not socket.outbox.closed:
                    self._holding[socket] = None
                    socket.outbox.hold()

    def _release_all(self) -> None:
        holding, self._holding = self._holding, {}
        for socket in holding:
            socket.outbox.release()

    async def _ping(self) -> bool:
        self._pong = asyncio.Event()
        try:
            async with asyncio.timeout(PING_TIMEOUT):
                await self.layer.send(self._channel, {"type": "leveller.ping"})
                await self._pong.wait()
        except Exception:
            return False
        return True

    async def catch_up(self) -> None:
        """Give every local socket what it missed since its checkpoint, then let the held live pushes follow."""
        self.catch_ups += 1
        sockets = {socket: None for group in self.members.values() for socket in group}
        for socket in sockets:
            catch_up = getattr(socket, "catch_up", None)
            if catch_up is not None and not socket.outbox.closed:
                await catch_up()
        self._release_all()

    async def _leave_groups(self) -> None:
        """When the loop ends (server shutdown, a test server): the layer outlives it, so leave its groups."""
        joined, self._joined = list(self._joined), set()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2):
                for stream in joined:
                    await self.layer.group_discard(stream, self._channel)

    async def deliver(self, message: dict[str, Any]) -> None:
        """One message from the layer: an event for a stream, or a control message for a member's sockets."""
        if message.get("type") == "leveller.ping":
            if self._pong is not None:
                self._pong.set()
            return
        stream = message.get("stream")
        sockets = self.members.get(stream) if isinstance(stream, str) else None
        if not sockets:
            return
        kind = message.get("type")
        if kind == "leveller.event":
            frame = {"type": "websocket.send", "text": message["text"]}
            event_id, origin = message.get("event_id"), message.get("origin")
            for socket in tuple(sockets):
                if stream in socket.streams and (origin is None or getattr(socket, "origin", None) != origin):
                    socket.outbox.push(frame, event_id)
        elif kind == "leveller.subscribe":
            for socket in tuple(sockets):
                for new in message.get("streams", []):
                    if stream in socket.streams:  # still that member's socket (not closed meanwhile)
                        await self.join(socket, new)
        elif kind == "leveller.unsubscribe":
            for socket in tuple(sockets):
                await self.leave(socket, message.get("streams", []))
        elif kind == "leveller.close":
            for socket in tuple(sockets):
                socket.shut(CLOSED_BY_SERVER)
        else:
            log.warning("realtime: unknown layer message type %r", kind)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def local_hub() -> Hub:
    """The hub of the running event loop (one per server process; one per live test server)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(get_channel_layer())
    return hub
