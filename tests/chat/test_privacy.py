"""An outsider never sees a private channel's messages: page, API, websocket, search, attachments, notifications."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.handles import handle_for
from leveller.chat.models import Notification

SECRET_TEXT = "membership spreadsheet password hunter2"


@pytest.fixture
def posted(secret, organiser):
    return message_actions.send_message(actor=organiser, channel=secret, text=SECRET_TEXT)


def test_pages_hide_a_private_channel_from_an_outsider(client, outsider, secret, posted):
    client.force_login(outsider)
    for url in [
        f"/chat/c/{secret.pk}/",
        f"/chat/c/{secret.pk}/history/?before=999999",
        f"/chat/m/{posted.pk}/",
        f"/chat/m/{posted.pk}/row/",
        f"/chat/m/{posted.pk}/thread/",
        f"/chat/c/{secret.pk}/settings/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET_TEXT not in response.content.decode()
    assert "data-team" not in client.get("/chat/browse/").content.decode()
    assert client.post(f"/chat/c/{secret.pk}/post/", {"text": "let me in"}).status_code == 404


def test_the_api_hides_a_private_channel_from_an_outsider(api_client, outsider, secret, posted):
    client = api_client(outsider)
    assert all(row["id"] != secret.pk for row in client.get("/api/v1/channels").json())
    assert client.get(f"/api/v1/channels/{secret.pk}/messages").status_code == 404
    assert client.get(f"/api/v1/messages/{posted.pk}").status_code == 404
    assert client.post(f"/api/v1/channels/{secret.pk}/messages", {"text": "hi"}).status_code == 404
    assert client.post(f"/api/v1/channels/{secret.pk}/members", {"email": "outsider@example.org"}).status_code == 404
    assert client.post(f"/api/v1/messages/{posted.pk}/reactions", {"emoji": "👍"}).status_code == 404


def test_search_never_returns_a_private_channels_messages_to_an_outsider(api_client, outsider, member, secret, posted):
    assert api_client(outsider).get("/api/v1/search?q=hunter2").json()["results"] == []
    assert api_client(outsider).get("/api/v1/search?q=in:%23data-team").json()["results"] == []
    assert len(api_client(member).get("/api/v1/search?q=hunter2").json()["results"]) == 1


def test_search_paging_never_reaches_a_private_channel_for_an_outsider(
    api_client, client, general, outsider, organiser, secret, posted
):
    for n in range(3):
        message_actions.send_message(actor=organiser, channel=general, text=f"public hunter2 note {n}")
    message_actions.send_message(actor=organiser, channel=secret, text="hunter2 again, newest of all")
    seen, cursor = [], None
    while True:
        query = "/api/v1/search?q=hunter2&limit=1" + (f"&cursor={cursor}" if cursor else "")
        answer = api_client(outsider).get(query).json()
        seen += [row["message"]["text"] for row in answer["results"]]
        cursor = answer["next"]
        if cursor is None:
            break
    assert seen == ["public hunter2 note 2", "public hunter2 note 1", "public hunter2 note 0"]
    for cursor in [posted.pk + 1, 10**30, -5]:  # a cursor is only an upper bound on ids, never a way in
        answer = api_client(outsider).get(f"/api/v1/search?q=hunter2&cursor={cursor}").json()
        assert all(
            "again" not in row["message"]["text"] and "password" not in row["message"]["text"]
            for row in answer["results"]
        )
    client.force_login(outsider)
    page = client.get("/chat/search/", {"q": "hunter2", "cursor": posted.pk + 1}, headers={"HX-Request": "true"})
    assert SECRET_TEXT not in page.content.decode()
    for cursor in ["²", "-1", "9" * 40, "abc"]:  # nonsense cursors are ignored, never an error
        assert client.get("/chat/search/", {"q": "hunter2", "cursor": cursor}).status_code == 200


def test_attachments_are_served_only_to_members_who_can_read_the_channel(
    client, settings, tmp_path, organiser, outsider, member, secret
):
    settings.MEDIA_ROOT = tmp_path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    message = message_actions.send_message(
        actor=organiser, channel=secret, text="", files=[SimpleUploadedFile("list.png", png)]
    )
    url = f"/chat/files/{message.attachments.get().token}/list.png"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == png
    assert "sandbox" in response["Content-Security-Policy"]
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_notifications_never_leak_a_private_channel(api_client, outsider, organiser, member, secret):
    message_actions.send_message(
        actor=organiser, channel=secret, text=f"@{handle_for(outsider)} @channel {SECRET_TEXT}"
    )
    assert not Notification.objects.filter(member=outsider).exists()
    assert api_client(outsider).get("/api/v1/notifications").json()["notifications"] == []
    # someone removed from the channel no longer sees notifications from it
    assert Notification.objects.filter(member=member).exists()
    channel_actions.remove_channel_member(actor=organiser, channel=secret, member=member)
    assert api_client(member).get("/api/v1/notifications").json()["notifications"] == []


@pytest.mark.django_db(transaction=True)
def test_the_websocket_never_delivers_a_private_channel_to_an_outsider(live_server_asgi):
    from websockets.sync.client import connect

    from leveller.accounts.actions.members import create_api_token
    from tests.support.personas import make_member

    organiser = make_member("Olu Organiser", "organiser@example.org", roles=["organiser"])
    outsider = make_member("Oz Outsider", "outsider@example.org")
    secret = channel_actions.create_channel(actor=organiser, name="data-team", private=True)
    public = channel_actions.create_channel(actor=organiser, name="open")
    channel_actions.add_channel_member(actor=outsider, channel=public, member=outsider)
    _, token = create_api_token(actor=outsider, member=outsider)
    with connect(f"{live_server_asgi.ws_url}?token={token}") as ws:
        hello = json.loads(ws.recv(timeout=5))
        ws.send(json.dumps({"type": "subscribe", "stream": f"channel-{secret.pk}"}))
        assert json.loads(ws.recv(timeout=5))["type"] == "error"
        message_actions.send_message(actor=organiser, channel=secret, text=SECRET_TEXT)
        message_actions.send_message(actor=organiser, channel=public, text="public marker")
        received = json.loads(ws.recv(timeout=5))
        assert received["message"]["text"] == "public marker"
        ws.send(json.dumps({"type": "resume", "after": hello["last_event_id"]}))
        replay = []
        while (event := json.loads(ws.recv(timeout=5)))["type"] != "resumed":
            replay.append(event)
        assert SECRET_TEXT not in json.dumps(replay)
