from __future__ import annotations

import pytest

from leveller.chat.actions import channels as channel_actions
from leveller.chat.models import Channel
from tests.support.personas import make_member


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas get real passwords; hashing them slowly buys these tests nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def general(organiser, member):
    channel = channel_actions.create_channel(actor=organiser, name="general", purpose="Anything goes")
    channel_actions.add_channel_member(actor=member, channel=channel, member=member)
    return channel


@pytest.fixture
def secret(organiser, member):
    """A private channel: organiser and member are in it; the outsider is not."""
    channel = channel_actions.create_channel(actor=organiser, name="data-team", private=True, purpose="Membership data")
    channel_actions.add_channel_member(actor=organiser, channel=channel, member=member)
    return channel


@pytest.fixture
def pair(live_server_asgi):
    """Two members in one public channel, with the live server running (the two-browser tests)."""
    ann = make_member("Ann Author", "ann@example.org", password=None)
    ben = make_member("Ben Reader", "ben@example.org", password=None)
    channel = channel_actions.create_channel(actor=ann, name="general")
    channel_actions.add_channel_member(actor=ben, channel=channel, member=ben)
    return ann, ben, channel


def channel_named(name: str) -> Channel:
    return Channel.objects.get(name=name)
