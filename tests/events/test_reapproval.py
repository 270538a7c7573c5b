"""Finding 4: editing an approved member-submitted event sends it back for approval."""

import pytest

from leveller.events.actions import events as event_actions
from leveller.events.models import Event, EventStatus

pytestmark = pytest.mark.django_db


def test_a_member_editing_their_approved_event_sends_it_back_for_approval(
    make_event, group, member, organiser, mailoutbox, run_on_commit
):
    event = make_event(actor=member, group=group, online=True, online_url="https://meet.example.org/ok")
    event_actions.approve_event(actor=organiser, event=event)
    with run_on_commit():
        event_actions.update_event(
            actor=member, event=Event.objects.get(pk=event.pk), title="Free crypto", online_url="https://evil.example"
        )
    event = Event.objects.get(pk=event.pk)
    assert event.status == EventStatus.PENDING
    assert event.decided_by is None
    assert any(m.to == [organiser.email] for m in mailoutbox)
    event_actions.approve_event(actor=organiser, event=event)
    assert Event.objects.get(pk=event.pk).status == EventStatus.PUBLISHED


def test_an_organiser_editing_an_event_keeps_it_published(make_event, group, member, organiser):
    event = make_event(actor=member, group=group)
    event_actions.approve_event(actor=organiser, event=event)
    event_actions.update_event(actor=organiser, event=Event.objects.get(pk=event.pk), title="Better title")
    assert Event.objects.get(pk=event.pk).status == EventStatus.PUBLISHED


def test_the_event_pages_inline_script_carries_the_content_security_policys_nonce(client, make_event, group, member):
    import re

    event = make_event(actor=member, group=group)
    client.force_login(member)
    response = client.get(event.get_absolute_url())
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()
