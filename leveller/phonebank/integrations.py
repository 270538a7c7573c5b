"""Links to other domains, used only through their own public functions.

Each campaign gets a chat channel in the "Campaigns" section that its callers join (the phonebank party), and
a campaign may be limited to the members of a group. When the chat or groups app does not provide these yet,
the phonebank works without them.
"""

from __future__ import annotations

import logging

from django.utils.text import slugify

log = logging.getLogger(__name__)


def _chat_actions():
    try:
        from leveller.chat import actions
    except ImportError:
        return None
    if not hasattr(actions, "create_channel") or not hasattr(actions, "add_channel_member"):
        return None
    return actions


def create_campaign_channel(*, actor, campaign) -> int | None:
    chat = _chat_actions()
    if chat is None:
        return None
    channel = chat.create_channel(
        actor=actor,
        name=f"phonebank-{slugify(campaign.name)[:50].strip('-')}-{campaign.pk}",
        private=True,
        purpose=f"Phonebank party for “{campaign.name}”: callers help each other here.",
        topic=campaign.goal[:200],
        section="campaigns",
    )
    return channel.pk


def join_campaign_channel(*, campaign, member) -> None:
    chat = _chat_actions()
    if chat is None or not campaign.chat_channel_id:
        return
    from leveller.chat.models import Channel

    channel = Channel.objects.filter(pk=campaign.chat_channel_id).first()
    if channel is None:
        return
    owner = campaign.created_by or member
    chat.add_channel_member(actor=owner, channel=channel, member=member)


def channel_url(campaign) -> str | None:
    if not campaign.chat_channel_id or _chat_actions() is None:
        return None
    from django.urls import NoReverseMatch, reverse

    for name in ("chat:channel",):
        try:
            return reverse(name, args=[campaign.chat_channel_id])
        except NoReverseMatch:
            continue
    return None


def group_model():
    try:
        from leveller.groups.models import Group, GroupMembership
    except ImportError:
        return None, None
    return Group, GroupMembership


def in_group(member, group_id: int | None) -> bool:
    _, membership = group_model()
    if membership is None or not group_id:
        return False
    return membership.objects.filter(group_id=group_id, member=member).exists()


def group_choices() -> list[tuple[int, str]]:
    group, _ = group_model()
    if group is None:
        return []
    return [(g.pk, str(g)) for g in group.objects.all()[:500]]
