from __future__ import annotations

import pytest

from leveller.chat import actions
from leveller.chat.models import Channel


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas get real passwords; hashing them slowly buys these tests nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
