from __future__ import annotations

import pytest

from leveller.chat import actions
from leveller.chat.models import Channel


@pytest.fixture
def general(organiser, member):
    channel = actions.create_channel(actor=organiser, name="general", purpose="Anything goes")
    actions.add_channel_member(actor=member, channel=channel, member=member)
    return channel


@pytest.fixture
def secret(organiser, member):
    """A private channel: organiser and member are in it; the outsider is not."""
    channel = actions.create_channel(actor=organiser, name="data-team", private=True, purpose="Membership data")
    actions.add_channel_member(actor=organiser, channel=channel, member=member)
    return channel


def channel_named(name: str) -> Channel:
    return Channel.objects.get(name=name)
