"""The short page cache (core.page_cache): a member's own change is never hidden by it, sessions never share a
page, and a cached chat page names the event it was rendered at so the realtime client catches up from there."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.realtime.consumer import replay
from tests.support.personas import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def caching(settings):
    settings.PAGE_CACHE_SECONDS = 10


def logged_in(member) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    return client


def test_a_members_own_change_shows_at_once_on_their_cached_pages(caching, member):
    channel = channel_actions.create_channel(actor=member, name="tenants")
    client = logged_in(member)
    page = f"/chat/c/{channel.pk}/"
    assert "Rent strike meeting" not in client.get(page).content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get(page).content.decode())[1]
    client.post(f"/chat/c/{channel.pk}/post/", {"text": "Rent strike meeting on Friday"}, HTTP_X_CSRFTOKEN=token)
    assert "Rent strike meeting" in client.get(page).content.decode()


def test_what_others_post_reaches_a_cached_chat_page_through_the_replay_from_its_render(caching, member):
    other = make_member("Oli Other", "oli@example.org")
    channel = channel_actions.create_channel(actor=member, name="tenants")
    channel_actions.add_channel_member(actor=other, channel=channel, member=other)
    client = logged_in(member)
    first = client.get(f"/chat/c/{channel.pk}/").content.decode()
    message_actions.send_message(actor=other, channel=channel, text="Posted while the page was cached")
    again = client.get(f"/chat/c/{channel.pk}/").content.decode()
    assert "Posted while the page was cached" not in again  # still the cached page …
    rendered_at = int(re.search(r'data-rendered-at-event="(\d+)"', again).group(1))
    assert rendered_at == int(re.search(r'data-rendered-at-event="(\d+)"', first).group(1))
    events = replay({f"channel-{channel.pk}"}, rendered_at)["events"]  # … which the client resumes from
    assert any(e["type"] == "message.created" and "while the page was cached" in e["message"]["text"] for e in events)


def test_two_sessions_of_one_member_never_share_a_cached_page(caching, member):
    one, two = logged_in(member), logged_in(member)
    token = re.compile(r'"X-CSRFToken": "([^"]+)"')
    one.get("/")
    page = two.get("/")
    assert page.status_code == 200
    answer = two.post("/chat/new/", {"name": "from-two", "csrfmiddlewaretoken": token.search(page.content.decode())[1]})
    assert answer.status_code == 302, answer.status_code
    assert "from-two" in two.get("/chat/browse/").content.decode()


def test_an_outsider_never_gets_a_cached_private_page(caching, member, outsider):
    channel = channel_actions.create_channel(actor=member, name="committee", private=True)
    logged_in(member).get(f"/chat/c/{channel.pk}/")
    assert logged_in(outsider).get(f"/chat/c/{channel.pk}/").status_code == 404


def test_with_the_cache_unreachable_a_post_is_acknowledged_and_pages_render_afresh(caching, settings, member):
    """Redis down (it is the cache too): the cache is skipped (fragments, page cache, limits), never a 500."""
    from leveller.accounts.actions import members as members_actions
    from leveller.chat.models import Message
    from tests.support.live import free_port

    channel = channel_actions.create_channel(actor=member, name="tenants")
    _, secret = members_actions.create_api_token(actor=member, member=member, name="cli")
    settings.CACHES = {
        "default": {
            "BACKEND": "leveller.core.cache.ResilientRedisCache",  # as settings.py configures it with REDIS_URL
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.post(f"/api/v1/channels/{channel.pk}/messages", {"text": "rent strike"}, "application/json")
    assert response.status_code == 201, response.content[:300]
    assert Message.objects.filter(channel=channel, text="rent strike").count() == 1
    page = logged_in(member).get(f"/chat/c/{channel.pk}/")
    assert page.status_code == 200
    assert "rent strike" in page.content.decode()
