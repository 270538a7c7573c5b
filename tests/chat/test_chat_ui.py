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
