"""Chat's part of the websocket: which streams a member joins, who may preview a channel, typing hints."""

from __future__ import annotations

import time

from channels.db import database_sync_to_async

from leveller.chat import presence
from leveller.chat.access import can_read
from leveller.chat.models import Channel, ChannelMembership, Kind
from leveller.realtime.publish import asend

TYPING_INTERVAL = 2.0  # seconds between typing hints a socket may send for one channel


def channel_streams(member) -> list[str]:
    """Streams a member's socket joins on connect, from one query: each of their channels, and the presence stream
    of each 1:1 DM partner. It also notes their appear-away choice on the member object the consumer holds, so
    presence's connect hook needs no second trip to the database."""
    rows = ChannelMembership.objects.filter(member=member).values_list(
        "channel_id", "channel__kind", "channel__dm_key", "member__chat_profile__appear_away"
    )
    streams, member.chat_appear_away = [], None
    for channel_id, kind, dm_key, away in rows:
        streams.append(f"channel-{channel_id}")
        if kind == Kind.DM:
            streams += [presence.stream(pk) for pk in presence.partners_in(dm_key, member.pk)]
        member.chat_appear_away = bool(away)
    return streams


def may_subscribe_channel(member, ident: str) -> bool:
    """A member may watch a channel live if they may read it (e.g. previewing a public channel)."""
    try:
        channel = Channel.objects.get(pk=int(ident))
    except (Channel.DoesNotExist, ValueError):
        return False
    return can_read(member, channel)


async def typing(consumer, content: dict) -> None:
    """`{"type": "typing", "channel_id": 3, "thread_id": null}`: tell the channel's other sockets, never stored."""
    try:
        channel_id = int(content.get("channel_id"))
    except (TypeError, ValueError):
        await consumer.send_json({"type": "error", "message": "typing needs a channel_id."})
        return
    stream = f"channel-{channel_id}"
    if stream not in consumer.streams:
        return
    member_ids = await database_sync_to_async(_is_member)(consumer.member, channel_id)
    if not member_ids:
        return
    last = getattr(consumer, "_typing_sent", {})
    now = time.monotonic()
    if now - last.get(channel_id, 0) < TYPING_INTERVAL:
        return
    last[channel_id] = now
    consumer._typing_sent = last
    thread_id = content.get("thread_id")
    message = {
        "type": "typing",
        "stream": stream,
        "channel_id": channel_id,
        "thread_id": thread_id if isinstance(thread_id, int) else None,
        "member_id": consumer.member.pk,
        "display_name": consumer.member.display_name,
    }
    await asend([(stream, message)])


def _is_member(member, channel_id: int) -> bool:
    return ChannelMembership.objects.filter(member=member, channel_id=channel_id).exists()
