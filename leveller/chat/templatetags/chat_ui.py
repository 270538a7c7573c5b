"""Small presentation helpers for chat templates: initials avatars and channel display names.

Everything here is computed from the row itself (no queries), so a message row stays the same for every viewer
and can be rendered once (chat/fragments.py).
"""

from __future__ import annotations

from django import template

from leveller.chat.slack_import.report import KIND_TITLE

register = template.Library()

AVATAR_COLOURS = 12  # chat.css has .avatar-0 .. .avatar-11, each AA-contrast in light and dark mode


@register.filter
def initials(name: str) -> str:
    """ "Ann Author" -> "AA"; one word -> its first letter; nothing -> "?"."""
    parts = [p for p in str(name or "").replace("-", " ").split() if p[:1].isalnum()]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


@register.filter
def avatar_colour(member_id) -> int:
    """A stable colour index for a member id (bots and deleted members get colour 0)."""
    try:
        n = int(member_id or 0)
    except (TypeError, ValueError):
        return 0
    return (n * 7) % AVATAR_COLOURS  # 7 is coprime with 12: neighbouring ids get distinct colours


@register.filter
def channel_title(channel) -> str:
    """A channel as people read it: a group's private channel "group-eviction-resistance-manchester" shows as
    "Eviction Resistance Manchester"; other names as they are."""
    name = getattr(channel, "name", "") or ""
    if getattr(channel, "private", False) and name.startswith("group-") and not channel.is_dm:
        words = name.removeprefix("group-").split("-")
        return " ".join(w if w.isdigit() else w[:1].upper() + w[1:] for w in words if w) or name
    return name


@register.filter
def channel_display(channel) -> str:
    """The channel in a sentence ("Message …"): a DM's names, a private channel's title, else "#name"."""
    if getattr(channel, "is_dm", False):
        return channel.name
    if getattr(channel, "private", False):
        return channel_title(channel)
    return f"#{channel_title(channel)}"


@register.filter
def slack_kind(kind: str) -> str:
    """A Slack import report row's kind ("dms") as the page calls it ("Direct message")."""
    return KIND_TITLE.get(kind, kind)
