"""Changes to a member's own chat state (read positions, thread follows, notification levels, email
preference) and moderation reports."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from leveller.chat import access, notify, presence, queries
from leveller.chat.handles import profile_for
from leveller.chat.models import Channel, ChannelMembership, Level, Message, Notification, Report, ThreadFollow
from leveller.core import audit
from leveller.push import hooks as push
from leveller.push.delivery import unread_counts
from leveller.realtime.publish import publish, publish_each


@transaction.atomic
def mark_read(*, actor, channel: Channel, up_to: int | None = None) -> ChannelMembership | None:
    """Move the member's read position (to the latest message unless up_to is given); every tab follows."""
    membership = ChannelMembership.objects.select_for_update().filter(channel=channel, member=actor).first()
    if membership is None:
        return None
    latest = channel.messages.order_by("-id").values_list("id", flat=True).first() or 0
    position = latest if up_to is None else max(0, min(int(up_to), latest))
    if position != membership.last_read_id:
        membership.last_read_id = position
        membership.save(update_fields=["last_read_id"])
        read = Notification.objects.filter(
            member=actor, message__channel=channel, message_id__lte=position, read_at__isnull=True
        ).exclude(kind="thread_reply")
        payload = _read_payload(
            channel.pk,
            position,
            unread=_unread_counts(channel.pk, position, [actor.pk]).get(actor.pk, 0),
            notifications_read=read.update(read_at=timezone.now()),
            mentions=Notification.objects.filter(
                member=actor, message__channel=channel, read_at__isnull=True, kind__in=["mention", "dm"]
            ).count(),
        )
        payload["badge"] = unread_counts([actor.pk])[actor.pk]
        publish(streams=[f"user-{actor.pk}"], type="channel.read", payload=payload)
        push.chat_read(actor, channel=channel)
    return membership


def _withdraw_pushes(cleared_count: dict[tuple[int, int], int]) -> None:
    """Reads that cleared notifications withdraw those conversations' pushes on the member's other devices."""
    from django.contrib.auth import get_user_model

    members = get_user_model().objects.in_bulk({member_id for member_id, _ in cleared_count})
    channels = Channel.objects.in_bulk({channel_id for _, channel_id in cleared_count})
    for member_id, channel_id in cleared_count:
        if member_id in members and channel_id in channels:
            push.chat_read(members[member_id], channel=channels[channel_id])


def _read_payload(channel_id: int, position: int, *, unread: int, notifications_read: int, mentions: int) -> dict:
    """What a member's other tabs need to update their sidebar without asking: the channel's unread count and
    unread mentions after the new position, and how many notifications this read cleared."""
    return {
        "channel_id": channel_id,
        "last_read_id": position,
        "unread": unread,
        "mentions": mentions,
        "notifications_read": notifications_read,
    }


def _unread_counts(channel_id: int, position: int, member_ids: list[int]) -> dict[int, int]:
    """Messages in the channel's view after `position` by someone else, per member (one query)."""
    rows = Message.objects.in_channel_view().filter(channel_id=channel_id, id__gt=position, deleted_at__isnull=True)
    authors = list(rows.values_list("author_id", flat=True)[:1000])
    return {pk: sum(1 for author in authors if author != pk) for pk in member_ids}


class _Moved(NamedTuple):
    pk: int
    channel_id: int
    member_id: int
    last_read_id: int


@transaction.atomic
def mark_read_many(
    *, reads: dict[tuple[int, int], int | None], origins: dict[tuple[int, int], str] | None = None
) -> int:
    """Read positions reported by many members at once (over the websocket, batched by chat.read_state):
    each key is (member id, channel id), the member being the actor, and the value the message id read up to
    (None: the latest). Positions only move forward here; members not in the channel are ignored. Each member
    whose position moved gets one `channel.read` event for their other tabs; the socket that reported it
    (`origins`, its token) already knows and is skipped. Returns how many positions moved."""
    origins = origins or {}
    by_channel: dict[int, dict[int, int | None]] = defaultdict(dict)
    for (member_id, channel_id), up_to in reads.items():
        by_channel[channel_id][member_id] = up_to
    if not by_channel:
        return 0
    latest = dict(
        Message.objects.filter(channel_id__in=by_channel)
        .values("channel_id")
        .annotate(high=Max("id"))
        .values_list("channel_id", "high")
    )
    rows = ChannelMembership.objects.filter(
        channel_id__in=by_channel, member_id__in={m for members in by_channel.values() for m in members}
    ).values_list("id", "channel_id", "member_id", "last_read_id")
    moved = []
    for pk, channel_id, member_id, last_read_id in rows:
        if member_id not in by_channel[channel_id]:
            continue
        up_to, high = by_channel[channel_id][member_id], latest.get(channel_id, 0)
        position = high if up_to is None else max(0, min(int(up_to), high))
        if position > last_read_id:
            moved.append(_Moved(pk, channel_id, member_id, position))
    if not moved:
        return 0
    table = ChannelMembership._meta.db_table
    with connection.cursor() as cursor:  # one prepared statement for all rows: cheaper than bulk_update's CASE
        cursor.executemany(
            f"UPDATE {table} SET last_read_id = %s WHERE id = %s",  # noqa: S608  (our own table name)
            [(row.last_read_id, row.pk) for row in moved],
        )
    position_of = {(row.member_id, row.channel_id): row.last_read_id for row in moved}
    unread_notes = Notification.objects.filter(
        member_id__in={row.member_id for row in moved},
        message__channel_id__in={row.channel_id for row in moved},
        read_at__isnull=True,
    ).values_list("id", "member_id", "message__channel_id", "message_id", "kind")
    cleared: list[int] = []
    cleared_count: defaultdict[tuple[int, int], int] = defaultdict(int)
    mentions_left: defaultdict[tuple[int, int], int] = defaultdict(int)
    for note_id, member_id, channel_id, message_id, kind in unread_notes:
        position = position_of.get((member_id, channel_id))
        if position is None:
            continue
        if message_id <= position and kind != "thread_reply":
            cleared.append(note_id)
            cleared_count[member_id, channel_id] += 1
        elif message_id > position and kind in ("mention", "dm"):
            mentions_left[member_id, channel_id] += 1
    if cleared:
        Notification.objects.filter(id__in=cleared).update(read_at=timezone.now())
        _withdraw_pushes(cleared_count)
    unread: dict[tuple[int, int], int] = {}
    for channel_id in {row.channel_id for row in moved}:
        behind = [row for row in moved if row.channel_id == channel_id and row.last_read_id < latest[channel_id]]
        for row in behind:  # rare: a message arrived after the tab reported; one query for the channel
            unread[row.member_id, channel_id] = 0
        if behind:
            low = min(row.last_read_id for row in behind)
            counts = Message.objects.in_channel_view().filter(
                channel_id=channel_id, id__gt=low, deleted_at__isnull=True
            )
            for message_id, author_id in counts.values_list("id", "author_id")[:1000]:
                for row in behind:
                    if message_id > row.last_read_id and author_id != row.member_id:
                        unread[row.member_id, channel_id] += 1
    badges = unread_counts(row.member_id for row in moved)
    publish_each(
        (
            [f"user-{row.member_id}"],
            "channel.read",
            _read_payload(
                row.channel_id,
                row.last_read_id,
                unread=unread.get((row.member_id, row.channel_id), 0),
                notifications_read=cleared_count[row.member_id, row.channel_id],
                mentions=mentions_left[row.member_id, row.channel_id],
            )
            | {"badge": badges[row.member_id]},
            origins.get((row.member_id, row.channel_id)),
        )
        for row in moved
    )
    return len(moved)


@transaction.atomic
def follow_thread(*, actor, thread: Message) -> ThreadFollow:
    if not access.can_read(actor, thread.channel):
        raise PermissionDenied("You cannot follow that thread.")
    follow, _ = ThreadFollow.objects.update_or_create(thread=thread, member=actor, defaults={"following": True})
    publish(
        streams=[f"user-{actor.pk}"],
        type="thread.followed",
        payload={"thread_id": thread.pk, "following": True, "unread_threads": queries.total_unread_threads(actor)},
    )
    return follow


@transaction.atomic
def unfollow_thread(*, actor, thread: Message) -> ThreadFollow:
    follow, _ = ThreadFollow.objects.update_or_create(thread=thread, member=actor, defaults={"following": False})
    publish(
        streams=[f"user-{actor.pk}"],
        type="thread.followed",
        payload={"thread_id": thread.pk, "following": False, "unread_threads": queries.total_unread_threads(actor)},
    )
    return follow


@transaction.atomic
def mark_thread_read(*, actor, thread: Message) -> None:
    latest = thread.replies.order_by("-id").values_list("id", flat=True).first() or thread.pk
    changed = ThreadFollow.objects.filter(thread=thread, member=actor, last_read_id__lt=latest).update(
        last_read_id=latest
    )
    cleared = Notification.objects.filter(member=actor, message__thread=thread, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed or cleared:
        payload = {
            "thread_id": thread.pk,
            "last_read_id": latest,
            "unread_threads": queries.total_unread_threads(actor),
            "notifications_read": cleared,
            "badge": unread_counts([actor.pk])[actor.pk],
        }
        publish(streams=[f"user-{actor.pk}"], type="thread.read", payload=payload)
    push.chat_read(actor, thread=thread)


@transaction.atomic
def report_message(*, actor, message: Message, reason: str) -> Report:
    access.require_member_actor(actor)
    if not access.can_read(actor, message.channel):
        raise PermissionDenied("You cannot report that message.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why you are reporting this message, so staff can act on it.")
    report = Report.objects.create(message=message, reporter=actor, reason=reason[:2000], text_snapshot=message.text)
    audit.record(actor=actor, action="chat.message_reported", target=message, summary=reason[:300])
    notify.report_filed(report)
    return report


@transaction.atomic
def resolve_report(*, actor, report: Report, note: str = "") -> Report:
    if not access.is_moderator(actor):
        raise PermissionDenied("Only staff handle reports.")
    report.resolved_at = timezone.now()
    report.resolved_by = actor
    report.save(update_fields=["resolved_at", "resolved_by"])
    audit.record(actor=actor, action="chat.report_resolved", target=report.message, summary=note[:300])
    return report


@transaction.atomic
def set_notification_level(*, actor, channel: Channel, level: str) -> ChannelMembership:
    if level not in Level.values:
        raise ValidationError("Choose everything, mentions or nothing.")
    membership = ChannelMembership.objects.filter(channel=channel, member=actor).first()
    if membership is None:
        raise ValidationError("Join the channel first.")
    membership.level = level
    membership.save(update_fields=["level"])
    publish(streams=[f"user-{actor.pk}"], type="sidebar.changed", payload={"channel_id": channel.pk, "level": level})
    return membership


@transaction.atomic
def set_email_preference(*, actor, email_mentions: bool) -> None:
    profile = profile_for(actor)
    profile.email_mentions = bool(email_mentions)
    profile.save(update_fields=["email_mentions"])


@transaction.atomic
def set_presence_preference(*, actor, appear_away: bool) -> None:
    """Appear away in chat (others see "away", @here leaves you out) even while online, or not."""
    access.require_member_actor(actor)
    profile = profile_for(actor)
    if profile.appear_away == bool(appear_away):
        return
    profile.appear_away = bool(appear_away)
    profile.save(update_fields=["appear_away"])
    presence.announce_choice(actor, appear_away=profile.appear_away)
