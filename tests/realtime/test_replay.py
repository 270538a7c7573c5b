"""A resume sends only what the client lacks: it says what it has (`have`) and where its page began (`floor`)."""

from __future__ import annotations

from django.db import transaction

from leveller.realtime.consumer import replay
from leveller.realtime.publish import publish


def _events(n, stream="user-1"):
    with transaction.atomic():
        return [publish(streams=[stream], type="test.ping", payload={"n": i})[0].id for i in range(n)]


def test_a_resume_without_have_replays_the_reorder_window_as_before(db):
    ids = _events(6)
    sent = [e["event_id"] for e in replay({"user-1"}, ids[3])["events"]]
    assert sent == ids  # the last seconds before `after` too (PostgreSQL may commit out of id order)


def test_a_client_that_says_what_it_has_is_sent_only_what_it_lacks(db):
    ids = _events(6)
    have = {ids[0], ids[1], ids[3]}  # it missed ids[2] (committed late), and everything after ids[3]
    sent = [e["event_id"] for e in replay({"user-1"}, ids[3], have)["events"]]
    assert sent == [ids[2], ids[4], ids[5]]


def test_events_from_before_the_clients_page_are_not_replayed(db):
    ids = _events(6)
    sent = [e["event_id"] for e in replay({"user-1"}, ids[3], {ids[3]}, floor=ids[1])["events"]]
    assert sent == [ids[2], ids[4], ids[5]]


def test_a_socket_is_never_given_the_same_event_twice():
    from leveller.realtime.fanout import Outbox

    given = []

    async def send(message):
        given.append(message)

    outbox = Outbox(send, on_overflow=lambda: None)
    outbox.push({"text": "a"}, 7)
    outbox.push({"text": "a"}, 7)  # the late broadcast of an event a catch-up already gave
    outbox.push({"text": "b"}, 9)
    assert [m["text"] for m in given] == ["a", "b"]
    assert outbox.high == 9 and outbox.has(7)
