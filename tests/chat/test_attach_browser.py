"""Attaching files in the composer the ways people do: the attach button (the system file chooser), pasting an
image, and dropping files on the conversation; each lands in the composer's file list and goes with the post."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from leveller.chat.models import Message
from tests.chat.test_chat_ui_browser import png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = {"timeout": 15_000}

# Build a File in a DataTransfer in the page (as a clipboard or a drag carries it) and fire the event with it.
HAND_OVER = """(target, [how, name, bytes]) => {
  const dt = new DataTransfer();
  dt.items.add(new File([new Uint8Array(bytes)], name, { type: "image/png" }));
  const init = { bubbles: true, cancelable: true };
  const event = how === "paste"
    ? new ClipboardEvent("paste", { ...init, clipboardData: dt })
    : new DragEvent(how, { ...init, dataTransfer: dt });
  target.dispatchEvent(event);
}"""


def open_general(new_page, ann, channel):
    page = new_page(ann)
    page.goto(f"/chat/c/{channel.pk}/")
    expect(page.locator("html[data-realtime='open']")).to_have_count(1, **WAIT)
    return page


def send_and_see(page, ann, text: str, names: list[str]) -> None:
    page.locator("#composer-c").fill(text)
    page.locator("form.composer[data-composer='channel']").get_by_role("button", name="Send").click()
    mine = page.locator("#messages article.message.mine").last
    expect(mine).to_contain_text(text, **WAIT)
    expect(mine.locator(".attachments img")).to_have_count(len(names), **WAIT)
    expect(page.locator("#composer-files-c")).to_be_hidden(**WAIT)  # the files went with the post
    message = Message.objects.get(author=ann, text=text)
    assert sorted(message.attachments.values_list("name", flat=True)) == sorted(names)


def test_the_attach_button_opens_the_file_chooser_and_the_picture_goes_with_the_post(new_page, pair, tmp_path):
    ann, _ben, channel = pair
    page = open_general(new_page, ann, channel)
    picture = tmp_path / "street-stall.png"
    picture.write_bytes(png(64, 48))
    attach = page.locator("form.composer[data-composer='channel'] [data-attach]")
    expect(attach).to_be_visible(**WAIT)
    with page.expect_file_chooser() as chooser:
        attach.click()
    chooser.value.set_files(str(picture))
    expect(page.locator("#composer-files-c")).to_contain_text("street-stall.png", **WAIT)
    expect(page.get_by_role("button", name="Remove street-stall.png")).to_be_visible()
    send_and_see(page, ann, "Our stall today", ["street-stall.png"])


def test_a_pasted_image_and_a_dropped_one_both_go_with_the_post(new_page, pair):
    ann, _ben, channel = pair
    page = open_general(new_page, ann, channel)
    picture = list(png(64, 48))
    page.locator("#composer-c").evaluate(HAND_OVER, ["paste", "pasted.png", picture])
    files = page.locator("#composer-files-c")
    expect(files).to_contain_text("pasted.png", **WAIT)
    page.locator("#messages").evaluate(HAND_OVER, ["drop", "dropped.png", picture])
    expect(files.locator("li")).to_have_count(2, **WAIT)  # added to what was there, not instead of it
    expect(files).to_contain_text("dropped.png")
    send_and_see(page, ann, "Two pictures", ["dropped.png", "pasted.png"])
