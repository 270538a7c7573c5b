"""Two members in two browsers: live posts, thread replies, unread badges, reactions; accessibility at 360 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.queries import welcome_channel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_actions(message):
    """Point at the message and open its "More actions" menu (its bar shows on hover or focus)."""
    message.hover()
    more = message.get_by_role("button", name="More actions")
    if more.get_attribute("aria-expanded") != "true":
        more.click()


def open_channel(new_page, member, channel, **kwargs):
    page = new_page(member, **kwargs)
    page.goto(f"/chat/c/{channel.pk}/")
    expect(page.locator("html[data-realtime='open']")).to_have_count(1)
    return page


def test_posts_threads_unread_badges_and_reactions_arrive_live(new_page, pair):
    ann, ben, channel = pair
    a = open_channel(new_page, ann, channel)
    b = open_channel(new_page, ben, channel)

    # A posts; B sees it without reloading.
    a.get_by_label("Message #general").fill("Door-knocking on Elm Street at 6pm?")
    a.get_by_label("Message #general").press("Enter")
    expect(b.locator("#messages")).to_contain_text("Door-knocking on Elm Street at 6pm?")
    expect(a.locator("#messages .message")).to_have_count(1)  # never duplicated by its own event

    # B replies in a thread; A's message shows the reply and A's Threads badge appears.
    message = b.locator("#messages .message").first
    open_actions(message)
    message.get_by_role("button", name="Reply in thread").click()
    b.get_by_role("textbox", name="Reply in thread").fill("Count me in")
    b.get_by_role("textbox", name="Reply in thread").press("Enter")
    expect(b.locator("#thread-replies")).to_contain_text("Count me in")
    expect(a.locator("#messages")).to_contain_text("1 reply")
    expect(a.locator("[data-badge='threads']")).to_contain_text("1")

    # B posts in #welcome; A's unread badge for #welcome updates live.
    message_actions.send_message(actor=ben, channel=welcome_channel(), text="Hello from Ben")
    expect(a.locator(f"[data-channel-link='{welcome_channel().pk}'] [data-badge]")).to_contain_text("1")

    # B reacts; A sees it.
    expect(b.locator("#messages")).to_contain_text("1 reply")
    message = b.locator("#messages .message").first
    open_actions(message)
    message.get_by_role("button", name="React with raised fist").click()
    expect(a.locator("#messages .reaction")).to_contain_text("✊ 1")


def test_the_channel_page_is_accessible_and_usable_at_360px_with_the_keyboard(new_page, pair, axe):
    ann, ben, channel = pair
    root = message_actions.send_message(actor=ben, channel=channel, text="Welcome to **#general**")
    message_actions.send_message(actor=ann, channel=channel, text="Thanks!", thread=root)
    page = open_channel(new_page, ann, channel, viewport={"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe(page)
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Enter")
    composer = page.get_by_label("Message #general")
    composer.focus()
    page.keyboard.type("Typed with the keyboard alone")
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("Typed with the keyboard alone")
    page.goto(f"/chat/c/{channel.pk}/?thread={root.pk}")
    expect(page.locator("#thread-replies")).to_contain_text("Thanks!")
    axe(page)
    message_actions.send_message(actor=ben, channel=welcome_channel(), text="Hi, I'm Ben from Hull")
    for path in [
        "/chat/",
        "/",
        "/chat/browse/",
        "/chat/threads/",
        "/chat/search/?q=welcome",
        "/chat/notifications/",
        "/chat/new/",
    ]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        axe(page)


def test_search_loads_more_results_in_place_and_opens_one_in_context(new_page, pair, axe):
    ann, _, channel = pair
    for n in range(60):
        message_actions.send_message(actor=ann, channel=channel, text=f"Leaflet drop number {n} <b>bold?</b>")
    page = new_page(ann, viewport={"width": 360, "height": 800})
    page.goto("/chat/search/?q=leaflet")
    results = page.locator(".search-results .snippet")
    expect(results).to_have_count(50)
    axe(page)
    page.get_by_role("link", name="Load more results").click()
    expect(results).to_have_count(60)
    expect(page.get_by_role("link", name="Load more results")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/chat/search/\?q=leaflet$"))  # appended in place, not a new page
    expect(results.last).to_contain_text("Leaflet drop number 0 <b>bold")  # shown as text, never as markup
    expect(page.locator(".search-results .snippet b")).to_have_count(0)
    page.locator(".search-results li a").last.click()
    expect(page.locator("#messages")).to_contain_text("Leaflet drop number 0")


def count_requests(page) -> list[str]:
    """Every HTTP request the page makes from now on (websocket frames are not requests)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(f"{request.method} {request.url}"))
    return seen


def test_a_post_an_edit_a_reaction_and_a_delete_reach_the_other_browser_without_a_single_request(new_page, pair):
    ann, ben, channel = pair
    a = open_channel(new_page, ann, channel)
    b = open_channel(new_page, ben, channel)
    b.wait_for_load_state("networkidle")
    requests = count_requests(b)

    mine = message_actions.send_message(actor=ann, channel=channel, text="Leaflets are in the office")
    row = b.locator(f"#m-{mine.pk}")
    expect(row).to_contain_text("Leaflets are in the office")
    message_actions.edit_message(actor=ann, message=mine, text="Leaflets are in the **back** office")
    expect(row.locator(".message-body strong")).to_have_text("back")
    expect(row).to_contain_text("(edited)")
    message_actions.add_reaction(actor=ann, message=mine, emoji="🎉")
    expect(row.locator(".reaction")).to_contain_text("🎉 1")
    expect(row.locator(".reaction")).to_have_attribute("aria-pressed", "false")  # Ann's, not Ben's
    gone = message_actions.send_message(actor=ann, channel=channel, text="Typo, ignore")
    expect(b.locator(f"#m-{gone.pk}")).to_have_count(1)
    message_actions.delete_message(actor=ann, message=gone)
    expect(b.locator(f"#m-{gone.pk}")).to_have_count(0)
    b.wait_for_timeout(300)
    assert requests == [], requests

    # The same row for everyone, but only its author is offered Edit and Delete; others may Report.
    theirs = message_actions.send_message(actor=ben, channel=channel, text="I'll collect them")
    for page, own, other in [(a, mine, theirs), (b, theirs, mine)]:
        expect(page.locator(f"#m-{own.pk}")).to_have_count(1)
        expect(page.locator(f"#m-{other.pk}")).to_have_count(1)
        open_actions(page.locator(f"#m-{own.pk}"))
        expect(page.locator(f"#m-{own.pk}").get_by_role("button", name="Edit")).to_be_visible()
        expect(page.locator(f"#m-{own.pk}").get_by_role("button", name="Report")).to_be_hidden()
        open_actions(page.locator(f"#m-{other.pk}"))
        expect(page.locator(f"#m-{other.pk}").get_by_role("button", name="Edit")).to_be_hidden()
        expect(page.locator(f"#m-{other.pk}").get_by_role("button", name="Delete")).to_be_hidden()
        expect(page.locator(f"#m-{other.pk}").get_by_role("button", name="Report")).to_be_visible()
    assert [r for r in requests if "/chat/" in r and "/read/" not in r] == [], requests


def test_reading_reaches_the_members_other_tab_without_a_request(new_page, pair):
    ann, ben, channel = pair
    welcome = welcome_channel()
    channel_actions.add_channel_member(actor=None, channel=welcome, member=ann)
    elsewhere = open_channel(new_page, ann, channel)
    elsewhere.wait_for_load_state("networkidle")
    requests = count_requests(elsewhere)
    message_actions.send_message(actor=ben, channel=welcome, text="Hello @everyone, anyone for leafleting?")
    badge = elsewhere.locator(f"[data-channel-row='{welcome.pk}'] [data-badge]")
    expect(badge).to_contain_text("1")
    # The tab title and app badge count come in the events too (`badge`): the tab does not ask for them.
    elsewhere.wait_for_timeout(400)  # longer than app.js's 150 ms debounce, so a fetch would have been seen
    assert requests == [], requests
    reading = open_channel(new_page, ann, welcome)  # Ann reads #welcome in another tab
    expect(reading.locator("#messages")).to_contain_text("anyone for leafleting")
    expect(badge).to_have_count(0)
    expect(elsewhere).not_to_have_title(re.compile(r"^\(\d+\) "))
    elsewhere.wait_for_timeout(400)
    assert requests == [], requests
