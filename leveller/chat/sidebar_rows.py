"""Sidebar pieces pushed in events, so open tabs update their sidebar without fetching it."""

from __future__ import annotations

from django.template.loader import render_to_string

from leveller.chat import queries
from leveller.chat.models import Channel


def row_event(member, channel: Channel) -> dict:
    """A member's own row for a channel they just joined (DM labels are per member): its HTML and section."""
    rows = queries.sidebar(member, only=[channel.pk])
    if not rows:
        return {}
    row = rows[0]
    return {
        "sidebar_row": render_to_string("chat/_sidebar_row.html", {"row": row, "current": None}),
        "section": row["section"],
        "section_label": queries.section_label(row["section"]),
    }


def channel_label(channel: Channel) -> str:
    """A standard channel's label in the sidebar (the same for everyone): lock or #, name, archived."""
    return render_to_string("chat/_channel_label.html", {"channel": channel}).strip()
