"""Who is online in chat ("presence"), across any number of server processes.

A member is *live* while at least one server process holds an open websocket of theirs, and *active* when
live and not choosing to appear away (chat preferences). `@here` notifies active members; a dot next to DM
partners and channel members shows who is active.

Store: the Django cache when it is shared (Redis, when REDIS_URL is set); with one process, a local-memory cache
of its own (the default local-memory cache culls at 300 keys, which would make people flicker away). One key per
member, `chat:presence:<id>`, holds `{process id: expires at (epoch seconds)}`. A process writes its entry when
the member's first socket opens there and removes it when the last one closes. Every HEARTBEAT_SECONDS one task
per process refreshes the entries of every member it holds, in one get_many/set_many; entries (and the key,
through its cache timeout) lapse TTL_SECONDS after the last refresh, so a crashed process leaves nobody online
for longer than that. Two processes updating the same member's key at the same instant (read-modify-write) can
lose an entry, which the next heartbeat puts back, or keep a removed one, which lapses like a crashed one.

Events: a change between active and away is an ephemeral `presence` event `{"member_id": 5, "active": true}` on
the stream `presence-<id>`, which only these sockets join: the member's 1:1 DM partners' (on connect, through
chat's streams provider in realtime.py, and when a DM opens), and those of members of a channel whose member list
is open (`presence.watch`, checked against channel membership). Nothing is broadcast to the workspace, and a
member who appears away publishes nothing while they come and go.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
import time
import uuid
import weakref
from collections.abc import Iterable

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

from leveller.chat.models import Channel, ChannelMembership, ChatProfile, Kind
from leveller.realtime.publish import asend, control, publish_ephemeral

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0
TTL_SECONDS = 75  # 2.5 heartbeats: one late or lost refresh does not make anyone flicker away
WATCH_LIMIT = 500  # members whose presence one channel's member list follows (the page lists 500)


def _key(member_id: int) -> str:
    return f"chat:presence:{member_id}"


def stream(member_id: int) -> str:
    return f"presence-{member_id}"


def _unexpired(entries, now: float) -> dict[str, float]:
    return {process: until for process, until in (entries or {}).items() if until > now}


# --- the shared store (sync: the cache backends are) ----------------------------------------------------

_process_store: LocMemCache | None = None


def store() -> BaseCache:
    """Where presence lives: the default cache when it is shared (Redis), else this process's own memory."""
    global _process_store
    if not settings.CACHES["default"]["BACKEND"].endswith(".LocMemCache"):
        return caches["default"]
    if _process_store is None:
        _process_store = LocMemCache("leveller-chat-presence", {"OPTIONS": {"MAX_ENTRIES": 10_000_000}})
    return _process_store


def mark_live(member_ids: Iterable[int], process: str, *, now: float | None = None) -> set[int]:
    """Record (or refresh) that `process` holds sockets of these members. Returns those who were live nowhere."""
    now = time.time() if now is None else now
    keys = {_key(pk): pk for pk in member_ids}
    if not keys:
        return set()
    stored = store().get_many(list(keys))
    appeared, updates = set(), {}
    for key, pk in keys.items():
        entries = _unexpired(stored.get(key), now)
        if not entries:
            appeared.add(pk)
        entries[process] = now + TTL_SECONDS
        updates[key] = entries
    store().set_many(updates, timeout=TTL_SECONDS)
    return appeared


def mark_gone(member_id: int, process: str, *, now: float | None = None) -> bool:
    """`process` holds no more sockets of the member. True if they are now live nowhere."""
    now = time.time() if now is None else now
    entries = _unexpired(store().get(_key(member_id)), now)
    entries.pop(process, None)
    if entries:
        store().set(_key(member_id), entries, timeout=max(1, math.ceil(max(entries.values()) - now)))
    else:
        store().delete(_key(member_id))
    return not entries


def live_ids(member_ids: Iterable[int], *, now: float | None = None) -> set[int]:
    """Which of these members have an open socket on some process (whatever they chose to show)."""
    now = time.time() if now is None else now
    keys = {_key(pk): pk for pk in member_ids}
    if not keys:
        return set()
    stored = store().get_many(list(keys))
    return {keys[key] for key, entries in stored.items() if _unexpired(entries, now)}


def active_ids(member_ids: Iterable[int]) -> set[int]:
    """Which of these members others should see as active: live, and not appearing away."""
    live = live_ids(member_ids)
    return live - appearing_away(live) if live else live


def appearing_away(member_ids: set[int]) -> set[int]:
    rows = ChatProfile.objects.filter(member_id__in=member_ids, appear_away=True)
    return set(rows.values_list("member_id", flat=True))


def is_active(member_id: int) -> bool:
    return bool(active_ids([member_id]))


# --- who follows whose presence ---------------------------------------------------------------------------


def partners_in(dm_key: str | None, member_id: int) -> list[int]:
    """The other person of a 1:1 conversation, from its key ("<id>-<id>")."""
    return [int(pk) for pk in (dm_key or "").split("-") if pk.isdigit() and int(pk) != member_id]


def follow_each_other(members: list) -> None:
    """Two people just got a 1:1 conversation: their open sockets start following each other's presence."""
    first, second = members
    control(first.pk, "leveller.subscribe", streams=[stream(second.pk)])
    control(second.pk, "leveller.subscribe", streams=[stream(first.pk)])


def forget_channel(member, channel) -> None:
    """The member left or was removed from a channel: their open sockets stop following its members' presence
    (but not their DM partners'). A member list of another channel open in the same tab may lose some updates
    until it reloads: privacy first."""
    keep = {
        pk
        for key in Channel.objects.filter(kind=Kind.DM, memberships__member=member).values_list("dm_key", flat=True)
        for pk in partners_in(key, member.pk)
    }
    others = ChannelMembership.objects.filter(channel=channel).exclude(member_id__in=keep | {member.pk})
    ids = others.order_by("member__display_name").values_list("member_id", flat=True)[:WATCH_LIMIT]  # as watched
    streams = [stream(pk) for pk in ids]
    if streams:
        control(member.pk, "leveller.unsubscribe", streams=streams)


def watchable_ids(viewer, channel_id: int) -> list[int] | None:
    """The members of a channel whose presence the viewer may follow: only a member of the channel may."""
    if not viewer.is_active or not ChannelMembership.objects.filter(member=viewer, channel_id=channel_id).exists():
        return None
    rows = ChannelMembership.objects.filter(channel_id=channel_id, member__is_active=True).exclude(member=viewer)
    return list(rows.order_by("member__display_name").values_list("member_id", flat=True)[:WATCH_LIMIT])


async def watch(consumer, content: dict) -> None:
    """`{"type": "presence.watch", "channel_id": 3}`: follow the presence of the channel's members (its member
    list is open), and get `presence.snapshot` with those active now."""
    try:
        channel_id = int(content.get("channel_id"))
    except (TypeError, ValueError):
        await consumer.send_json({"type": "error", "message": "presence.watch needs a channel_id."})
        return
    ids = await database_sync_to_async(watchable_ids)(consumer.member, channel_id)
    if ids is None:
        await consumer.send_json({"type": "error", "message": "You cannot follow that."})
        return
    for pk in ids:  # joined before the snapshot is read, so no change falls between the two
        await consumer.hub.join(consumer, stream(pk))
    active = await database_sync_to_async(active_ids)(ids)
    await consumer.send_json({"type": "presence.snapshot", "channel_id": channel_id, "active": sorted(active)})


def announce_choice(member, *, appear_away: bool) -> None:
    """A live member switched between appearing away and active: tell their followers (after commit)."""
    if live_ids([member.pk]):
        publish_ephemeral(
            streams=[stream(member.pk)], type="presence", payload={"member_id": member.pk, "active": not appear_away}
        )


# --- this process's sockets ---------------------------------------------------------------------------------


class _Local:
    """The sockets one event loop (one server process) holds, and its heartbeat task."""

    def __init__(self) -> None:
        self.process = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.sockets: dict[int, int] = {}  # member id -> open sockets here
        self.marked: set[int] = set()  # members whose entry this process has written
        self.locks: dict[int, asyncio.Lock] = {}
        self.heartbeat: asyncio.Task | None = None

    def lock(self, member_id: int) -> asyncio.Lock:
        return self.locks.setdefault(member_id, asyncio.Lock())


_locals: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Local] = weakref.WeakKeyDictionary()


def _local() -> _Local:
    loop = asyncio.get_running_loop()
    local = _locals.get(loop)
    if local is None:
        local = _locals[loop] = _Local()
    if local.heartbeat is None or local.heartbeat.done():
        local.heartbeat = loop.create_task(_beat_forever(local))
    return local


async def _call(func, *args):
    """Run a store function: inline on this process's memory; in a worker thread for a networked cache (Redis),
    not in Channels' one shared sync thread."""
    if store() is _process_store:
        return func(*args)
    return await sync_to_async(func, thread_sensitive=False)(*args)


async def on_connect(consumer) -> None:
    member = consumer.member
    local = _local()
    consumer.presence_member_id = member.pk
    local.sockets[member.pk] = local.sockets.get(member.pk, 0) + 1
    await _settle(local, member.pk, away=getattr(member, "chat_appear_away", None))


async def on_disconnect(consumer) -> None:
    member_id = getattr(consumer, "presence_member_id", None)
    if member_id is None:  # refused at connect, or connected before presence was counted
        return
    consumer.presence_member_id = None
    local = _local()
    left = local.sockets.get(member_id, 0) - 1
    if left > 0:
        local.sockets[member_id] = left
    else:
        local.sockets.pop(member_id, None)
    # Noted as visible at connect: announcing "away" is harmless even if they chose to appear away since.
    # Noted as away: they may have become visible since, so ask the database.
    await _settle(local, member_id, away=False if getattr(consumer.member, "chat_appear_away", None) is False else None)


async def _settle(local: _Local, member_id: int, *, away: bool | None = None) -> None:
    """Make the shared store agree with this process's socket count for the member; announce changes.
    `away`: the member's appear-away choice if known (None: look it up before announcing)."""
    async with local.lock(member_id):
        want = member_id in local.sockets
        if want == (member_id in local.marked):
            return
        if want:
            appeared = await _call(mark_live, [member_id], local.process)
            local.marked.add(member_id)
            if appeared:
                await _announce(appeared, active=True, away=away)
        else:
            local.marked.discard(member_id)
            if await _call(mark_gone, member_id, local.process):
                await _announce({member_id}, active=False, away=away)


async def _announce(member_ids: set[int], *, active: bool, away: bool | None = None) -> None:
    if away is None:
        hidden = await database_sync_to_async(appearing_away)(member_ids)
    else:
        hidden = set(member_ids) if away else set()
    messages = [
        (stream(pk), {"type": "presence", "stream": stream(pk), "member_id": pk, "active": active})
        for pk in sorted(member_ids - hidden)
    ]
    if messages:
        await asend(messages)


async def beat(local: _Local) -> None:
    """Refresh this process's entries; re-add (and announce) any lost to a concurrent write."""
    held = list(local.marked)
    if held:
        appeared = await _call(mark_live, held, local.process)
        if appeared & local.marked:
            await _announce(appeared & local.marked, active=True)
    for member_id in [pk for pk in held if pk not in local.marked]:  # left while the refresh ran: undo it
        async with local.lock(member_id):
            if member_id not in local.marked:
                await _call(mark_gone, member_id, local.process)
    busy = local.sockets.keys() | local.marked
    settled = [pk for pk, lock in local.locks.items() if not lock.locked() and pk not in busy]
    for member_id in settled:
        del local.locks[member_id]


async def _beat_forever(local: _Local) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        try:
            await beat(local)
        except Exception:  # the cache is unreachable for a moment: try again next time
            log.exception("presence heartbeat failed")
