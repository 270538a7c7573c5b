"""Events fixtures: a local group with an organiser and a member, and a factory for events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from leveller.events.actions import events as event_actions
from tests.support.personas import make_member


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas get real passwords; a fast hasher keeps these tests quick (login is not under test here)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def group(staff, organiser, member):
    from leveller.groups.actions import groups as group_actions

    group = group_actions.create_group(
        actor=staff, name="Brent Left", kind="local", districts=["NW10", "HA0"], organiser=organiser
    )
    group_actions.add_group_member(actor=staff, group=group, member=member)
    return group


@pytest.fixture
def make_event(staff):
    def make(*, actor=None, hours=48, length=2, **fields):
        starts_at = fields.pop("starts_at", timezone.now() + dt.timedelta(hours=hours))
        fields.setdefault("title", "Canvassing training")
        fields.setdefault("type", "training")
        if not fields.get("online"):
            fields.setdefault("in_person", True)
            fields.setdefault("address", "Willesden Green Library, 95 High Road")
            fields.setdefault("postcode", "NW10 2SF")
        else:
            fields.setdefault("in_person", False)
        return event_actions.create_event(
            actor=actor or staff, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=length), **fields
        )

    return make


@pytest.fixture
def people(db):
    """make `n` extra members."""

    def make(n, prefix="person"):
        return [make_member(f"{prefix.title()} {i}", f"{prefix}{i}@example.org", password=None) for i in range(n)]

    return make
