from __future__ import annotations

import pytest

from leveller.groups import finder
from leveller.groups.actions import groups as group_actions
from leveller.groups.models import Kind


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Persona passwords are hashed once per test; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_finder_index():
    """Test transactions never commit, so the finder's commit-time invalidation never runs: reset by hand."""
    finder.reset_index()
    yield
    finder.reset_index()


@pytest.fixture
def make_group(staff):
    """make_group(name, districts=..., kind=..., organiser=...) -> an approved group, created by staff."""

    def make(name: str, *, districts: str = "", kind: str = Kind.LOCAL, organiser=None, **fields):
        return group_actions.create_group(
            actor=staff, name=name, kind=kind, districts=districts, organiser=organiser, **fields
        )

    return make


@pytest.fixture
def london(make_group):
    return make_group("London", kind=Kind.REGIONAL)


@pytest.fixture
def brent(make_group, london, organiser):
    return make_group("Brent", districts="NW10 HA0 HA9", parent=london, organiser=organiser)
