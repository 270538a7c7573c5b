"""The chat page as a new member meets it, at 1280x800 and at 360x740, in light and dark mode: the messages get
the room (>= 60% of the window, thread open or not), only the panes scroll, the composer is a few key presses
away, focus comes back to what opened a thread, every target is at least 24x24 CSS px, your own image post is
in view after sending, the emoji picker searches every emoji and remembers, and axe finds nothing serious."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.models import Message
from leveller.chat.queries import welcome_channel
from tests.support.personas import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
SCREENS = os.environ.get("LEVELLER_SCREENSHOTS")  # a directory: the test saves what it saw there


def shot(page, name: str) -> None:
    if SCREENS:
        Path(SCREENS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENS}/{name}.png")


@pytest.fixture
def newcomer(live_server_asgi):
    """Nia has just joined: #welcome has a week of chat, three introductions to greet, a thread; she is in many
    channels (a long sidebar), one of them her local group's private channel."""
    nia = make_member("Nia Newcomer", "nia@example.org", password=None)
    sam = make_member("Sam Steward", "sam@example.org", password=None)
    welcome = welcome_channel()
    for person in (nia, sam):
        channel_actions.add_channel_member(actor=None, channel=welcome, member=person)
    now = timezone.now()
    root = None
    for n in range(24):
        m = message_actions.send_message(
            actor=sam, channel=welcome, text=f"Notice {n}: the **branch meeting** moved to Hall {n}."
        )
        Message.objects.filter(pk=m.pk).update(created_at=now - dt.timedelta(hours=6 * (24 - n)))
        root = root or m
    for n in range(3):
        message_actions.send_message(actor=sam, channel=welcome, text=f"Reply {n}", thread=root)
    for name in ("Ade Joiner", "Bea Joiner", "Cal Joiner"):
        joiner = make_member(name, f"{name.split()[0].lower()}@example.org", password=None)
        channel_actions.add_channel_member(actor=None, channel=welcome, member=joiner)
        message_actions.send_message(
            actor=joiner, channel=welcome, text=f"Hi, I'm {name}, from Leeds. Keen to help with leafleting!"
        )
    for n in range(30):
        channel = channel_actions.create_channel(actor=sam, name=f"campaign-{n:02d}")
        channel_actions.add_channel_member(actor=nia, channel=channel, member=nia)
    group = channel_actions.create_channel(actor=sam, name="group-eviction-resistance-manchester", private=True)
    channel_actions.add_channel_member(actor=sam, channel=group, member=nia)
    return nia, sam, welcome, Message.objects.get(pk=root.pk)


def open_welcome(new_page, nia, welcome, viewport, *, dark=False, query=""):
    page = new_page(nia, viewport=viewport)
    if dark:
        page.emulate_media(color_scheme="dark")
    page.goto(f"/chat/c/{welcome.pk}/{query}")
    expect(page.locator("html[data-realtime='open']")).to_have_count(1)
    return page


def share_of_window(page, selector: str) -> float:
    """How much of the window's height the element shows (the part inside the window)."""
    return page.evaluate(
        """sel => { const r = document.querySelector(sel).getBoundingClientRect();
                    return (Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)) / innerHeight; }""",
        selector,
    )


def page_scrolls(page) -> bool:
    return page.evaluate(
        "document.scrollingElement.scrollHeight > innerHeight + 1 || document.scrollingElement.scrollWidth > innerWidth + 1"
    )


SMALL_TARGETS = """() => {
  // WCAG 2.2 SC 2.5.8: a target is >= 24x24 CSS px, or a 24 px circle on its centre meets no other target.
  // Links inside a sentence (message text, help text) are exempt as the criterion allows.
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  const seen = el => {
    if (el.closest('[inert], [hidden]') || (el.checkVisibility && !el.checkVisibility({visibilityProperty: true}))) return false;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || el.closest('.visually-hidden')) return false;
    const r = el.getBoundingClientRect();
    return r.width > 2 && r.height > 2 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  };
  const inline = el => el.tagName === 'A' && getComputedStyle(el).display === 'inline' && !!el.closest('p, li, .message-body, .snippet, td');
  const all = Array.from(document.querySelectorAll(sel)).filter(seen)
    .filter(el => !(el.tagName === 'SUMMARY' && el.parentElement.matches('.chat-nav') && getComputedStyle(el).display === 'none'));
  const boxes = all.map(el => ({el, r: el.getBoundingClientRect()}));
  const bad = [];
  for (const {el, r} of boxes) {
    if ((r.width >= 24 && r.height >= 24) || inline(el) || el.matches('.message-list, .thread-scroll, [role=log]')) continue;
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    const clash = boxes.some(o => o.el !== el && !o.el.contains(el) && !el.contains(o.el) && (() => {
      const dx = Math.max(o.r.left - cx, 0, cx - o.r.right), dy = Math.max(o.r.top - cy, 0, cy - o.r.bottom);
      return Math.hypot(dx, dy) < 12;
    })());
    if (clash) bad.push((el.getAttribute('aria-label') || el.textContent || el.tagName).trim().slice(0, 40) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
  }
  return bad;
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "360x740"])
def test_welcome_gives_the_messages_the_room_and_only_its_panes_scroll(new_page, newcomer, viewport, axe):
    nia, _sam, welcome, root = newcomer
    size = f"{viewport['width']}x{viewport['height']}"
    for dark in (False, True):
        page = open_welcome(new_page, nia, welcome, viewport, dark=dark)
        mode = "dark" if dark else "light"
        expect(page.locator(".channel-extras")).to_contain_text("Introduce yourself")
        expect(page.locator(".greet summary")).to_contain_text("New joiners")
        assert share_of_window(page, "#messages") >= 0.6, size
        assert not page_scrolls(page), size
        assert page.locator(".site-header").bounding_box()["height"] < 60  # one row, even at 360 px
        assert page.locator("#messages .day-separator").count() >= 5
        expect(page.locator("#messages .avatar").first).to_have_text("SS")
        assert (
            page.evaluate(
                "document.querySelector('.chat-sidebar').scrollHeight > document.querySelector('.chat-sidebar').clientHeight"
            )
            or viewport is PHONE
        )
        assert page.evaluate(SMALL_TARGETS) == [], size
        shot(page, f"welcome-{size}-{mode}")
        axe(page)

        # The welcome card and the joiners to greet open over the list, not in the column.
        page.locator(".greet summary").click()
        expect(page.locator(".greet .popover")).to_contain_text("Bea Joiner")
        assert share_of_window(page, "#messages") >= 0.6
        shot(page, f"welcome-greet-{size}-{mode}")
        axe(page)
        page.keyboard.press("Escape")
        expect(page.locator(".greet .popover")).to_be_hidden()

        # A thread: beside the channel on a wide screen, over it (one composer in view) on a phone.
        page.locator(f"#m-{root.pk} [data-thread-link]").click()
        expect(page.locator("#thread-replies")).to_contain_text("Reply 2")
        expect(page.locator("#thread-title")).to_be_focused()
        if viewport is PHONE:
            assert share_of_window(page, "#thread-scroll") >= 0.6
            in_view = page.evaluate(
                """() => Array.from(document.querySelectorAll('textarea')).filter(t => { const r = t.getBoundingClientRect();
                       return r.width && document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === t; }).map(t => t.id)"""
            )
            assert in_view == ["composer-t"]  # one composer in view: the thread's
            expect(page.locator("#composer-t")).to_be_visible()
        else:
            assert share_of_window(page, "#messages") >= 0.6
            assert share_of_window(page, "#thread-scroll") >= 0.6
        assert not page_scrolls(page)
        assert page.evaluate(SMALL_TARGETS) == [], size
        shot(page, f"welcome-thread-{size}-{mode}")
        axe(page)
        page.get_by_role("link", name="Close thread").click()
        expect(page.locator("#thread-pane")).to_be_empty()
        expect(page.locator(f"#m-{root.pk} [data-thread-link]")).to_be_focused()  # back where it was opened
        page.close()


def test_the_composer_is_three_key_presses_away_and_escape_gives_focus_back(new_page, newcomer):
    nia, _sam, welcome, root = newcomer
    for viewport in (DESKTOP, PHONE):
        page = open_welcome(new_page, nia, welcome, viewport)
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("Skip to main content")
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("Skip to the message composer")
        page.keyboard.press("Enter")
        expect(page.locator("#composer-c")).to_be_focused()
        page.keyboard.type("Hello, I'm Nia from Salford")
        page.keyboard.press("Enter")
        expect(page.locator("#messages")).to_contain_text("Hello, I'm Nia from Salford")

        # Up arrow walks the messages; a message's actions are then a Tab away; Escape shuts the menu.
        page.wait_for_load_state("networkidle")
        page.locator("#messages").focus()
        page.keyboard.press("ArrowUp")
        expect(page.locator("#messages article.message").last).to_be_focused()
        row = page.locator(f"#m-{root.pk}")
        row.hover()
        reply = row.get_by_role("button", name="Reply in thread")
        if viewport is PHONE:
            reply.click()
        else:
            reply.focus()
            page.keyboard.press("Enter")
        expect(page.locator("#composer-t")).to_be_visible()
        page.locator("#composer-t").focus()
        page.keyboard.press("Escape")
        expect(page.locator("#thread-pane")).to_be_empty()
        expect(reply).to_be_focused()
        page.close()


def png(width=640, height=480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (164, 22, 26)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "360x740"])
def test_your_own_image_post_is_in_view_after_sending(new_page, newcomer, viewport, tmp_path):
    nia, _sam, welcome, _root = newcomer
    page = open_welcome(new_page, nia, welcome, viewport)
    page.locator("#messages").evaluate("l => { l.scrollTop = 0; }")  # reading back in history
    picture = tmp_path / "street-stall.png"
    picture.write_bytes(png())
    page.locator("#composer-c").fill("Our stall today")
    page.locator("form.composer[data-composer='channel'] input[type=file]").set_input_files(str(picture))
    expect(page.locator("#composer-files-c")).to_contain_text("street-stall.png")
    page.get_by_role("button", name="Send").click()
    mine = page.locator("#messages article.message.mine").last
    expect(mine.locator(".attachments img")).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('#messages article.mine:last-of-type .attachments img'); return i && i.complete; }"
    )
    page.wait_for_function(  # the whole post, picture loaded, inside the list's window
        """() => { const l = document.getElementById('messages').getBoundingClientRect();
                   const rows = document.querySelectorAll('#messages article.mine'); const r = rows[rows.length - 1].getBoundingClientRect();
                   return r.top >= l.top - 1 && r.bottom <= l.bottom + 1; }""",
        timeout=15_000,  # a loaded CI machine: the check is where the post ends up, not how fast
    )
    expect(page.locator("#composer-files-c")).to_be_hidden()  # the files went with the post


def test_nia_uploads_her_picture_in_settings_and_it_shows_beside_her_messages(
    new_page, newcomer, tmp_path, settings, axe
):
    settings.MEDIA_ROOT = tmp_path
    nia, _sam, welcome, _root = newcomer
    page = new_page(nia, viewport=DESKTOP)
    page.goto("/settings/")
    photo = tmp_path / "nia.png"
    photo.write_bytes(png(400, 300))
    page.get_by_label("Picture file").set_input_files(str(photo))
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_text("Your picture is saved.")).to_be_visible()
    expect(page.get_by_role("img", name="Your current picture")).to_be_visible()
    axe(page)
    page.goto(f"/chat/c/{welcome.pk}/")
    expect(page.locator("html[data-realtime='open']")).to_have_count(1)
    page.locator("#composer-c").fill("Hello, this is my face")
    page.get_by_role("button", name="Send").click()
    mine = page.locator("#messages article.message.mine").last.locator("img.avatar")
    expect(mine).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('#messages article.mine:last-of-type img.avatar');"
        " return i && i.complete && i.naturalWidth === 256; }"
    )
    box = mine.bounding_box()
    assert round(box["width"]) == 36 and round(box["height"]) == 36
    expect(page.locator("#messages article.message:not(.mine) .avatar").first).to_have_text("SS")  # Sam has none


def test_the_emoji_picker_searches_every_emoji_remembers_and_reacts(new_page, newcomer, axe):
    nia, _sam, welcome, _root = newcomer
    for viewport, dark in ((DESKTOP, False), (PHONE, True)):
        page = open_welcome(new_page, nia, welcome, viewport, dark=dark)
        size = f"{viewport['width']}x{viewport['height']}-{'dark' if dark else 'light'}"
        page.get_by_role("button", name="Insert an emoji").first.click()
        picker = page.get_by_role("dialog", name="Choose an emoji")
        expect(picker).to_be_visible()
        assert picker.locator("[data-all-grid] button").count() > 1800  # the full Unicode set
        expect(page.get_by_label("Search emoji")).to_be_focused()
        page.keyboard.type("raised fist")
        expect(picker.locator("[data-all-grid] button:visible").first).to_have_attribute("aria-label", "raised fist")
        shot(page, f"picker-{size}")
        axe(page)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(picker).to_be_hidden()
        expect(page.locator("#composer-c")).to_have_value("✊")
        expect(page.locator("#composer-c")).to_be_focused()  # back to typing, after the emoji
        page.get_by_role("button", name="Insert an emoji").first.click()
        expect(picker.locator("[data-recent-grid] button").first).to_have_attribute("aria-label", "raised fist")
        page.keyboard.press("Escape")
        expect(picker).to_be_hidden()

        # Reacting with any emoji: from the message's bar (or its More menu on a phone).
        row = page.locator("#messages article.message").nth(-1 if viewport is DESKTOP else -2)
        row.hover()
        row.get_by_role("button", name="More actions").click()
        menu = row.locator(".action-menu")
        expect(menu).to_be_visible()
        shot(page, f"menu-{size}")
        assert page.evaluate(SMALL_TARGETS) == []
        axe(page)
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        row.hover()
        row.get_by_role("button", name="Add a reaction").click()
        page.get_by_label("Search emoji").fill("tada")
        picker.locator("[data-all-grid] button:visible").first.click()
        expect(row.locator(".reaction")).to_contain_text("🎉 1")
        expect(row.locator(".reaction")).to_have_attribute("aria-pressed", "true")
        page.close()


def test_private_channels_show_their_names_and_typing_is_announced_once(new_page, newcomer):
    nia, sam, welcome, _root = newcomer
    page = open_welcome(new_page, nia, welcome, DESKTOP)
    expect(page.locator("#chat-sidebar")).to_contain_text("Eviction Resistance Manchester")
    expect(page.locator("#chat-sidebar")).not_to_contain_text("group-eviction")
    expect(page.locator("#typing")).to_have_attribute("aria-hidden", "true")  # not a live region itself
    for _ in range(3):
        page.evaluate(
            "d => document.dispatchEvent(new CustomEvent('leveller:typing', {detail: d}))",
            {"channel_id": welcome.pk, "member_id": sam.pk, "display_name": "Sam Steward", "thread_id": None},
        )
        page.wait_for_timeout(700)
    expect(page.locator("#typing")).to_have_text("Sam Steward is typing…")
    expect(page.locator("#typing-status")).to_have_text("Sam Steward is typing")
    page.wait_for_timeout(4500)
    page.evaluate(
        "d => document.dispatchEvent(new CustomEvent('leveller:typing', {detail: d}))",
        {"channel_id": welcome.pk, "member_id": sam.pk, "display_name": "Sam Steward", "thread_id": None},
    )
    page.wait_for_timeout(2000)
    expect(page.locator("#typing-status")).to_have_text("")  # announced once, not every time


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "360x740"])
def test_every_chat_page_is_accessible_in_light_and_dark_mode_and_never_scrolls_as_a_whole(
    new_page, newcomer, viewport, axe
):
    nia, _sam, welcome, _root = newcomer
    pages = ["/chat/browse/", "/chat/threads/", "/chat/search/?q=notice", "/chat/notifications/", "/chat/new/"]
    pages += ["/chat/dm/", "/chat/preferences/", f"/chat/c/{welcome.pk}/settings/"]
    page = new_page(nia, viewport=viewport)
    for dark in (False, True):
        page.emulate_media(color_scheme="dark" if dark else "light")
        for path in pages:
            page.goto(path)
            assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), path
            assert page.locator(".site-header").bounding_box()["height"] < 60, path
            axe(page)


def test_a_long_code_block_wraps_on_a_phone_so_nothing_needs_sideways_scrolling(new_page, newcomer, axe):
    nia, sam, welcome, _root = newcomer
    line = "docker run --rm -e LEVELLER_SITE_URL=https://members.example.org -v /srv/leveller:/data leveller/leveller"
    message_actions.send_message(actor=sam, channel=welcome, text=f"Run this:\n\n```\n{line} serve\n```")
    page = open_welcome(new_page, nia, welcome, PHONE)
    block = page.locator("#messages .message-body pre").last
    expect(block).to_contain_text("leveller/leveller serve")
    block.scroll_into_view_if_needed()
    assert block.evaluate("pre => pre.scrollWidth <= pre.clientWidth + 1")  # all of it shows, wrapped
    axe(page)  # scrollable-region-focusable: a block that scrolled sideways would need keyboard focus
