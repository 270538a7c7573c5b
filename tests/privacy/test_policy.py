"""The admins' policy for an erased member's messages: kept as "Former member" unless they asked (the default),
always kept, or always deleted; set only by admins, audited, and told to members on the erasure form."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leveller.chat.models import Message
from leveller.core.models import AuditEntry
from leveller.privacy import policy
from leveller.privacy.actions import erasure as erasure_actions
from leveller.privacy.actions import policy as policy_actions
from leveller.privacy.models import MessagesOnErasure

pytestmark = pytest.mark.django_db


def _erase(history, *, asked: bool) -> Message:
    erasure_actions.erase_member(actor=None, member=history.alice, delete_content=asked)
    return Message.objects.get(pk=history.alice_message.pk)


def test_by_default_messages_are_kept_unless_the_member_asked(history):
    assert policy.current().messages_on_erasure == MessagesOnErasure.ON_REQUEST
    message = _erase(history, asked=False)
    assert message.text == "Rent strike on Tuesday!" and message.author_name == "Former member"


def test_by_default_a_members_request_to_delete_their_messages_is_carried_out(history):
    message = _erase(history, asked=True)
    assert message.deleted and message.text == ""


def test_keep_keeps_their_messages_even_when_they_asked(history, admin):
    policy_actions.set_messages_on_erasure(actor=admin, choice=MessagesOnErasure.KEEP)
    message = _erase(history, asked=True)
    assert message.text == "Rent strike on Tuesday!" and message.author_name == "Former member"
    entry = AuditEntry.objects.get(action="privacy.member_erased")
    assert entry.data["asked_to_delete_content"] is True and entry.data["deleted_content"] is False


def test_delete_deletes_their_messages_text_even_when_they_did_not_ask(history, admin):
    policy_actions.set_messages_on_erasure(actor=admin, choice=MessagesOnErasure.DELETE)
    message = _erase(history, asked=False)
    assert message.deleted and message.text == ""
    assert Message.objects.filter(text=history.bob_channel_text).exists(), "only hers"


def test_only_admins_set_the_policy_and_each_change_is_audited(admin, staff, client):
    with pytest.raises(PermissionDenied):
        policy_actions.set_messages_on_erasure(actor=staff, choice=MessagesOnErasure.DELETE)
    with pytest.raises(ValidationError):
        policy_actions.set_messages_on_erasure(actor=admin, choice="shred")
    client.force_login(staff)
    assert client.get("/manage/privacy/policy/").status_code == 403
    client.force_login(admin)
    assert "Always delete their text" in client.get("/manage/privacy/policy/").content.decode()
    client.post("/manage/privacy/policy/", {"messages_on_erasure": "delete"})
    assert policy.current().messages_on_erasure == "delete" and policy.current().updated_by == admin
    entry = AuditEntry.objects.get(action="privacy.policy_changed")
    assert entry.actor == admin and entry.data == {"messages_on_erasure": "delete", "before": "on_request"}


def test_the_erasure_form_tells_the_member_what_the_policy_does(admin, member, client):
    client.force_login(member)
    assert 'name="delete_content"' in client.get("/settings/data/").content.decode()
    policy_actions.set_messages_on_erasure(actor=admin, choice=MessagesOnErasure.DELETE)
    page = client.get("/settings/data/").content.decode()
    assert 'name="delete_content"' not in page and "is deleted too" in page
    policy_actions.set_messages_on_erasure(actor=admin, choice=MessagesOnErasure.KEEP)
    page = client.get("/settings/data/").content.decode()
    assert 'name="delete_content"' not in page and "keep conversations whole" in page
