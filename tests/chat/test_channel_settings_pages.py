"""The channel settings page and the moderation queue, used the way members use them: forms posted, without
JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.messages import get_messages

from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.chat.models import Channel, ChannelMembership, Message, Report, Webhook


def _flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _post(client, channel, **data):
    return client.post(f"/chat/c/{channel.pk}/settings/", data, follow=True)


def test_olu_renames_his_channel_gives_it_a_topic_and_archives_then_reopens_it(client, organiser, general):
    client.force_login(organiser)
    response = _post(client, general, action="details", name="tenants-union", topic="Rent strike", purpose="Plans")
    assert response.status_code == 200 and "Saved." in _flashes(response)
    general.refresh_from_db()
    assert (general.name, general.topic, general.purpose) == ("tenants-union", "Rent strike", "Plans")

    _post(client, general, action="archive")
    assert Channel.objects.get(pk=general.pk).archived
    _post(client, general, action="unarchive")
    assert not Channel.objects.get(pk=general.pk).archived


def test_a_bad_channel_name_is_explained_on_the_page_and_nothing_changes(client, organiser, general):
    client.force_login(organiser)
    response = _post(client, general, action="details", name="no spaces allowed!")
    assert response.status_code == 200
    assert any("Channel names may use letters" in text for text in _flashes(response))
    assert Channel.objects.get(pk=general.pk).name == "general"


def test_olu_adds_oz_to_the_channel_and_removes_him_again(client, organiser, outsider, general):
    client.force_login(organiser)
    _post(client, general, action="add_member", member_id=outsider.pk)
    assert ChannelMembership.objects.filter(channel=general, member=outsider).exists()
    _post(client, general, action="remove_member", member_id=outsider.pk)
    assert not ChannelMembership.objects.filter(channel=general, member=outsider).exists()


def test_adding_nobody_asks_for_a_member(client, organiser, general):
    client.force_login(organiser)
    response = _post(client, general, action="add_member", member_id="")
    assert "Choose a member to add." in _flashes(response)


def test_mo_may_not_manage_a_channel_he_did_not_make_but_sets_his_own_level_and_section(client, member, general):
    client.force_login(member)
    response = _post(client, general, action="archive")
    assert not Channel.objects.get(pk=general.pk).archived
    assert _flashes(response)  # the refusal is shown, not a crash

    _post(client, general, action="level", level="mentions")
    _post(client, general, action="my_section", section="campaigns")
    membership = ChannelMembership.objects.get(channel=general, member=member)
    assert membership.level == "mentions"
    assert membership.section == "campaigns"


def test_olu_makes_a_webhook_sees_its_address_once_and_revokes_it(client, organiser, general):
    client.force_login(organiser)
    response = client.post(f"/chat/c/{general.pk}/settings/", {"action": "webhook", "name": "CI"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "/hooks/" in page  # the secret address is shown on this response only
    hook = Webhook.objects.get(channel=general)
    assert hook.name == "CI"
    assert "/hooks/" not in client.get(f"/chat/c/{general.pk}/settings/").content.decode()

    _post(client, general, action="revoke_webhook", webhook_id=hook.pk)
    assert Webhook.objects.get(pk=hook.pk).revoked_at is not None


def test_a_webhook_posts_form_encoded_payloads_too_and_refuses_an_empty_text(client, organiser, general):
    client.force_login(organiser)
    response = client.post(f"/chat/c/{general.pk}/settings/", {"action": "webhook", "name": "Builds"})
    secret = response.context["secret"]
    client.logout()

    form = urlencode({"payload": '{"text": "Deployed", "username": "Deploy bot"}'})
    posted = client.post(f"/hooks/{secret}", form, content_type="application/x-www-form-urlencoded")
    assert posted.status_code == 200 and posted.json()["ok"]
    message = Message.objects.get(pk=posted.json()["id"])
    assert (message.text, message.bot_name) == ("Deployed", "Deploy bot")

    empty = client.post(f"/hooks/{secret}", data='{"text": "  "}', content_type="application/json")
    assert empty.status_code == 400 and not empty.json()["ok"]


def test_stella_deletes_a_reported_message_and_the_report_is_resolved(client, staff, organiser, member, general):
    message = message_actions.send_message(actor=organiser, channel=general, text="something awful")
    state_actions.report_message(actor=member, message=message, reason="abusive")
    report = Report.objects.get(message=message)
    client.force_login(staff)
    response = client.post("/chat/moderation/", {"report_id": report.pk, "action": "delete"}, follow=True)
    assert response.status_code == 200 and "Done." in _flashes(response)
    assert not Message.objects.filter(pk=message.pk, deleted_at__isnull=True).exists()
    assert not Report.objects.filter(pk=report.pk, resolved_at__isnull=True).exists()


def test_stella_deactivates_the_author_of_a_reported_message(client, staff, member, outsider, general):
    from leveller.chat.actions import channels as channel_actions

    channel_actions.add_channel_member(actor=outsider, channel=general, member=outsider)
    message = message_actions.send_message(actor=outsider, channel=general, text="spam spam spam")
    state_actions.report_message(actor=member, message=message, reason="spam")
    report = Report.objects.get(message=message)
    client.force_login(staff)
    client.post("/chat/moderation/", {"report_id": report.pk, "action": "deactivate"})
    outsider.refresh_from_db()
    assert not outsider.is_active
    assert Report.objects.get(pk=report.pk).resolved_at is not None


def test_stella_dismisses_a_report_and_the_queue_is_empty(client, staff, organiser, member, general):
    message = message_actions.send_message(actor=organiser, channel=general, text="fine really")
    state_actions.report_message(actor=member, message=message, reason="not sure")
    report = Report.objects.get(message=message)
    client.force_login(staff)
    client.post("/chat/moderation/", {"report_id": report.pk, "action": "dismiss"})
    assert Report.objects.get(pk=report.pk).resolved_at is not None
    assert "fine really" not in client.get("/chat/moderation/").content.decode()
