from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leveller.chat.access import can_read
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.models import Channel, ChannelMembership
from leveller.realtime.models import Event
from tests.support.personas import make_member


def test_a_new_member_joins_the_default_channels(member):
    names = set(Channel.objects.filter(memberships__member=member).values_list("name", flat=True))
    assert names == {"welcome", "announcements", "resources"}


def test_a_member_joins_and_leaves_a_public_channel(organiser, outsider):
    channel = channel_actions.create_channel(actor=organiser, name="Eviction Resistance", purpose="Stop evictions")
    assert channel.name == "eviction-resistance"
    channel_actions.add_channel_member(actor=outsider, channel=channel, member=outsider)
    channel_actions.add_channel_member(actor=outsider, channel=channel, member=outsider)  # idempotent
    assert ChannelMembership.objects.filter(channel=channel, member=outsider).count() == 1
    channel_actions.remove_channel_member(actor=outsider, channel=channel, member=outsider)
    assert not ChannelMembership.objects.filter(channel=channel, member=outsider).exists()


def test_joining_tells_the_members_open_sockets_to_follow_the_channel(organiser, outsider, run_on_commit):
    channel = channel_actions.create_channel(actor=organiser, name="skillshare")
    channel_actions.add_channel_member(actor=outsider, channel=channel, member=outsider)
    assert Event.objects.filter(stream=f"user-{outsider.pk}", type="channel.member_joined").exists()


def test_an_outsider_cannot_join_a_private_channel(secret, outsider):
    assert not can_read(outsider, secret)
    with pytest.raises(PermissionDenied):
        channel_actions.add_channel_member(actor=outsider, channel=secret, member=outsider)


def test_members_of_a_private_channel_can_invite_others(secret, member, outsider):
    channel_actions.add_channel_member(actor=member, channel=secret, member=outsider)
    assert can_read(outsider, secret)


def test_channel_names_are_unique_and_clear(organiser, member):
    channel_actions.create_channel(actor=organiser, name="skillshare")
    with pytest.raises(ValidationError, match="already a channel"):
        channel_actions.create_channel(actor=member, name="#Skillshare")
    with pytest.raises(ValidationError, match="letters, numbers"):
        channel_actions.create_channel(actor=member, name="no/slashes")


def test_only_staff_make_announcement_channels(member, staff):
    with pytest.raises(PermissionDenied):
        channel_actions.create_channel(actor=member, name="news", announcement=True)
    assert channel_actions.create_channel(actor=staff, name="news", announcement=True).announcement


def test_only_staff_post_in_announcements_but_anyone_replies_in_a_thread(staff, member):
    channel = Channel.objects.get(name="announcements")
    channel_actions.add_channel_member(actor=None, channel=channel, member=staff)
    with pytest.raises(PermissionDenied, match="reply in a thread"):
        message_actions.send_message(actor=member, channel=channel, text="Hello all")
    post = message_actions.send_message(actor=staff, channel=channel, text="Conference on Saturday")
    reply = message_actions.send_message(actor=member, channel=channel, text="See you there", thread=post)
    assert reply.thread_id == post.pk
    post.refresh_from_db()
    assert post.reply_count == 1


def test_an_archived_channel_is_read_only(organiser, general, member):
    message_actions.send_message(actor=member, channel=general, text="before archiving")
    channel_actions.set_archived(actor=organiser, channel=general, archived=True)
    with pytest.raises(PermissionDenied, match="archived"):
        message_actions.send_message(actor=member, channel=general, text="after")
    assert can_read(member, general)


def test_direct_messages_are_private_and_limited_to_nine_people(member, organiser, outsider, db):
    dm = channel_actions.open_dm(actor=member, members=[organiser])
    assert dm.private and dm.kind == "dm"
    assert channel_actions.open_dm(actor=organiser, members=[member]).pk == dm.pk
    assert not can_read(outsider, dm)
    others = [make_member(f"Person {i}", f"p{i}@example.org") for i in range(9)]
    group = channel_actions.open_dm(actor=member, members=others[:8])
    assert group.kind == "group_dm"
    with pytest.raises(ValidationError, match="at most 9"):
        channel_actions.open_dm(actor=member, members=others)


def test_staff_can_remove_someone_and_it_is_audit_logged(staff, general, member):
    from leveller.core.models import AuditEntry

    channel_actions.remove_channel_member(actor=staff, channel=general, member=member)
    assert AuditEntry.objects.filter(action="chat.member_removed").exists()
    with pytest.raises(PermissionDenied):
        channel_actions.remove_channel_member(actor=member, channel=general, member=staff)
