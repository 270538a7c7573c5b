from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from leveller.chat import actions
from leveller.chat.handles import handle_for
from leveller.chat.models import Message
from leveller.chat.search import parse, search


def texts(member, q):
    return [m.text for m, _ in search(member, q)[1]]


@pytest.fixture
def corpus(general, member, organiser):
    actions.send_message(actor=member, channel=general, text="Rent strike meeting on Tuesday")
    actions.send_message(actor=organiser, channel=general, text="The strike fund reached £2,000")
    actions.send_message(actor=organiser, channel=general, text="Café Bürgerhaus: réunion des locataires à Montréal")
    actions.send_message(actor=member, channel=general, text="Встреча жильцов в четверг")
    actions.send_message(actor=member, channel=general, text="meeting strike rent (different order)")
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
    actions.send_message(actor=organiser, channel=secret, text="strike data export")
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
    message = actions.send_message(actor=member, channel=general, text="leafleting schedule")
    actions.edit_message(actor=member, message=message, text="canvassing schedule")
    assert texts(member, "leafleting") == [] and texts(member, "canvassing") == ["canvassing schedule"]
    actions.set_archived(actor=organiser, channel=general, archived=True)
    assert texts(member, "canvassing") == ["canvassing schedule"]
    actions.delete_message(actor=member, message=message)
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
