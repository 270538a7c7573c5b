"""The chat API finds people by email (open a DM, add to a channel), and its answers say whether an address is
a member's: a member may look up only so many addresses an hour, so the API cannot test a list of them."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.support.personas import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def test_a_member_testing_a_list_of_addresses_is_stopped_at_the_hourly_limit(api_client, member, settings):
    settings.CHAT_EMAIL_LOOKUPS_PER_HOUR = 5
    friend = make_member("Fran Friend", "fran@example.org")
    client = api_client(member)
    answers = [client.post("/api/v1/dms", {"emails": [f"guess{n}@example.net"]}).status_code for n in range(5)]
    assert answers == [400] * 5  # "not an active member": the oracle the limit bounds
    refused = client.post("/api/v1/dms", {"emails": [friend.email]})
    assert refused.status_code == 429
    assert "Too many addresses looked up (5 an hour)" in refused.json()["detail"]
    added = client.post("/api/v1/channels/1/members", {"email": friend.email})
    assert added.status_code in (404, 429)  # the same budget, whatever the channel


def test_a_dm_to_several_people_counts_each_address(api_client, member, settings):
    settings.CHAT_EMAIL_LOOKUPS_PER_HOUR = 3
    people = [make_member(f"Person {n}", f"person{n}@example.org") for n in range(4)]
    client = api_client(member)
    opened = client.post("/api/v1/dms", {"emails": [p.email for p in people[:3]]})
    assert opened.status_code == 201
    assert client.post("/api/v1/dms", {"emails": [people[3].email]}).status_code == 429


def test_with_the_limit_off_lookups_are_not_counted(api_client, member, settings):
    settings.CHAT_EMAIL_LOOKUPS_PER_HOUR = 0
    client = api_client(member)
    assert all(client.post("/api/v1/dms", {"emails": [f"g{n}@example.net"]}).status_code == 400 for n in range(20))
