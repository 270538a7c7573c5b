from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.handles import handle_for
from leveller.chat.models import Channel, Message
from leveller.chat.search import hits_sql, parse, readable_channel_ids, search, search_page


def texts(member, q):
    return [m.text for m, _ in search(member, q)[1]]


@pytest.fixture
def corpus(general, member, organiser):
    message_actions.send_message(actor=member, channel=general, text="Rent strike meeting on Tuesday")
    message_actions.send_message(actor=organiser, channel=general, text="The strike fund reached £2,000")
    message_actions.send_message(
        actor=organiser, channel=general, text="Café Bürgerhaus: réunion des locataires à Montréal"
    )
    message_actions.send_message(actor=member, channel=general, text="Встреча жильцов в четверг")
    message_actions.send_message(actor=member, channel=general, text="meeting strike rent (different order)")
    return general


def test_words_match_by_prefix_and_highlight(corpus, member):
    _, results = search(member, "strik")
    assert len(results) == 3
    assert all("<mark>" in snippet for _, snippet in results)


def test_phrases_match_in_order(corpus, member):
    assert texts(member, '"rent strike"') == ["Rent strike meeting on Tuesday"]


def test_non_english_text_is_searchable_with_or_without_accents(corpus, member):
    assert texts(member, "réunion") == ["Café Bürgerhaus: réunion des locataires à Montréal"]
    assert texts(member, "reunion montreal") == ["Café Bürgerhaus: réunion des locataires à Montréal"]
    assert texts(member, "жильцов") == ["Встреча жильцов в четверг"]


def test_from_and_in_filters(corpus, member, organiser, secret):
    message_actions.send_message(actor=organiser, channel=secret, text="strike data export")
    assert len(texts(member, f"strike from:@{handle_for(organiser)}")) == 2
    assert texts(member, "strike in:#data-team") == ["strike data export"]
    assert texts(member, "from:me meeting") == [
        "meeting strike rent (different order)",
        "Rent strike meeting on Tuesday",
    ]


def test_before_and_after_dates(corpus, member):
    old = Message.objects.get(text__startswith="Rent strike")
    Message.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=30))
    cutoff = (old.created_at - dt.timedelta(days=10)).date().isoformat()
    assert texts(member, f"strike before:{cutoff}") == ["Rent strike meeting on Tuesday"]
    assert "Rent strike meeting on Tuesday" not in texts(member, f"strike after:{cutoff}")
    assert parse("before:yesterday").errors


def test_edits_and_deletions_reach_the_index_and_archived_channels_stay_searchable(general, member, organiser):
    message = message_actions.send_message(actor=member, channel=general, text="leafleting schedule")
    message_actions.edit_message(actor=member, message=message, text="canvassing schedule")
    assert texts(member, "leafleting") == [] and texts(member, "canvassing") == ["canvassing schedule"]
    channel_actions.set_archived(actor=organiser, channel=general, archived=True)
    assert texts(member, "canvassing") == ["canvassing schedule"]
    message_actions.delete_message(actor=member, message=message)
    assert texts(member, "canvassing") == []


def test_hostile_queries_are_harmless(corpus, member):
    for q in ['"', "*", "NEAR(", "a OR b", "'; DROP TABLE chat_message; --", "(((", "in:", "from:", "-strike", ":*"]:
        search(member, q)
    assert Message.objects.count() >= 5


def test_the_search_index_triggers_exist(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND name LIKE 'chat_message_fts_%'")
        assert {row[0] for row in cursor.fetchall()} == {
            "chat_message_fts_ai",
            "chat_message_fts_ad",
            "chat_message_fts_au",
        }


def test_search_page_shows_snippets_and_jump_links(client, corpus, member):
    client.force_login(member)
    html = client.get("/chat/search/", {"q": "strike"}).content.decode()
    assert "<mark>" in html and "/chat/m/" in html
    jump = client.get(f"/chat/m/{Message.objects.filter(text__startswith='Rent').get().pk}/")
    assert jump.status_code == 302 and "around=" in jump["Location"]


def test_results_come_a_page_at_a_time_with_a_cursor_for_the_next(general, member):
    for n in range(7):
        message_actions.send_message(actor=member, channel=general, text=f"picket rota {n}")
    first = search_page(member, "picket", limit=3)
    second = search_page(member, "picket", limit=3, cursor=first.next)
    third = search_page(member, "picket", limit=3, cursor=second.next)
    pages = [[m.text for m, _ in page.results] for page in (first, second, third)]
    assert pages == [
        ["picket rota 6", "picket rota 5", "picket rota 4"],
        ["picket rota 3", "picket rota 2", "picket rota 1"],
        ["picket rota 0"],
    ]
    assert third.next is None
    assert search_page(member, "picket", limit=7).next is None  # exactly a full page: no empty page after it


def test_paging_keeps_the_filters_and_works_without_words(general, member, organiser):
    for n in range(4):
        message_actions.send_message(actor=organiser, channel=general, text=f"agenda item {n}")
        message_actions.send_message(actor=member, channel=general, text=f"my note {n}")
    handle = handle_for(organiser)
    first = search_page(member, f"from:@{handle}", limit=3)
    rest = search_page(member, f"from:@{handle}", limit=3, cursor=first.next)
    assert [m.text for m, _ in first.results + rest.results] == [f"agenda item {n}" for n in (3, 2, 1, 0)]
    assert rest.next is None and "agenda item 3" in first.results[0][1]  # the text, escaped, stands in for a snippet


def test_dates_a_little_out_of_order_are_still_matched_exactly(general, member):
    """Date filters become id bounds (ids follow created_at); a stamp up to ID_SLACK out of order is still found."""
    early = message_actions.send_message(actor=member, channel=general, text="ballot early")
    late = message_actions.send_message(actor=member, channel=general, text="ballot late")
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    Message.objects.filter(pk=early.pk).update(created_at=midnight + dt.timedelta(minutes=20))
    Message.objects.filter(pk=late.pk).update(created_at=midnight - dt.timedelta(minutes=20))
    today = midnight.date()
    assert texts(member, f"ballot before:{today.isoformat()}") == ["ballot late"]
    assert texts(member, f"ballot after:{(today - dt.timedelta(days=1)).isoformat()}") == ["ballot early"]


def test_readable_channels_are_exactly_the_querysets(
    general, secret, admin, staff, organiser, member, outsider, django_user_model
):
    """search.readable_channel_ids runs readable_by's SQL compiled once: it must agree with it for everyone."""
    channel_actions.open_dm(actor=member, members=[outsider])
    inactive = django_user_model.objects.filter(pk=outsider.pk).get()
    inactive.is_active = False
    for person in [admin, staff, organiser, member, outsider, inactive, AnonymousUser(), None]:
        expected = sorted(Channel.objects.readable_by(person).values_list("pk", flat=True))
        assert sorted(readable_channel_ids(person)) == expected


def test_the_api_pages_with_next_and_cursor_in_a_fixed_number_of_queries(
    api_client, general, member, django_assert_max_num_queries
):
    for n in range(12):
        message = message_actions.send_message(actor=member, channel=general, text=f"rota swap {n}")
        message_actions.add_reaction(actor=member, message=message, emoji="👍")
    handle = handle_for(member)
    client = api_client(member)
    client.get("/api/v1/search?q=rota")  # the first call records the token's use
    with django_assert_max_num_queries(8):
        first = client.get("/api/v1/search?q=rota&limit=10").json()
    assert len(first["results"]) == 10 and first["results"][0]["message"]["reactions"][0]["count"] == 1
    assert first["results"][0]["message"]["author"]["handle"] == handle
    rest = client.get(f"/api/v1/search?q=rota&limit=10&cursor={first['next']}").json()
    assert [r["message"]["text"] for r in rest["results"]] == ["rota swap 1", "rota swap 0"] and rest["next"] is None


def test_the_search_page_loads_more_results_in_place(client, general, member):
    for n in range(55):
        message_actions.send_message(actor=member, channel=general, text=f"canvass <b>door</b> knock {n}")
    client.force_login(member)
    html = client.get("/chat/search/", {"q": "canvass"}).content.decode()
    assert html.count('class="snippet"') == 50 and "Load more results" in html
    assert "<mark>canvass</mark> &lt;b&gt;door&lt;/b&gt; knock" in html and "<b>door" not in html
    cursor = search_page(member, "canvass").next
    more = client.get("/chat/search/", {"q": "canvass", "cursor": cursor}, headers={"HX-Request": "true"})
    fragment = more.content.decode()
    assert fragment.count('class="snippet"') == 5 and "Load more results" not in fragment and "<html" not in fragment
    plain = client.get("/chat/search/", {"q": "canvass", "cursor": cursor}).content.decode()  # without JavaScript
    assert plain.count('class="snippet"') == 5 and "Back to the newest" in plain


def test_postgres_walks_a_narrow_channel_and_restores_the_planner_setting(general, member):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    message_actions.send_message(actor=member, channel=general, text="tenants union")
    statement = hits_sql(member, parse("in:#general tenants"), 51, (None, None))
    assert statement.walk
    assert [m.text for m, _ in search(member, "in:#general tenants")[1]] == ["tenants union"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone()[0] == "on"
