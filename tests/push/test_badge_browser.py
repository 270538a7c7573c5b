"""The unread count in the tab title and on the app's icon (the Badging API): Ben's open tab shows "(1) …" and
sets the badge to 1 when Ann mentions him, and clears both when he reads the channel on another device, from
the events alone (issue #16: "Unread count in the tab title and as an app badge")."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.chat.handles import handle_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Headless Chromium has no app icon to badge: record what the page asks of the Badging API instead.
RECORD_BADGE = """
window.__badges = [];
Object.defineProperty(Navigator.prototype, "setAppBadge", { configurable: true,
  value: function (n) { window.__badges.push(n); return Promise.resolve(); } });
Object.defineProperty(Navigator.prototype, "clearAppBadge", { configurable: true,
  value: function () { window.__badges.push(0); return Promise.resolve(); } });
"""


def test_bens_tab_title_and_app_badge_count_his_unread_mentions(new_page, pair):
    ann, ben, channel = pair
    page = new_page(ben)
    page.context.add_init_script(RECORD_BADGE)
    page.goto("/chat/threads/")
    expect(page.locator("html[data-realtime='open']")).to_have_count(1)
    page.wait_for_function("() => window.__badges.length > 0")  # the count on opening: none
    assert set(page.evaluate("window.__badges")) == {0}
    title = page.title()
    assert not re.match(r"^\(\d+\) ", title)

    message_actions.send_message(actor=ann, channel=channel, text=f"@{handle_for(ben)} can you chair on Thursday?")
    expect(page).to_have_title("(1) " + title)
    page.wait_for_function("() => window.__badges[window.__badges.length - 1] === 1")

    message_actions.send_message(actor=ann, channel=channel, text=f"@{handle_for(ben)} and take minutes?")
    expect(page).to_have_title("(2) " + title)
    page.wait_for_function("() => window.__badges[window.__badges.length - 1] === 2")

    state_actions.mark_read(actor=ben, channel=channel)  # read on his phone
    expect(page).to_have_title(title)
    page.wait_for_function("() => window.__badges[window.__badges.length - 1] === 0")
