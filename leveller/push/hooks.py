"""What other domains call when something is worth a push. Each is one call from the domain's action, inside
its transaction; the push itself is queued after commit."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from leveller.push.actions import notifications as push_actions
from leveller.push.models import Kind

CHAT_KINDS = {"mention": Kind.MENTION, "dm": Kind.DM, "thread_reply": Kind.THREAD_REPLY}


def _excerpt(text: str, limit: int = 180) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chat_tag(message) -> str:
    """One notification per conversation: a thread, or else the channel (or DM)."""
    return f"thread-{message.thread_id}" if message.thread_id else f"channel-{message.channel_id}"


def _chat_push(message, kind: str, member_ids) -> None:
    channel = message.channel
    where = "you" if channel.kind != "standard" and kind == Kind.DM else str(channel)
    title = {
        Kind.MENTION: f"{message.author_name} mentioned you in {channel}",
        Kind.DM: f"{message.author_name}" + ("" if where == "you" else f" in {channel}"),
        Kind.THREAD_REPLY: f"{message.author_name} replied in a thread in {channel}",
        Kind.ANNOUNCEMENT: f"Announcement in {channel}",
    }[kind]
    push_actions.notify(
        kind=kind,
        member_ids=member_ids,
        title=title,
        body=_excerpt(message.text) or "Sent a file",
        url=reverse("chat:jump", args=[message.pk]),
        tag=chat_tag(message),
    )


def chat_notified(message, notifications) -> None:
    """Chat notified these members (mentions, DMs, thread replies) about `message`."""
    by_kind: dict[str, list[int]] = {}
    for row in notifications:
        if row.kind in CHAT_KINDS:
            by_kind.setdefault(CHAT_KINDS[row.kind], []).append(row.member_id)
    for kind, member_ids in by_kind.items():
        _chat_push(message, kind, member_ids)


def chat_announced(message) -> None:
    """A new top-level post in an announcement channel: every member of it who has not muted it (fanned out
    in the task queue, after commit, so a post to thousands costs the poster nothing)."""
    if not message.channel.announcement or message.thread_id:
        return
    from leveller.push.tasks import push_announcement

    pk = message.pk
    transaction.on_commit(lambda: push_announcement.enqueue(pk))


def announce(message_id: int) -> int:
    from leveller.chat.models import ChannelMembership, Level, Message

    message = Message.objects.select_related("channel", "author").filter(pk=message_id, deleted_at__isnull=True).first()
    if message is None:
        return 0
    members = ChannelMembership.objects.filter(channel_id=message.channel_id).exclude(level=Level.NOTHING)
    ids = set(members.values_list("member_id", flat=True)) - {message.author_id}
    with transaction.atomic():
        _chat_push(message, Kind.ANNOUNCEMENT, ids)
    return len(ids)


def chat_read(member, *, channel=None, thread=None) -> None:
    """The member read the channel or thread somewhere: withdraw its push everywhere, once nothing in it is
    left unread."""
    from leveller.chat.models import Notification

    unread = Notification.objects.filter(member=member, read_at__isnull=True)
    tags = []
    if channel is not None and not unread.filter(message__channel=channel, message__thread__isnull=True).exists():
        tags.append(f"channel-{channel.pk}")
    if thread is not None and not unread.filter(message__thread=thread).exists():
        tags.append(f"thread-{thread.pk}")
    if tags:
        push_actions.withdraw(actor=member, tags=tags)


def event_reminder(rsvp, *, when: str, local_start) -> None:
    event = rsvp.event
    place = "Online" if event.online and not event.in_person else (event.venue or event.address)
    push_actions.notify(
        kind=Kind.EVENT_REMINDER,
        member_ids=[rsvp.member_id],
        title=f"{event.title} starts {when}",
        body=f"{local_start:%A %-d %B, %H:%M}" + (f" · {place}" if place else ""),
        url=event.get_absolute_url(),
        tag=f"event-{event.pk}",
    )


def _election_push(election, kind: str, member_ids, *, title: str, body: str, url: str) -> None:
    """Each stage of a vote is its own notice (its own tag), not a count of "new" ones."""
    tag = f"election-{election.pk}" + {Kind.VOTING_OPEN: ""}.get(kind, f"-{kind}")
    push_actions.notify(kind=kind, member_ids=member_ids, title=title, body=body, url=url, tag=tag)


def nominations_open(election, member_ids) -> None:
    closes = ""
    if election.nominations_close_at:
        closes = f"Nominations close {timezone.localtime(election.nominations_close_at):%A %-d %B at %H:%M}."
    _election_push(
        election,
        Kind.NOMINATIONS_OPEN,
        member_ids,
        title=f"Nominations are open: {election.title}",
        body=closes or "Stand, or nominate someone.",
        url=election.get_absolute_url(),
    )


def voting_open(election, member_ids) -> None:
    closes = ""
    if election.voting_closes_at:
        closes = f"Voting closes {timezone.localtime(election.voting_closes_at):%A %-d %B at %H:%M}."
    _election_push(
        election,
        Kind.VOTING_OPEN,
        member_ids,
        title=f"Voting is open: {election.title}",
        body=closes or "Cast your vote.",
        url=election.get_absolute_url(),
    )


def results_published(election, member_ids) -> None:
    """Results go to the electorate. (There is no push for the reminder to vote: a push is queued per member
    and kept in the outbox, which would store who has not voted; the reminder is email only, see
    docs/elections.md.)"""
    _election_push(
        election,
        Kind.VOTE_RESULTS,
        member_ids,
        title=f"Results: {election.title}",
        body="The results are published.",
        url=reverse("elections:results", args=[election.pk]),
    )


def calling_started(campaign, member_ids) -> None:
    push_actions.notify(
        kind=Kind.PHONEBANK_SHIFT,
        member_ids=member_ids,
        title=f"Calling is open: {campaign.name}",
        body=f"Calls today between {campaign.calling_start:%H:%M} and {campaign.calling_end:%H:%M}.",
        url=reverse("phonebank:campaign", args=[campaign.pk]),
        tag=f"campaign-{campaign.pk}",
    )
