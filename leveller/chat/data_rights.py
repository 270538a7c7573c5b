"""Chat's part of members' data rights: the register, messages/reactions/DMs in a copy, and erasure."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from leveller.chat.models import (
    Attachment,
    Channel,
    ChannelMembership,
    ChatProfile,
    Kind,
    Message,
    MessageRevision,
    Notification,
    Reaction,
    Report,
    ThreadFollow,
    Webhook,
)
from leveller.privacy.registry import declare, eraser, exporter

CHAT_WHO = "Members who can read the channel (public channels: every member; private ones and DMs: their members)"
declare(
    Channel,
    what="Channel names, purposes and topics; for DMs, the ids of the members in it",
    why="Organising conversations",
    basis="Legitimate interests",
    kept="Until archived channels are deleted by staff; DMs are deleted when nobody is left in them",
    who=CHAT_WHO,
)
declare(
    ChannelMembership,
    what="Which member is in which channel, how far they have read, their notification level",
    why="Showing members their channels and unread counts",
    basis="Legitimate interests",
    kept="Until they leave the channel or are erased",
    who="The member; the channel's members see who is in it",
)
declare(
    Message,
    what="What members wrote in chat, with its time, thread, edits and pins (may reveal political opinions)",
    why="The movement's conversations",
    basis="Legitimate interests; Article 9(2)(d) (a not-for-profit body with a political aim, its members)",
    kept="Kept for the conversation; on erasure attributed to 'Former member' or deleted if the member asked",
    who=CHAT_WHO,
    special=True,
)
declare(
    MessageRevision,
    what="The text a message had before each edit",
    why="Moderation: seeing what was said before an edit",
    basis="Legitimate interests",
    kept="As long as the message",
    who="Moderators (staff)",
    special=True,
)
declare(
    Reaction,
    what="Emoji reactions: who reacted to which message",
    why="Showing reactions",
    basis="Legitimate interests",
    kept="As long as the message",
    who=CHAT_WHO,
)
declare(
    ThreadFollow,
    what="Which threads a member follows and how far they have read",
    why="Notifying members of replies",
    basis="Legitimate interests",
    kept="Until the member is erased",
    who="The member",
)
declare(
    Attachment,
    what="Files members attached to messages",
    why="Sharing files in conversations",
    basis="Legitimate interests",
    kept="As long as the message",
    who=CHAT_WHO,
)
declare(
    Notification,
    what="Mentions, replies and DMs waiting for a member",
    why="Telling members what needs their attention",
    basis="Legitimate interests",
    kept="Until the member is erased",
    who="The member",
)
declare(
    ChatProfile,
    what="A member's @handle and chat email preferences",
    why="Mentions and notification emails",
    basis="Legitimate interests",
    kept="Until the member is erased",
    who="Every member sees the handle; preferences only the member",
)
declare(
    Report,
    what="A report of a message to moderators, the reason and a copy of the text",
    why="Moderation",
    basis="Legitimate interests",
    kept="Until resolved reports are deleted by staff",
    who="Moderators (staff)",
    special=True,
)
declare(
    Webhook,
    what="Incoming webhooks: a name and a hash of the secret",
    why="Posting automated messages",
    basis="Legitimate interests",
    kept="Until revoked",
    who="Staff",
)


def _dm_channels(member):
    return Channel.objects.filter(kind__in=[Kind.DM, Kind.GROUP_DM], memberships__member=member)


@exporter("messages", title="Messages you wrote", order=10)
def export_messages(member):
    rows = (
        Message.objects.filter(author=member)
        .order_by("id")
        .values("id", "channel_id", "channel__name", "channel__kind", "thread_id", "text", "created_at", "edited_at")
    )
    for row in rows.iterator(chunk_size=2000):
        yield {
            "id": row["id"],
            "channel": row["channel__name"],
            "channel_id": row["channel_id"],
            "channel_kind": row["channel__kind"],
            "thread_id": row["thread_id"],
            "text": row["text"],
            "created_at": row["created_at"],
            "edited_at": row["edited_at"],
        }


@exporter("attachments", title="Files you attached", order=11)
def export_attachments(member):
    rows = Attachment.objects.filter(message__author=member).values("message_id", "name", "content_type", "size")
    yield from rows.order_by("id").iterator(chunk_size=2000)


@exporter("reactions", title="Your reactions", order=12)
def export_reactions(member):
    rows = Reaction.objects.filter(member=member).values("emoji", "message_id", "message__channel__name", "created_at")
    for row in rows.order_by("id").iterator(chunk_size=2000):
        yield {
            "emoji": row["emoji"],
            "message_id": row["message_id"],
            "channel": row["message__channel__name"],
            "created_at": row["created_at"],
        }


@exporter("direct_messages", title="Direct messages you are in", order=13)
def export_direct_messages(member):
    """Every message of every DM the member is in, by whoever wrote it: they were a party to all of it."""
    rows = (
        Message.objects.filter(channel__in=_dm_channels(member), deleted_at__isnull=True)
        .order_by("channel_id", "id")
        .values("id", "channel_id", "author_id", "author__display_name", "bot_name", "text", "created_at")
    )
    for row in rows.iterator(chunk_size=2000):
        yield {
            "conversation_id": row["channel_id"],
            "message_id": row["id"],
            "author": "you" if row["author_id"] == member.pk else (row["author__display_name"] or row["bot_name"]),
            "text": row["text"],
            "created_at": row["created_at"],
        }


@exporter("chat_channels", title="Chat channels you are in", order=14)
def export_memberships(member):
    rows = ChannelMembership.objects.filter(member=member).values(
        "channel__name", "channel__kind", "joined_at", "level", "section"
    )
    for row in rows.order_by("id").iterator():
        yield {
            "channel": row["channel__name"],
            "kind": row["channel__kind"],
            "joined_at": row["joined_at"],
            "notifications": row["level"],
            "section": row["section"],
        }


@exporter("chat_profile", title="Your chat handle and preferences", order=15)
def export_chat_profile(member):
    yield from ChatProfile.objects.filter(member=member).values("handle", "email_mentions", "appear_away")


@eraser("chat", order=100)
def erase_chat(member, *, delete_content: bool, identity) -> dict:
    counts = {}
    if delete_content:
        mine = Message.objects.filter(author=member)
        MessageRevision.objects.filter(message__in=mine).delete()
        for attachment in Attachment.objects.filter(message__in=mine).iterator():
            attachment.file.delete(save=False)
        Attachment.objects.filter(message__in=mine).delete()
        counts["messages deleted"] = mine.filter(deleted_at__isnull=True).update(
            text="", html="", deleted_at=timezone.now()
        )
        counts["reactions"] = Reaction.objects.filter(member=member).delete()[0]
    dms = list(_dm_channels(member).values_list("pk", flat=True))
    counts["chat memberships"] = ChannelMembership.objects.filter(member=member).delete()[0]
    empty = list(Channel.objects.filter(pk__in=dms).annotate(n=Count("memberships")).filter(n=0))
    counts["DMs with nobody left"] = len(empty)
    for channel in empty:
        channel.messages.filter(thread__isnull=False).delete()
        channel.delete()
    counts["thread follows"] = ThreadFollow.objects.filter(member=member).delete()[0]
    counts["notifications"] = Notification.objects.filter(Q(member=member)).delete()[0]
    counts["chat profile"] = ChatProfile.objects.filter(member=member).delete()[0]
    return counts


def _declare_slack_import() -> None:
    from leveller.chat.models import SlackImportRun, SlackUser

    declare(
        SlackImportRun,
        what="Each Slack import: who ran it, when, its progress and report (counts and problems, no message text)",
        why="Moving the workspace's history in from Slack and showing what could not be imported",
        basis="Legitimate interests",
        kept="As long as the workspace",
        who="Admins",
    )
    declare(
        SlackUser,
        what="Slack user ids and names from an export, linked to the member each became",
        why="Attributing imported messages and making re-runs add only what is new",
        basis="Legitimate interests",
        kept="As long as the imported history; the link is cut on erasure",
        who="Admins",
    )


_declare_slack_import()
