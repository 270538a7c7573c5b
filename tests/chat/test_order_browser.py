"""Two posts committed out of id order (PostgreSQL: the first post's transaction commits after the second's)
show on an open channel page in id order, as they do after a reload."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from playwright.sync_api import expect

from leveller.chat.actions import messages as message_actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_posts_committed_out_of_id_order_show_in_id_order_on_an_open_page(new_page, pair):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite commits one writer at a time, in id order")
    ann, ben, channel = pair
    page = new_page(ben)
    page.goto(f"/chat/c/{channel.pk}/")
    expect(page.locator("html[data-realtime='open']")).to_have_count(1)
    written, go, first = threading.Event(), threading.Event(), {}

    def slow_post():
        try:
            with transaction.atomic():
                first["message"] = message_actions.send_message(
                    actor=ann, channel=channel, text="First, committed last"
                )
                written.set()
                go.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_post)
    thread.start()
    assert written.wait(10)
    second = message_actions.send_message(actor=ben, channel=channel, text="Second, committed first")
    expect(page.locator("#messages")).to_contain_text("Second, committed first")
    go.set()
    thread.join(10)
    assert first["message"].pk < second.pk
    expect(page.locator("#messages .message")).to_have_count(2)
    ids = page.locator("#messages .message").evaluate_all("rows => rows.map(r => Number(r.dataset.messageId))")
    assert ids == [first["message"].pk, second.pk]
