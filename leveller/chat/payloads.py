"""The JSON shapes of chat objects, shared by the API and realtime events."""

from __future__ import annotations

from django.urls import reverse

from leveller.chat.models import Channel, Message


def author_payload(message: Message) -> dict:
    if message.author_id:
        profile = getattr(message.author, "chat_profile", None)
        return {
            "id": message.author_id,
            "display_name": message.author.display_name,
            "handle": profile.handle if profile else "",
            "bot": False,
        }
    return {"id": None, "display_name": message.bot_name or "Leveller", "handle": "", "bot": True}


def message_payload(message: Message) -> dict:
    deleted = message.deleted_at is not None
    return {
        "id": message.pk,
        "channel_id": message.channel_id,
        "thread_id": message.thread_id,
        "author": author_payload(message),
        "text": "" if deleted else message.text,
        "html": "" if deleted else message.html,
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": deleted,
        "pinned": message.pinned_at is not None,
        "also_in_channel": message.also_in_channel,
        "reply_count": message.reply_count,
        "reactions": [] if deleted else message.reaction_summary,
        "attachments": []
        if deleted
        else [
            {
                "id": a.pk,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "url": reverse("chat:attachment", args=[a.token, a.name]),
            }
            for a in message.attachments.all()
        ],
    }


def channel_payload(channel: Channel) -> dict:
    return {
        "id": channel.pk,
        "name": channel.name,
        "kind": channel.kind,
        "private": channel.private,
        "purpose": channel.purpose,
        "topic": channel.topic,
        "section": channel.section,
        "announcement": channel.announcement,
        "default": channel.default,
        "archived": channel.archived,
    }
