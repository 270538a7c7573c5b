"""In the browser: presence dots follow a DM partner and a channel's members live; the composer suggests handles
and groups after "@" and is usable with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from leveller.chat import presence
from leveller.chat.actions import channels as channel_actions
from leveller.groups.actions import groups
from leveller.groups.models import Kind
from tests.support.personas import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_presence():
    presence.store().clear()
    yield
    presence.store().clear()


def connected(page):
    expect(page.locator("html[data-realtime='open']")).to_have_count(1)
    return page


def test_a_dm_partners_dot_and_a_member_lists_labels_follow_them_live(new_page, pair, axe):
    ann, ben, channel = pair
    dm = channel_actions.open_dm(actor=ann, members=[ben])
    a = new_page(ann)
    a.goto(f"/chat/c/{dm.pk}/")
    connected(a)
    partner = a.locator(f"#chat-sidebar [data-presence='{ben.pk}']")
    expect(partner.locator(".presence-label")).to_have_text("away")

    b = new_page(ben)
    b.goto("/chat/")
    connected(b)
    expect(partner).to_have_attribute("data-active", "1")
    expect(partner.locator(".presence-label")).to_have_text("active")
    b.close()
    expect(partner.locator(".presence-label")).to_have_text("away")

    a.goto(f"/chat/c/{channel.pk}/settings/")
    connected(a)
    listed = a.locator(f"[data-presence-watch] [data-presence='{ben.pk}'] .presence-label")
    expect(listed).to_have_text("away")
    b = new_page(ben)
    b.goto("/chat/")
    connected(b)
    expect(listed).to_have_text("active")
    axe(a)


def test_the_composer_suggests_people_and_groups_and_inserts_with_the_keyboard(new_page, pair, axe):
    ann, _, channel = pair
    staff = make_member("Stella Staff", "staff@example.org", roles=["staff"], password=None)
    groups.create_group(actor=staff, name="Brent", kind=Kind.LOCAL, districts="NW10", organiser=ann)
    page = new_page(ann, viewport={"width": 360, "height": 740})
    page.goto(f"/chat/c/{channel.pk}/")
    connected(page)
    composer = page.get_by_label("Message #general")
    composer.focus()
    page.keyboard.type("Hello @be")
    options = page.get_by_role("listbox", name="Mention suggestions").get_by_role("option")
    expect(options.first).to_contain_text("Ben Reader")
    axe(page)
    page.keyboard.press("Enter")
    expect(composer).to_have_value("Hello @ben.reader ")
    page.keyboard.type("and @bre")
    expect(options.first).to_contain_text("Brent (group, 1 member)")
    page.keyboard.press("Tab")
    page.keyboard.type("see you at 7")
    expect(composer).to_have_value("Hello @ben.reader and @brent see you at 7")
    page.keyboard.press("Enter")
    message = page.locator("#messages .message").last
    expect(message.locator(".mention")).to_have_count(2)
