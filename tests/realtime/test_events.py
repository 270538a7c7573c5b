"""Every event an action publishes matches its schema in leveller/realtime/events.py, and docs/realtime.md lists
exactly the event types there are (after Zulip's test_events.py: do the thing, capture what went out, check it).

The whole suite checks every payload it publishes too (LEVELLER_CHECK_EVENTS, set in tests/conftest.py); these
tests name the actions and the types they must send, so a type that stops being sent is noticed as well.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.realtime import events
from leveller.realtime.models import Event
from tests.support.personas import make_member

pytestmark = pytest.mark.django_db(transaction=False)
DOC = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"


class Captured(list):
    def types(self) -> set[str]:
        return {event.type for event in self}


@contextlib.contextmanager
def capture():
    """The events published inside the block, each already validated against its schema."""
    mark = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    captured = Captured()
    yield captured
    for event in Event.objects.filter(id__gt=mark).order_by("id"):
        events.validate(event.type, event.payload)  # raises pydantic.ValidationError on a stray or missing key
        captured.append(event)


@pytest.fixture
def ann(db):
    return make_member("Ann Organiser", "ann@example.org", roles=["organiser"], password=None)


@pytest.fixture
def ben(db):
    return make_member("Ben Member", "ben@example.org", password=None)


@pytest.fixture
def room(ann, ben):
    channel = channel_actions.create_channel(actor=ann, name="general")
    channel_actions.add_channel_member(actor=ben, channel=channel, member=ben)
    return channel


def test_joining_and_leaving_a_channel_publish_member_events(ann, ben, room):
    with capture() as sent:
        channel_actions.remove_channel_member(actor=ben, channel=room, member=ben)
        channel_actions.add_channel_member(actor=ben, channel=room, member=ben)
    assert sent.types() == {"channel.member_left", "channel.member_joined"}
    own = [e for e in sent if e.type == "channel.member_joined" and e.stream == f"user-{ben.pk}"]
    assert own and own[0].payload["sidebar_row"]


def test_a_conversation_publishes_message_reaction_and_read_events(ann, ben, room):
    with capture() as sent:
        first = message_actions.send_message(actor=ann, channel=room, text="Hello @ben, meeting at 7?")
        reply = message_actions.send_message(actor=ben, channel=room, text="Yes", thread=first)
        message_actions.edit_message(actor=ann, message=first, text="Hello, meeting at 7:30?")
        message_actions.add_reaction(actor=ben, message=first, emoji="👍")
        message_actions.remove_reaction(actor=ben, message=first, emoji="👍")
        message_actions.pin_message(actor=ann, message=first)
        state_actions.mark_read(actor=ben, channel=room)
        state_actions.follow_thread(actor=ann, thread=first)
        state_actions.mark_thread_read(actor=ann, thread=first)
        message_actions.delete_message(actor=ben, message=reply)
    assert {
        "message.created",
        "message.updated",
        "message.deleted",
        "reaction.added",
        "reaction.removed",
        "channel.read",
        "thread.followed",
    } <= sent.types()


def test_channel_changes_and_reports_publish_their_events(ann, ben, room, staff):
    with capture() as sent:
        channel_actions.update_channel(actor=ann, channel=room, topic="Meetings")
        state_actions.set_notification_level(actor=ben, channel=room, level="mentions")
        channel_actions.set_my_section(actor=ben, channel=room, section="campaigns")
        message = message_actions.send_message(actor=ann, channel=room, text="Something rude")
        state_actions.report_message(actor=ben, message=message, reason="Rude")
    assert {"channel.updated", "sidebar.changed", "report.created"} <= sent.types()


def test_a_mention_in_a_dm_publishes_a_notification(ann, ben):
    dm = channel_actions.open_dm(actor=ann, members=[ben])
    with capture() as sent:
        message_actions.send_message(actor=ann, channel=dm, text="Are you free?")
    assert "notification.created" in sent.types()


def test_a_profile_change_publishes_profile_updated(ben):
    from leveller.accounts.actions import members as members_actions

    with capture() as sent:
        members_actions.update_profile(actor=ben, member=ben, pronouns="he/him")
    assert sent.types() == {"profile.updated"}


def test_a_new_or_removed_picture_publishes_profile_updated_with_its_url(ben, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from leveller.accounts.actions import avatar as avatar_actions

    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (9, 99, 199)).save(out, "PNG")
    with capture() as sent:
        avatar_actions.set_avatar(actor=ben, upload=SimpleUploadedFile("ben.png", out.getvalue(), "image/png"))
        avatar_actions.remove_avatar(actor=ben)
    assert [e.type for e in sent] == ["profile.updated", "profile.updated"]
    assert sent[0].payload["avatar_url"].endswith(".webp") and sent[1].payload["avatar_url"] is None


def test_group_membership_changes_publish_group_events(staff, ann, ben):
    from leveller.groups.actions import groups as groups_actions

    group = groups_actions.create_group(actor=staff, name="Brent Left", kind="local", districts=["NW10"], organiser=ann)
    with capture() as sent:
        groups_actions.join_group(actor=ben, group=group)
        groups_actions.set_group_role(actor=ann, group=group, member=ben, role="organiser")
        groups_actions.leave_group(actor=ben, group=group)
    assert {"group.member_joined", "group.role_changed", "group.member_left"} <= sent.types()


def test_a_payload_with_a_field_not_in_the_catalogue_is_refused():
    with pytest.raises(ValueError):
        events.validate("channel.member_left", {"channel_id": 1, "member_id": 2, "secret": "x"})
    with pytest.raises(KeyError):
        events.validate("no.such.type", {})


def test_publishing_an_unknown_type_fails_where_it_is_sent(db):
    from leveller.realtime.publish import publish

    with pytest.raises(ValueError, match="is not in the catalogue"):
        publish(streams=["user-1"], type="made.up", payload={})


def test_the_docs_table_lists_exactly_the_event_types():
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", DOC.read_text(), re.MULTILINE))
    assert documented == set(events.EVENTS)
