"""Who hears about a new message: mentions, thread replies and DMs become notifications (in-app, and one
batched email per member who stays away). Called only from message actions, inside their transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leveller.accounts.models import Member
from leveller.chat import presence
from leveller.chat.handles import groups_for_handles, members_for_handles, profile_for
from leveller.chat.models import ChannelMembership, Kind, Level, Message, Notification, NotificationKind, ThreadFollow
from leveller.chat.render import mentioned_handles
from leveller.push import hooks as push
from leveller.push.delivery import unread_counts
from leveller.realtime.publish import publish

EMAILED_KINDS = {NotificationKind.MENTION, NotificationKind.DM}


@dataclass(frozen=True)
class Mentions:
    """A post's @handles, resolved once (message_actions.resolve_mentions) for rendering and notifying."""

    handles: set[str]
    members: dict = field(default_factory=dict)  # handle -> Member
    groups: dict = field(default_factory=dict)  # handle -> [member ids], groups the author may mention

    def only(self, handles: set[str]) -> Mentions:
        return Mentions(
            set(handles),
            {h: m for h, m in self.members.items() if h in handles},
            {h: ids for h, ids in self.groups.items() if h in handles},
        )


def _levels(message: Message, member_ids) -> dict[int, str]:
    rows = ChannelMembership.objects.filter(channel_id=message.channel_id, member_id__in=member_ids)
    return dict(rows.values_list("member_id", "level"))


def _resolve(message: Message, handles: set[str]) -> Mentions:
    found = members_for_handles(handles)
    return Mentions(set(handles), found, groups_for_handles(set(handles) - set(found), author=message.author))


def _direct_mentions(message: Message, mentions: Mentions) -> set[int]:
    """Members mentioned by handle, or through a named group the author may mention, who can read the channel."""
    ids = {member.pk for member in mentions.members.values()}
    for member_ids in mentions.groups.values():
        ids.update(member_ids)
    return _readers(message.channel, ids)


def _readers(channel, member_ids: set[int]) -> set[int]:
    """Those of these members who can read the channel (access.can_read, for many members in one query)."""
    if not member_ids:
        return set()
    readers = Member.objects.filter(pk__in=member_ids, is_active=True)
    if channel.kind != Kind.STANDARD or channel.private:
        readers = readers.filter(chat_memberships__channel=channel)
    return set(readers.values_list("pk", flat=True))


def _broadcast_targets(message: Message, broadcast: set[str]) -> set[int]:
    """@channel / @everyone: every member of the channel (but those who chose "nothing"); @here alone: only
    those active now (an open Leveller tab, not appearing away)."""
    members = ChannelMembership.objects.filter(channel_id=message.channel_id).exclude(level=Level.NOTHING)
    ids = set(members.values_list("member_id", flat=True))
    return ids if broadcast - {"here"} else presence.active_ids(ids)


def after_post(message: Message, *, mentions: Mentions | None = None, only_handles: set[str] | None = None) -> None:
    """Everything a new message sets off for people: notifications (in-app, emailed later). `mentions` is the
    resolution the post was rendered with (resolved once per post); without it the text is resolved here."""
    if only_handles is None:
        push.chat_announced(message)
    author_id = message.author_id
    if mentions is None:
        mentions = _resolve(message, mentioned_handles(message.text) if only_handles is None else only_handles)
    elif only_handles is not None:
        mentions = mentions.only(only_handles)
    handles = mentions.handles
    targets: dict[int, str] = {}
    direct = _direct_mentions(message, mentions)
    broadcast = {"channel", "here", "everyone"} & handles
    members = ChannelMembership.objects.filter(channel_id=message.channel_id)
    if broadcast and (message.author is None or _may_broadcast(message)):
        for member_id in _broadcast_targets(message, broadcast):
            targets[member_id] = NotificationKind.MENTION
    for member_id in direct:
        targets[member_id] = NotificationKind.MENTION
    if (
        message.channel.kind != Kind.STANDARD
        and only_handles is None
        and (message.thread_id is None or message.also_in_channel)
    ):
        for member_id in members.values_list("member_id", flat=True):
            targets.setdefault(member_id, NotificationKind.DM)
    if message.thread_id and only_handles is None:
        followers = ThreadFollow.objects.filter(thread_id=message.thread_id, following=True).values_list(
            "member_id", flat=True
        )
        for member_id in followers:
            targets.setdefault(member_id, NotificationKind.THREAD_REPLY)
    targets.pop(author_id, None)
    undecided = [pk for pk, kind in targets.items() if pk not in direct and kind != NotificationKind.THREAD_REPLY]
    if undecided:
        levels = _levels(message, undecided)
        targets = {pk: kind for pk, kind in targets.items() if pk not in undecided or levels.get(pk) != Level.NOTHING}
    if not targets:
        return
    existing = set()
    if only_handles is not None:  # an edit: some may have been notified already
        existing = set(
            Notification.objects.filter(message=message, member_id__in=targets).values_list("member_id", flat=True)
        )
    rows = [
        Notification(member_id=pk, message=message, kind=kind) for pk, kind in targets.items() if pk not in existing
    ]
    Notification.objects.bulk_create(rows)
    personal = [row for row in rows if row.member_id in direct or row.kind != NotificationKind.MENTION]
    badges = unread_counts(row.member_id for row in personal) if personal else {}
    for row in personal:
        publish(
            streams=[f"user-{row.member_id}"],
            type="notification.created",
            payload={
                "kind": row.kind,
                "channel_id": message.channel_id,
                "message_id": message.pk,
                "thread_id": message.thread_id,
                "badge": badges[row.member_id],
            },
        )
    _schedule_emails([row.member_id for row in personal if row.kind in EMAILED_KINDS])
    push.chat_notified(message, personal)


def _may_broadcast(message: Message) -> bool:
    """@channel in a big channel pings everyone: members may, but not in announcement channels unless staff."""
    author = message.author
    return not message.channel.announcement or author.is_staff_member


def after_edit(message: Message, *, previous_handles: set[str], mentions: Mentions | None = None) -> None:
    new = (mentions.handles if mentions else mentioned_handles(message.text)) - previous_handles
    if new:
        after_post(message, mentions=mentions, only_handles=new)


def _schedule_emails(member_ids: list[int]) -> None:
    """One digest per member per delay window: never one email per message."""
    from leveller.chat.tasks import send_mention_digest

    delay = dt.timedelta(minutes=settings.CHAT_EMAIL_DELAY_MINUTES)
    for member in Member.objects.filter(pk__in=member_ids, is_active=True):
        profile = profile_for(member)
        if not profile.email_mentions or profile.digest_due_at is not None:
            continue
        profile.digest_due_at = timezone.now() + delay
        profile.save(update_fields=["digest_due_at"])
        due, member_pk = profile.digest_due_at, member.pk
        transaction.on_commit(lambda due=due, pk=member_pk: _enqueue_digest(send_mention_digest, pk, due))


def _enqueue_digest(task, member_id: int, due) -> None:
    if task.get_backend().supports_defer:
        task.using(run_after=due).enqueue(member_id)
    else:  # the immediate backend (tests): the task sees it is not due yet and waits for a later call
        task.enqueue(member_id)


def report_filed(report) -> None:
    from leveller.accounts.models import Role

    staff = Member.objects.active().filter(role_rows__role__in=[Role.STAFF, Role.ADMIN]).distinct()
    for person in staff:
        publish(streams=[f"user-{person.pk}"], type="report.created", payload={"report_id": report.pk})
