"""The chat pushes besides mentions: a direct message, and a reply in a thread the member follows (and not in one
she does not); a conversation is one notification, updated rather than repeated."""

from __future__ import annotations

import pytest

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.push.models import PushMessage
from tests.push.test_push import channel, sent, subscribe  # noqa: F401 - fixtures

pytestmark = [pytest.mark.django_db]


def test_a_direct_message_is_one_push_with_who_wrote_what_and_where(sent, organiser, member, run_on_commit):  # noqa: F811
    subscribe(member)
    dm = channel_actions.open_dm(actor=organiser, members=[member])
    with run_on_commit():
        message = message_actions.send_message(actor=organiser, channel=dm, text="Can you  do Saturday?")
    assert len(sent) == 1
    _endpoint, payload, headers = sent[0]
    assert payload["title"] == "Olu Organiser"
    assert payload["body"] == "Can you do Saturday?"
    assert payload["url"] == f"/chat/m/{message.pk}/"
    assert payload["tag"] == headers["Topic"] == f"channel-{dm.pk}"


def test_a_second_direct_message_updates_the_same_notification(sent, organiser, member, run_on_commit):  # noqa: F811
    subscribe(member)
    dm = channel_actions.open_dm(actor=organiser, members=[member])
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=dm, text="Can you do Saturday?")
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=dm, text="Or Sunday?")
    assert [payload["tag"] for _, payload, _ in sent] == [f"channel-{dm.pk}", f"channel-{dm.pk}"]
    assert sent[-1][1]["title"] == "Olu Organiser (2 new)" and sent[-1][1]["body"] == "Or Sunday?"
    assert PushMessage.objects.filter(member=member).count() == 1


def test_a_reply_in_a_thread_she_follows_is_pushed(sent, channel, organiser, member, run_on_commit):  # noqa: F811
    subscribe(member)
    root = message_actions.send_message(actor=organiser, channel=channel, text="Leaflets for Saturday")
    state_actions.follow_thread(actor=member, thread=root)
    with run_on_commit():
        reply = message_actions.send_message(actor=organiser, channel=channel, text="Boxes are in", thread=root)
    assert len(sent) == 1
    _endpoint, payload, headers = sent[0]
    assert payload["title"] == f"Olu Organiser replied in a thread in {channel}"
    assert payload["body"] == "Boxes are in" and payload["url"] == f"/chat/m/{reply.pk}/"
    assert payload["tag"] == headers["Topic"] == f"thread-{root.pk}"


def test_a_reply_in_a_thread_she_does_not_follow_is_not_pushed(sent, channel, organiser, member, run_on_commit):  # noqa: F811
    subscribe(member)
    root = message_actions.send_message(actor=organiser, channel=channel, text="Leaflets for Saturday")
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=channel, text="Boxes are in", thread=root)
    assert sent == []
    assert not PushMessage.objects.filter(member=member).exists()
