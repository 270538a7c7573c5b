"""Who may read, post in and manage a channel. Views and the API call the `get_*` helpers, which return
the object or raise Http404 (for private things the caller may not know about) / PermissionDenied.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from leveller.chat.models import Channel, ChannelMembership, Kind, Message


def is_active_member(member) -> bool:
    return member is not None and getattr(member, "is_authenticated", False) and member.is_active


def is_channel_member(member, channel: Channel) -> bool:
    if not is_active_member(member):
        return False
    return ChannelMembership.objects.filter(channel=channel, member=member).exists()


def can_read(member, channel: Channel) -> bool:
    if not is_active_member(member):
        return False
    if channel.kind == Kind.STANDARD and not channel.private:
        return True
    return is_channel_member(member, channel)


def can_manage(member, channel: Channel) -> bool:
    """Change topic/purpose/section, archive, add/remove others, create webhooks."""
    if not is_active_member(member):
        return False
    if channel.is_dm:
        return False
    if member.is_organiser:
        return True
    return channel.created_by_id == member.pk and is_channel_member(member, channel)


def is_moderator(member) -> bool:
    return is_active_member(member) and member.is_staff_member


def get_channel(member, channel_id) -> Channel:
    """The channel if the member may read it; 404 otherwise (private channels never reveal themselves)."""
    try:
        channel = Channel.objects.get(pk=int(channel_id))
    except (Channel.DoesNotExist, TypeError, ValueError):
        raise Http404("No such channel.")
    if not can_read(member, channel):
        raise Http404("No such channel.")
    return channel


def get_message(member, message_id) -> Message:
    try:
        message = Message.objects.select_related("channel", "author", "thread").get(pk=int(message_id))
    except (Message.DoesNotExist, TypeError, ValueError):
        raise Http404("No such message.")
    if not can_read(member, message.channel):
        raise Http404("No such message.")
    return message


def require_manage(member, channel: Channel) -> Channel:
    if not can_manage(member, channel):
        raise PermissionDenied("Only organisers, staff or the channel's creator can change this channel.")
    return channel


def require_member_actor(actor):
    if not is_active_member(actor):
        raise PermissionDenied("Log in first.")
    return actor


def can_post(
    member, channel: Channel, *, thread=None, also_to_channel: bool = False, is_member: bool | None = None
) -> str | None:
    """None if the member may post here, else the reason they may not (a sentence to show them). `is_member`:
    the caller already knows whether the member is in the channel (a page that loaded the membership)."""
    if is_member is None:
        is_member = is_channel_member(member, channel)
    if not is_member or not is_active_member(member):
        return "Join the channel to post in it."
    if channel.archived:
        return "This channel is archived: it is read-only."
    if channel.announcement and (thread is None or also_to_channel) and not member.is_staff_member:
        return "Only staff post in announcement channels; reply in a thread instead."
    return None
