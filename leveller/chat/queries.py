"""Reads for pages and the API: the sidebar with unread counts, threads, newcomers to greet, history pages."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from leveller.chat import presence
from leveller.chat.models import (
    SECTION_ORDER,
    SECTIONS,
    Channel,
    ChannelMembership,
    ChatProfile,
    Kind,
    Level,
    Message,
    Notification,
    Reaction,
    ThreadFollow,
)

SECTION_LABELS = dict(SECTIONS)


def _count(queryset) -> Subquery:
    return Coalesce(
        Subquery(
            queryset.order_by().values("channel_id").annotate(n=Count("id")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def memberships(member):
    """The member's channel memberships annotated with `unread` and `mentions` counts."""
    unread = (
        Message.objects.in_channel_view()
        .filter(channel_id=OuterRef("channel_id"), id__gt=OuterRef("last_read_id"), deleted_at__isnull=True)
        .exclude(author=member)
    )
    mentions = Notification.objects.filter(
        member=member, read_at__isnull=True, message__channel_id=OuterRef("channel_id"), kind__in=["mention", "dm"]
    ).values("message__channel_id")
    mentions_count = Coalesce(
        Subquery(mentions.annotate(n=Count("id")).values("n")[:1], output_field=IntegerField()), Value(0)
    )
    return (
        ChannelMembership.objects.filter(member=member)
        .select_related("channel")
        .annotate(unread=_count(unread), mentions=mentions_count)
    )


def dm_others(member, channel_ids) -> dict[int, list[tuple[int, str]]]:
    """For conversations: the other people (id, name), ordered by name."""
    found: dict[int, list[tuple[int, str]]] = {}
    others = ChannelMembership.objects.filter(channel_id__in=channel_ids).exclude(member=member)
    rows = others.values_list("channel_id", "member_id", "member__display_name").order_by("member__display_name")
    for channel_id, member_id, name in rows:
        found.setdefault(channel_id, []).append((member_id, name))
    return found


def dm_labels(member, channel_ids) -> dict[int, str]:
    """For conversations: the other people's names, as this member should see them."""
    return {pk: ", ".join(name for _, name in people) for pk, people in dm_others(member, channel_ids).items()}


def sidebar(member, *, only: list[int] | None = None) -> list[dict]:
    """The member's sidebar rows (`only`: just these channels)."""
    rows = []
    mine = list(memberships(member) if only is None else memberships(member).filter(channel_id__in=only))
    others = dm_others(member, [m.channel_id for m in mine if m.channel.is_dm])
    labels = {pk: ", ".join(name for _, name in people) for pk, people in others.items()}
    partners = {
        m.channel_id: others[m.channel_id][0][0] for m in mine if m.channel.kind == Kind.DM and others.get(m.channel_id)
    }
    active = presence.active_ids(set(partners.values()))
    for m in mine:
        channel = m.channel
        unread = m.unread if m.level == Level.EVERYTHING or channel.is_dm else 0
        rows.append(
            {
                "channel": channel,
                "membership": m,
                "unread": unread,
                "mentions": m.mentions if m.level != Level.NOTHING or channel.is_dm else 0,
                "section": "direct" if channel.is_dm else (m.section or channel.section),
                "muted": m.level == Level.NOTHING,
                "label": labels.get(channel.pk, channel.name) if channel.is_dm else channel.name,
                "partner": partners.get(channel.pk),  # 1:1 conversations: the other person's id, for presence
                "active": partners.get(channel.pk) in active,
            }
        )
    return rows


def sidebar_sections(member) -> list[dict]:
    """Rows grouped into sidebar sections: the standard ones in order, then custom ones, then DMs last."""
    groups: dict[str, list] = {}
    for row in sidebar(member):
        groups.setdefault(row["section"], []).append(row)
    order = [s for s in SECTION_ORDER if s in groups]
    order += sorted(s for s in groups if s not in SECTION_ORDER and s != "direct")
    if "direct" in groups:
        order.append("direct")
    sections = []
    for key in order:
        label = section_label(key)
        rows = sorted(groups[key], key=lambda r: (r["channel"].archived, r["label"].lower()))
        sections.append({"key": key, "label": label, "rows": rows})
    return sections


def handle_of(member) -> str:
    """The member's @handle ("" before they have one); read only, never created on a page view."""
    return ChatProfile.objects.filter(member=member).values_list("handle", flat=True).first() or ""


def section_label(key: str) -> str:
    return "Direct messages" if key == "direct" else SECTION_LABELS.get(key, key.replace("-", " ").title())


def total_unread_threads(member) -> int:
    return len(unread_thread_ids(member))


def unread_thread_ids(member) -> list[int]:
    return [t.pk for t in followed_threads(member) if t.unread]


def followed_threads(member, *, limit: int = 50) -> list[Message]:
    """Roots of threads the member follows (and can still read), newest activity first, with `unread`: one
    query (the follow's read position and the unread reply count are subqueries of each root)."""
    follow = ThreadFollow.objects.filter(thread=OuterRef("pk"), member=member, following=True)
    unread = (
        Message.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=True, id__gt=OuterRef("last_read"))
        .exclude(author=member)
        .values("thread")
        .annotate(n=Count("id"))
        .values("n")
    )
    return list(
        Message.objects.filter(Exists(follow), reply_count__gt=0, channel__in=Channel.objects.readable_by(member))
        .annotate(last_read=Subquery(follow.values("last_read_id")[:1]))
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
        .select_related("channel", "author")
        .order_by("-last_reply_at")[:limit]
    )


def message_rows():
    return Message.objects.select_related("author__chat_profile", "channel").prefetch_related(
        Prefetch("reactions", queryset=Reaction.objects.order_by("id")), "attachments"
    )


def channel_page(
    channel: Channel, *, before: int | None = None, after: int | None = None, limit: int = 50
) -> list[Message]:
    """One page of a channel's history, oldest first. No history limit: `before` pages back to the start."""
    rows = message_rows().filter(channel=channel).in_channel_view()
    if after is not None:
        return list(rows.filter(id__gt=after).order_by("id")[:limit])
    if before is not None:
        rows = rows.filter(id__lt=before)
    return list(reversed(rows.order_by("-id")[:limit]))


def latest_page(channel: Channel, *, limit: int = 50) -> tuple[list[Message], bool]:
    """The channel's newest page, oldest first, and whether there is older history (one row more is read)."""
    rows = list(reversed(message_rows().filter(channel=channel).in_channel_view().order_by("-id")[: limit + 1]))
    return rows[-limit:], len(rows) > limit


def around(channel: Channel, message_id: int, *, limit: int = 25) -> list[Message]:
    rows = message_rows().filter(channel=channel).in_channel_view()
    older = list(reversed(rows.filter(id__lt=message_id).order_by("-id")[:limit]))
    newer = list(rows.filter(id__gte=message_id).order_by("id")[:limit])
    return older + newer


def thread_messages(root: Message) -> list[Message]:
    return list(message_rows().filter(thread=root).order_by("id"))


def welcome_channel() -> Channel | None:
    return Channel.objects.filter(kind=Kind.STANDARD, name="welcome").first()


def joiners_to_greet(member) -> list[Message]:
    """Introductions in #welcome from recent joiners that nobody has replied to yet."""
    since = timezone.now() - dt.timedelta(days=settings.CHAT_WELCOME_DAYS)
    return list(
        Message.objects.filter(
            **_IN_WELCOME,
            thread__isnull=True,
            reply_count=0,
            deleted_at__isnull=True,
            author__isnull=False,
            author__is_active=True,
            author__date_joined__gte=since,
            created_at__gte=since,
        )
        .exclude(author=member)
        .select_related("author")
        .order_by("-id")[:20]
    )


def has_introduced(member) -> bool:
    return Message.objects.filter(**_IN_WELCOME, author=member, thread__isnull=True).exists()


# #welcome, joined in the same query (a standard channel's name is unique, so this is welcome_channel()).
_IN_WELCOME = {"channel__kind": Kind.STANDARD, "channel__name": "welcome"}


def notifications(member, *, limit: int = 50):
    return (
        Notification.objects.filter(member=member, message__channel__in=Channel.objects.readable_by(member))
        .select_related("message__channel", "message__author")
        .order_by("-id")[:limit]
    )
