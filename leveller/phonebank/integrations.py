"""Links to other domains, used only through their own public functions.

Each campaign gets a chat channel in the "Campaigns" section that its callers join (the phonebank party), and
a campaign may be limited to the members of a group.
"""

from __future__ import annotations

import logging

from django.urls import reverse
from django.utils.text import slugify

from leveller.chat.actions import channels as channel_actions
from leveller.chat.models import Channel
from leveller.groups.models import Group, GroupMembership

log = logging.getLogger(__name__)


def create_campaign_channel(*, actor, campaign) -> int | None:
    channel = channel_actions.create_channel(
        actor=actor,
        name=f"phonebank-{slugify(campaign.name)[:50].strip('-')}-{campaign.pk}",
        private=True,
        purpose=f"Phonebank party for “{campaign.name}”: callers help each other here.",
        topic=campaign.goal[:200],
        section="campaigns",
    )
    return channel.pk


def join_campaign_channel(*, campaign, member) -> None:
    if not campaign.chat_channel_id:
        return
    channel = Channel.objects.filter(pk=campaign.chat_channel_id).first()
    if channel is None:
        return
    owner = campaign.created_by or member
    channel_actions.add_channel_member(actor=owner, channel=channel, member=member)


def channel_url(campaign) -> str | None:
    if not campaign.chat_channel_id:
        return None
    return reverse("chat:channel", args=[campaign.chat_channel_id])


def in_group(member, group_id: int | None) -> bool:
    if not group_id:
        return False
    return GroupMembership.objects.filter(group_id=group_id, member=member).exists()


def group_member_ids(group_id: int | None) -> list[int]:
    if not group_id:
        return []
    return list(GroupMembership.objects.filter(group_id=group_id).values_list("member_id", flat=True))


def group_choices() -> list[tuple[int, str]]:
    return [(g.pk, str(g)) for g in Group.objects.all()[:500]]
