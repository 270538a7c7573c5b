"""`@<group-slug>` mentions a group's members: only its own members and staff may use it, and only members who
can read the channel are notified. Anyone else's group mention is plain text and notifies nobody."""

from __future__ import annotations

import pytest

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.handles import handle_for
from leveller.chat.models import Notification
from leveller.groups.actions import groups
from leveller.groups.models import Kind
from tests.support.personas import make_member


@pytest.fixture
def gina(db):
    return make_member("Gina Groupie", "gina@example.org")


@pytest.fixture
def brent(staff, organiser, member, gina):
    """An approved local group: organiser organises it; member and gina are in it; outsider and staff are not."""
    group = groups.create_group(actor=staff, name="Brent", kind=Kind.LOCAL, districts="NW10", organiser=organiser)
    groups.join_group(actor=member, group=group)
    groups.join_group(actor=gina, group=group)
    return group


def notified(message) -> set[int]:
    return set(Notification.objects.filter(message=message).values_list("member_id", flat=True))


def test_a_group_member_mentions_their_group_in_a_public_channel(brent, general, member, organiser, gina, outsider):
    message = message_actions.send_message(actor=member, channel=general, text="@brent meeting at 7, who is coming?")
    assert '<span class="mention" data-handle="brent">@brent</span>' in message.html
    assert notified(message) == {organiser.pk, gina.pk}  # not the author, never the outsider


def test_in_a_private_channel_only_group_members_who_can_read_it_are_notified(brent, secret, organiser, member, gina):
    message = message_actions.send_message(actor=organiser, channel=secret, text="@brent the list is ready")
    assert notified(message) == {member.pk}  # gina is in Brent but not in #data-team


def test_someone_outside_the_group_cannot_mention_it(brent, general, outsider):
    channel_actions.add_channel_member(actor=outsider, channel=general, member=outsider)
    message = message_actions.send_message(actor=outsider, channel=general, text="hey @brent look at my thing")
    assert "mention" not in message.html and "@brent" in message.html
    assert notified(message) == set()


def test_staff_may_mention_any_approved_group(brent, general, staff, organiser, member, gina):
    channel_actions.add_channel_member(actor=staff, channel=general, member=staff)
    message = message_actions.send_message(actor=staff, channel=general, text="@brent thank you all")
    assert notified(message) == {organiser.pk, member.pk, gina.pk}


def test_a_proposed_group_cannot_be_mentioned_even_by_its_proposer(general, member):
    groups.propose_group(actor=member, name="Croydon", kind=Kind.LOCAL, districts="CR0")
    message = message_actions.send_message(actor=member, channel=general, text="@croydon anyone?")
    assert "mention" not in message.html and notified(message) == set()


def test_bots_and_webhooks_cannot_mention_groups(brent, general):
    message = message_actions.send_message(actor=None, channel=general, text="@brent deploy finished", bot_name="CI")
    assert "mention" not in message.html and notified(message) == set()


def test_a_group_mention_added_by_an_edit_notifies_then(brent, general, member, organiser, gina):
    message = message_actions.send_message(actor=member, channel=general, text="meeting at 7")
    message_actions.edit_message(actor=member, message=message, text="meeting at 7 @brent")
    assert notified(message) == {organiser.pk, gina.pk}


def test_deactivated_group_members_are_not_notified(brent, general, member, organiser, gina):
    gina.is_active = False
    gina.save(update_fields=["is_active"])
    message = message_actions.send_message(actor=member, channel=general, text="@brent hello")
    assert notified(message) == {organiser.pk}


def test_a_member_handle_wins_over_a_group_of_the_same_name(brent, general, member):
    person = make_member("Brent", "brent-the-person@example.org")
    assert handle_for(person) == "brent"
    message = message_actions.send_message(actor=member, channel=general, text="@brent hello")
    assert notified(message) == {person.pk}


def test_the_composer_suggests_groups_only_to_those_who_may_mention_them(client, brent, general, member, outsider):
    client.force_login(member)
    results = client.get(f"/chat/c/{general.pk}/mentions/?q=bre").json()["results"]
    assert {"handle": "brent", "label": "Brent (group, 3 members)", "kind": "group"} in results
    client.force_login(outsider)
    assert client.get(f"/chat/c/{general.pk}/mentions/?q=bre").json()["results"] == []


def test_suggestions_in_a_private_channel_are_its_members_and_outsiders_get_404(client, secret, member, gina, outsider):
    client.force_login(member)
    handles = [r["handle"] for r in client.get(f"/chat/c/{secret.pk}/mentions/?q=").json()["results"]]
    assert handle_for(gina) not in handles and "olu.organiser" in handles
    client.force_login(outsider)
    assert client.get(f"/chat/c/{secret.pk}/mentions/?q=").status_code == 404
