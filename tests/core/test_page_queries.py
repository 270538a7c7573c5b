"""Every page's queries, counted with the demo workspace loaded: a fixed number per page (no N+1), however many
channels, messages, reactions, threads and notifications a member has."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leveller.accounts.models import Member
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.models import Channel
from leveller.chat.queries import welcome_channel
from leveller.core import nav
from leveller.core.demoload import DEMO_LOGINS

pytestmark = pytest.mark.django_db(transaction=True)
MOST_QUERIES_A_PAGE = 30


def pages_for(member: Member) -> list[str]:
    welcome = welcome_channel()
    chat = [f"/chat/c/{welcome.pk}/", "/chat/browse/", "/chat/threads/", "/chat/notifications/", "/chat/sidebar/"]
    chat += ["/chat/search/?q=phonebank", "/chat/preferences/", f"/chat/c/{welcome.pk}/settings/"]
    return list(dict.fromkeys(["/", *chat, *(reverse(item.url_name) for item in nav.items_for(member))]))


def count(client: Client, url: str) -> int:
    client.get(url)  # first visits may set things up once (a chat profile, a CSRF cookie)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def more_of_everything(member: Member, round: int) -> None:
    """Six more channels with messages, reactions, threads with replies, and a DM, all for `member`."""
    others = list(Member.objects.exclude(pk=member.pk).filter(is_active=True).order_by("pk")[round : round + 3])
    for i in range(6):
        channel = channel_actions.create_channel(actor=others[0], name=f"more-{round}-{i}")
        channel_actions.add_channel_member(actor=member, channel=channel, member=member)
        for other in others:
            channel_actions.add_channel_member(actor=other, channel=channel, member=other)
            root = message_actions.send_message(actor=other, channel=channel, text=f"Hello from {other.display_name}")
            message_actions.add_reaction(actor=member, message=root, emoji="👍")
            message_actions.send_message(actor=member, channel=channel, text="Replying", thread=root)
            message_actions.send_message(actor=other, channel=channel, text="And again", thread=root)
    dm = channel_actions.open_dm(actor=others[-1], members=[member])
    message_actions.send_message(actor=others[-1], channel=dm, text="A direct word")


@pytest.mark.parametrize("persona", ["member", "admin"])
def test_every_page_runs_a_fixed_number_of_queries_however_much_a_member_has(persona, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count the real work, not the cache
    call_command("demo", verbosity=0)
    member = Member.objects.get(email=dict(DEMO_LOGINS)[persona])
    client = Client()
    client.force_login(member)
    more_of_everything(member, 0)  # some of everything, so each page runs every query it has
    before = {url: count(client, url) for url in pages_for(member)}
    more_of_everything(member, 3)  # and more of it: no page may run more queries
    after = {url: count(client, url) for url in pages_for(member)}
    assert {url: n for url, n in before.items() if n > MOST_QUERIES_A_PAGE} == {}
    assert {url: (before[url], n) for url, n in after.items() if n > before[url]} == {}


def test_a_cached_page_answers_in_three_queries(settings, member):
    settings.PAGE_CACHE_SECONDS = 10
    channel = channel_actions.create_channel(actor=member, name="quiet")
    client = Client()
    client.force_login(member)
    for url in ["/", f"/chat/c/{channel.pk}/"]:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= 3, (url, [q["sql"][:80] for q in queries])  # session, member, and roles or access
    assert Channel.objects.filter(name="quiet").exists()
