from __future__ import annotations

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.models import Channel, Message


def test_listing_channels_shows_membership_and_unread(api_client, member, organiser, general):
    message_actions.send_message(actor=organiser, channel=general, text="hello")
    rows = {row["name"]: row for row in api_client(member).get("/api/v1/channels").json()}
    assert rows["general"]["member"] is True and rows["general"]["unread"] == 1
    assert {"id", "name", "private", "member", "unread"} <= set(rows["general"])


def test_creating_a_channel_returns_201_and_clear_errors(api_client, member):
    client = api_client(member)
    response = client.post("/api/v1/channels", {"name": "tenants-north", "private": True, "purpose": "North"})
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "tenants-north" and body["private"] is True and body["member"] is True
    again = client.post("/api/v1/channels", {"name": "tenants-north", "private": False, "purpose": ""})
    assert again.status_code == 400 and "already a channel" in again.json()["detail"]


def test_posting_and_paging_messages(api_client, member, general):
    client = api_client(member)
    first = client.post(f"/api/v1/channels/{general.pk}/messages", {"text": "**hi**"})
    assert first.status_code == 201
    body = first.json()
    assert {"id", "channel_id", "thread_id", "author", "text", "html", "created_at"} <= set(body)
    assert body["html"] == "<p><strong>hi</strong></p>\n"
    reply = client.post(f"/api/v1/channels/{general.pk}/messages", {"text": "in thread", "thread_id": body["id"]})
    assert reply.json()["thread_id"] == body["id"]
    for i in range(3):
        client.post(f"/api/v1/channels/{general.pk}/messages", {"text": f"n{i}"})
    page = client.get(f"/api/v1/channels/{general.pk}/messages?limit=2").json()["messages"]
    assert [m["text"] for m in page] == ["n1", "n2"]
    older = client.get(f"/api/v1/channels/{general.pk}/messages?before={page[0]['id']}&limit=10").json()["messages"]
    assert [m["text"] for m in older] == ["**hi**", "n0"]
    newer = client.get(f"/api/v1/channels/{general.pk}/messages?after={older[0]['id']}").json()["messages"]
    assert [m["text"] for m in newer] == ["n0", "n1", "n2"]


def test_edit_react_and_delete_through_the_api(api_client, member, organiser, general):
    message = message_actions.send_message(actor=member, channel=general, text="typo")
    client = api_client(member)
    edited = client.patch(f"/api/v1/messages/{message.pk}", {"text": "fixed"})
    assert edited.status_code == 200 and edited.json()["text"] == "fixed" and edited.json()["edited_at"]
    assert api_client(organiser).patch(f"/api/v1/messages/{message.pk}", {"text": "hijack"}).status_code == 403
    reaction = api_client(organiser).post(f"/api/v1/messages/{message.pk}/reactions", {"emoji": "✊"})
    assert reaction.status_code == 201
    assert api_client(organiser).post(f"/api/v1/messages/{message.pk}/reactions", {"emoji": "nope"}).status_code == 400
    assert client.delete(f"/api/v1/messages/{message.pk}").status_code == 204
    assert not Message.objects.filter(pk=message.pk).exists()


def test_adding_members_by_email(api_client, member, organiser, outsider, general, secret):
    assert (
        api_client(outsider).post(f"/api/v1/channels/{general.pk}/members", {"email": outsider.email}).status_code
        == 201
    )
    # a member cannot add someone else to a public channel; organisers can
    other = api_client(member).post(f"/api/v1/channels/{general.pk}/members", {"email": "organiser@example.org"})
    assert other.status_code == 403
    assert (
        api_client(organiser).post(f"/api/v1/channels/{secret.pk}/members", {"email": outsider.email}).status_code
        == 201
    )


def test_an_unknown_channel_is_404(api_client, member):
    assert api_client(member).get("/api/v1/channels/999999/messages").status_code == 404


def test_announcement_posts_by_members_are_refused_with_a_reason(api_client, member):
    channel = Channel.objects.get(name="announcements")
    response = api_client(member).post(f"/api/v1/channels/{channel.pk}/messages", {"text": "hi"})
    assert response.status_code == 403 and "thread" in response.json()["detail"]


def test_incoming_webhooks_post_as_their_bot(client, organiser, general, member, run_on_commit):
    hook, secret = channel_actions.create_webhook(actor=organiser, channel=general, name="CI bot")
    response = client.post(f"/hooks/{secret}", data='{"text": "Build *passed*"}', content_type="application/json")
    assert response.status_code == 200 and response.json()["ok"]
    message = general.messages.get()
    assert message.bot_name == "CI bot" and message.author is None and "<em>passed</em>" in message.html
    assert client.post("/hooks/wrong", data='{"text": "x"}', content_type="application/json").status_code == 404
    bad = client.post(f"/hooks/{secret}", data="{not json", content_type="application/json")
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]
    channel_actions.revoke_webhook(actor=organiser, webhook=hook)
    assert client.post(f"/hooks/{secret}", data='{"text": "x"}', content_type="application/json").status_code == 404


def test_only_organisers_or_the_creator_make_webhooks(member, general):
    import pytest
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        channel_actions.create_webhook(actor=member, channel=general, name="sneaky")
