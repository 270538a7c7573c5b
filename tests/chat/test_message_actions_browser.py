"""A message's actions: on a desktop its bar shows on hover or keyboard focus (and hides again); on a touch phone
(360x740) a long press on the message opens its action menu, while a tap or a scroll does not (issue #16,
"message actions on hover/focus and a long-press menu on touch")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from leveller.chat.actions import messages as message_actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def open_channel(new_page, member, channel, **options):
    page = new_page(member, **options)
    page.goto(f"/chat/c/{channel.pk}/")
    expect(page.locator("html[data-realtime='open']")).to_have_count(1)
    return page


def centre_of(locator) -> dict:
    box = locator.bounding_box()
    return {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}


def touch(page, points, *, hold_ms: int, move_to: dict | None = None) -> None:
    """One finger down on `points`, (optionally) dragged to `move_to`, held for `hold_ms`, then lifted: real touch
    events through the DevTools protocol, as a phone's screen sends them."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [points]})
    if move_to is not None:
        for step in range(1, 5):
            x = points["x"] + (move_to["x"] - points["x"]) * step / 4
            y = points["y"] + (move_to["y"] - points["y"]) * step / 4
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    page.wait_for_timeout(hold_ms)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_ann_long_presses_bens_message_on_her_phone_and_gets_its_menu(new_page, pair, axe):
    ann, ben, channel = pair
    message_actions.send_message(actor=ben, channel=channel, text="Leafleting at the market on Saturday, 10am")
    message_actions.send_message(actor=ben, channel=channel, text="Bring a flask, it will be cold")
    page = open_channel(new_page, ann, channel, viewport=PHONE, has_touch=True, is_mobile=True)
    assert page.evaluate("matchMedia('(hover: none)').matches")  # a touch screen: no hover bar
    first, second = page.locator("#messages article.message").all()
    menu = first.locator(".action-menu")
    more = first.get_by_role("button", name="More actions")

    # A quick tap on the text, and a finger that scrolls, open nothing.
    touch(page, centre_of(first.locator(".message-body")), hold_ms=60)
    page.wait_for_timeout(600)
    expect(menu).to_be_hidden()
    start = centre_of(first.locator(".message-body"))
    touch(page, start, hold_ms=700, move_to={"x": start["x"], "y": start["y"] - 60})
    expect(menu).to_be_hidden()

    # Holding the finger still for a moment opens the message's menu, and lifting it leaves the menu open.
    touch(page, centre_of(first.locator(".message-body")), hold_ms=800)
    expect(menu).to_be_visible()
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("button", name="Reply in thread")).to_be_visible()
    expect(menu.get_by_role("button", name="Report")).to_be_visible()  # Ben's message: Ann may report it
    expect(menu.get_by_role("button", name="Edit")).to_be_hidden()  # but not edit it
    expect(second.locator(".action-menu")).to_be_hidden()
    axe(page)

    # A tap on one of its items does what it says.
    page.touchscreen.tap(**centre_of(menu.get_by_role("button", name="React with thumbs up")))
    expect(page.locator("#messages article.message").first.locator(".reaction")).to_contain_text("👍 1")

    # Long-pressing the other message opens its menu; a tap elsewhere closes it.
    touch(page, centre_of(second.locator(".message-body")), hold_ms=800)
    expect(second.locator(".action-menu")).to_be_visible()
    page.touchscreen.tap(180, 120)
    expect(second.locator(".action-menu")).to_be_hidden()
    expect(second.get_by_role("button", name="More actions")).to_have_attribute("aria-expanded", "false")


def test_on_a_desktop_a_messages_actions_show_on_hover_and_on_keyboard_focus(new_page, pair):
    ann, ben, channel = pair
    message_actions.send_message(actor=ben, channel=channel, text="Who can chair on Thursday?")
    message_actions.send_message(actor=ben, channel=channel, text="And take minutes?")
    page = open_channel(new_page, ann, channel, viewport=DESKTOP)
    first, second = page.locator("#messages article.message").all()
    bar = first.locator(".action-bar")
    expect(bar).to_be_hidden()  # out of the way until wanted
    expect(second.locator(".action-bar")).to_be_hidden()

    first.locator(".message-body").hover()
    expect(bar).to_be_visible()
    for name in ("Add a reaction", "Reply in thread", "More actions"):
        expect(bar.get_by_role("button", name=name)).to_be_visible()
    page.mouse.move(5, 795)
    expect(bar).to_be_hidden()

    # The keyboard: the list, Up to a message, Tab to its actions.
    page.locator("#messages").focus()
    page.keyboard.press("ArrowUp")
    expect(second).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(first).to_be_focused()
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.action-bar')"):
            break
    expect(bar).to_be_visible()
    expect(first.get_by_role("button", name="Add a reaction")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Choose an emoji")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Choose an emoji")).to_be_hidden()
    expect(first.get_by_role("button", name="Add a reaction")).to_be_focused()  # back where it was opened
    expect(bar).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(first.get_by_role("button", name="More actions")).to_be_focused()
    page.keyboard.press("Enter")
    expect(first.locator(".action-menu")).to_be_visible()
    page.keyboard.press("Escape")
    expect(first.locator(".action-menu")).to_be_hidden()
    expect(first.get_by_role("button", name="More actions")).to_be_focused()  # focus comes back
    expect(bar).to_be_visible()
