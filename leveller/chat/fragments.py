"""A message's row HTML, rendered once for every viewer and cached.

The row (`chat/_message.html`) holds nothing that depends on who looks at it: the author's Edit and Delete,
moderators' actions, "Report" for others, whether a reaction is yours and "mentions you" are decided in the
browser from data on the page (`body[data-member-id]`, the per-viewer style rules in `chat/layout.html`, and
`chat.js`). So one rendering serves the page, the htmx fragment and the realtime push to every tab, and it is
cached under a key that changes whenever anything the row shows changes (Campfire does the same with one cached
partial broadcast to a room).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from leveller.chat.models import Message

TEMPLATE = "chat/_message.html"
CACHE_SECONDS = 24 * 3600
VERSION = "3"  # bump when _message.html changes shape, so old cached rows are not served


def _version(message: Message) -> str:
    """Everything the row shows, digested: a change to any of it is a new cache key."""
    parts = [
        VERSION,
        message.author_name,
        str(message.author_id or ""),
        message.author.avatar if message.author_id else "",  # a new picture is a new name (content-hashed)
        message.html,
        message.created_at.isoformat(),
        message.edited_at.isoformat() if message.edited_at else "",
        message.deleted_at.isoformat() if message.deleted_at else "",
        message.pinned_at.isoformat() if message.pinned_at else "",
        str(message.reply_count),
        str(message.thread_id or ""),
        str(message.also_in_channel),
        repr([(r["emoji"], r["member_ids"]) for r in message.reaction_summary]),
        repr([(a.pk, a.name, a.size, a.content_type) for a in message.attachments.all()]),
    ]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


def cache_key(message: Message, *, in_thread: bool) -> str:
    return f"chat:row:{message.pk}:{'t' if in_thread else 'c'}:{_version(message)}"


def _render(message: Message, in_thread: bool) -> str:
    # Times are written in the workspace's zone; chat.js shows them in the viewer's own zone.
    with timezone.override(settings.TIME_ZONE):
        return render_to_string(TEMPLATE, {"m": message, "in_thread": in_thread})


def row_html(message: Message, *, in_thread: bool = False) -> str:
    return rows_html([message], in_thread=in_thread)[0]


def rows_html(messages: list[Message], *, in_thread: bool = False) -> list[str]:
    """The rows' HTML in order: one cache read for all of them, rendering (and storing) only what is missing."""
    if not messages:
        return []
    keys = [cache_key(m, in_thread=in_thread) for m in messages]
    found = cache.get_many(keys)
    missing = {}
    out = []
    for key, message in zip(keys, messages, strict=True):
        html = found.get(key)
        if html is None:
            html = missing[key] = _render(message, in_thread)
        out.append(html)
    if missing:
        cache.set_many(missing, CACHE_SECONDS)
    return out


def views_of(message: Message, *, new: bool = False) -> dict[str, str | None]:
    """The row as each view shows it: `channel` (the channel's list) and `thread` (the thread panel), or None
    where the message does not appear. A new top-level message has no thread panel open yet (`new`)."""
    in_channel = message.thread_id is None or message.also_in_channel
    in_thread = message.thread_id is not None or not new  # a root heads its thread panel, a reply is in it
    return {
        "channel": row_html(message) if in_channel else None,
        "thread": row_html(message, in_thread=True) if in_thread else None,
    }


def attach(messages: list[Message], *, in_thread: bool = False) -> list[Message]:
    """Give each message its `row_html` (for templates that list rows); returns the same list."""
    for message, html in zip(messages, rows_html(messages, in_thread=in_thread), strict=True):
        message.row_html = html
    return messages
