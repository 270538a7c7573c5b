"""The groups app's one bridge to chat: each approved group has a channel its members join automatically.

Group membership governs channel membership: the groups actions have already checked who may do what, so
the channel is created and joined/left as the system (chat's actor=None), and the group's own audit entries
record who did it. Messages are posted as the organiser who wrote them.

Everything goes through leveller.chat.actions (the chat domain's one write path). While the chat app has
no actions yet (it is built alongside), these functions do nothing and return None.
"""

from __future__ import annotations

import importlib
import re

from leveller.groups.models import Group, Kind

SECTION_FOR_KIND = {
    Kind.LOCAL: "regions",
    Kind.REGIONAL: "regions",
    Kind.ABROAD: "regions",
    Kind.CAMPAIGN: "campaigns",
    Kind.ONLINE: "discussion",
    Kind.ALUMNI: "discussion",
}


def chat_actions():
    """leveller.chat.actions if it offers what groups need, else None."""
    try:
        module = importlib.import_module("leveller.chat.actions")
    except ModuleNotFoundError:
        return None
    needed = ("create_channel", "add_channel_member", "remove_channel_member", "send_message")
    return module if all(hasattr(module, name) for name in needed) else None


def channel_name_for(group: Group) -> str:
    """A chat channel name for the group: lower case, no spaces, unique among channels."""
    from django.apps import apps

    base = re.sub(r"[^a-z0-9-]+", "-", f"group-{group.slug}".lower()).strip("-")[:72] or f"group-{group.pk}"
    Channel = apps.get_model("chat", "Channel")
    name, n = base, 2
    while Channel.objects.filter(name__iexact=name).exists():
        name, n = f"{base}-{n}"[:80], n + 1
    return name


def create_group_channel(*, group: Group):
    chat = chat_actions()
    if chat is None:
        return None
    return chat.create_channel(
        actor=None,
        name=channel_name_for(group),
        private=True,
        purpose=f"Chat for members of {group.name}."[:250],
        topic=(group.meeting_pattern or "")[:250],
        section=SECTION_FOR_KIND.get(group.kind, "discussion"),
    )


def join_channel(*, group: Group, member) -> None:
    chat = chat_actions()
    if chat is None or group.channel_id is None or group.channel.archived:
        return
    chat.add_channel_member(actor=None, channel=group.channel, member=member)


def leave_channel(*, group: Group, member) -> None:
    chat = chat_actions()
    if chat is None or group.channel_id is None:
        return
    chat.remove_channel_member(actor=None, channel=group.channel, member=member)


def post_to_channel(*, actor, group: Group, text: str):
    chat = chat_actions()
    if chat is None or group.channel_id is None:
        return None
    if group.channel.memberships.filter(member=actor).exists():
        return chat.send_message(actor=actor, channel=group.channel, text=text)
    # Staff who are not in the group post as the system, under their name, rather than joining it.
    return chat.send_message(actor=None, channel=group.channel, text=text, bot_name=f"{actor.display_name} (staff)")
