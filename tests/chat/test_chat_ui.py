"""What the chat page shows about people and channels without a query: initials avatars with a colour of their
own, group channels by their group's name, and the emoji picker's data, current with the emoji package."""

from __future__ import annotations

import json

import pytest
from django.template import Context, Template

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.fragments import row_html
from leveller.chat.management.commands.chat_emoji import OUT, entries
from leveller.chat.templatetags.chat_ui import avatar_colour, channel_display, channel_title, initials


def test_a_member_without_a_picture_gets_their_initials_in_a_colour_of_their_own():
    assert initials("Ann Author") == "AA"
    assert initials("Mo") == "M"
    assert initials("Jean-Luc Picard") == "JL"
    assert initials("") == "?"
    assert avatar_colour(5) == avatar_colour(5)
    assert len({avatar_colour(n) for n in range(1, 13)}) == 12  # neighbours differ
    assert avatar_colour(None) == 0


@pytest.mark.django_db
def test_a_groups_private_channel_shows_the_groups_name_not_its_slug(organiser):
    group = channel_actions.create_channel(actor=organiser, name="group-eviction-resistance-manchester", private=True)
    general = channel_actions.create_channel(actor=organiser, name="general")
    assert channel_title(group) == "Eviction Resistance Manchester"
    assert channel_display(group) == "Eviction Resistance Manchester"
    assert channel_display(general) == "#general"
    label = Template('{% include "chat/_channel_label.html" %}').render(Context({"channel": group}))
    assert "Eviction Resistance Manchester" in label and "group-eviction" not in label


@pytest.mark.django_db
def test_a_message_row_has_an_avatar_and_no_actions_line_and_is_the_same_for_everyone(organiser, general):
    message = message_actions.send_message(actor=organiser, channel=general, text="Leaflets at **six**")
    html = row_html(message)
    assert 'class="avatar avatar-' in html and ">OO<" in html
    assert "details" not in html  # no "▸ Actions" disclosure on every message
    assert 'aria-label="More actions"' in html
    assert html == row_html(message)  # one rendering for every viewer


def test_the_emoji_data_file_is_the_full_set_from_the_emoji_package():
    committed = json.loads(OUT.read_text(encoding="utf-8"))
    assert committed == entries(), "run: leveller chat_emoji"
    assert len(committed) > 1800
    by_emoji = {e: name for e, name, _ in committed}
    assert by_emoji["✊"] == "raised fist"
    assert committed[0][0] == "😀"  # faces first


def _picture(colour) -> object:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (80, 80), colour).save(out, "PNG")
    return SimpleUploadedFile("me.png", out.getvalue(), "image/png")


@pytest.mark.django_db
def test_a_row_shows_the_authors_picture_when_they_have_one_and_a_new_picture_is_a_new_row(
    organiser, general, settings, tmp_path
):
    from leveller.accounts.actions import avatar as avatar_actions

    settings.MEDIA_ROOT = tmp_path
    message = message_actions.send_message(actor=organiser, channel=general, text="Leaflets at six")
    assert ">OO<" in row_html(message)  # cached now
    avatar_actions.set_avatar(actor=organiser, upload=_picture((10, 120, 40)))
    message.author.refresh_from_db()
    first = message.author.avatar_url
    html = row_html(message)
    assert f'<img class="avatar avatar-picture" src="{first}" alt="" width="36" height="36" loading="lazy"' in html
    assert ">OO<" not in html
    avatar_actions.set_avatar(actor=organiser, upload=_picture((200, 10, 40)))
    message.author.refresh_from_db()
    assert message.author.avatar_url != first and message.author.avatar_url in row_html(message)


@pytest.mark.django_db
def test_the_channel_page_runs_no_more_queries_however_many_authors_have_pictures(
    client, organiser, member, general, settings, tmp_path
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leveller.accounts.actions import avatar as avatar_actions
    from tests.support.personas import make_member

    settings.MEDIA_ROOT = tmp_path
    authors = [organiser, member] + [make_member(f"Author {i}", f"author{i}@example.org") for i in range(4)]
    for author in authors[2:]:
        channel_actions.add_channel_member(actor=author, channel=general, member=author)
    for author in authors:
        message_actions.send_message(actor=author, channel=general, text=f"Hello from {author.display_name}")
    client.force_login(member)
    url = f"/chat/c/{general.pk}/"

    def queries() -> int:
        from django.core.cache import cache

        client.get(url)
        cache.clear()  # rows rendered afresh, not read from the fragment cache
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    without = queries()
    for i, author in enumerate(authors):
        avatar_actions.set_avatar(actor=author, upload=_picture((i * 40, 100, 200)))
    for author in authors:
        message_actions.send_message(actor=author, channel=general, text="And with my picture")
    page = client.get(url).content.decode()
    assert page.count('class="avatar avatar-picture"') == 2 * len(authors)
    assert queries() <= without, without
