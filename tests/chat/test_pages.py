from __future__ import annotations

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.chat.handles import handle_for


def test_every_chat_page_renders_for_a_member(client, member, organiser, staff, general):
    root = message_actions.send_message(actor=organiser, channel=general, text=f"Hello @{handle_for(member)} **all**")
    reply = message_actions.send_message(actor=member, channel=general, text="hi back", thread=root)
    message_actions.add_reaction(actor=member, message=root, emoji="👍")
    message_actions.edit_message(actor=organiser, message=root, text="Hello everyone")
    state_actions.report_message(actor=member, message=root, reason="testing")
    dm = channel_actions.open_dm(actor=member, members=[organiser])
    client.force_login(member)
    for url in [
        "/chat/",
        f"/chat/c/{general.pk}/",
        f"/chat/c/{general.pk}/?thread={root.pk}",
        f"/chat/c/{dm.pk}/",
        f"/chat/c/{general.pk}/?around={root.pk}",
        f"/chat/c/{general.pk}/history/?before={reply.pk}",
        f"/chat/m/{root.pk}/row/",
        f"/chat/m/{root.pk}/thread/",
        "/chat/browse/",
        "/chat/new/",
        "/chat/dm/",
        "/chat/threads/",
        "/chat/search/?q=hello",
        "/chat/notifications/",
        "/chat/preferences/",
        f"/chat/c/{general.pk}/settings/",
        "/chat/sidebar/",
        f"/chat/m/{root.pk}/report/",
        "/",
    ]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
    assert client.get("/chat/moderation/").status_code == 403
    client.force_login(staff)
    assert "testing" in client.get("/chat/moderation/").content.decode()
    assert "Hello @" in client.get(f"/chat/m/{root.pk}/revisions/").content.decode()


def test_posting_from_the_page_without_javascript_works_and_errors_are_clear(client, member, general):
    client.force_login(member)
    response = client.post(f"/chat/c/{general.pk}/post/", {"text": "plain form post"}, follow=True)
    assert "plain form post" in response.content.decode()
    response = client.post(f"/chat/c/{general.pk}/post/", {"text": "   "}, follow=True)
    assert "Write a message first." in response.content.decode()


def test_the_new_messages_line_marks_the_first_unread(client, member, organiser, general):
    message_actions.send_message(actor=organiser, channel=general, text="old news")
    state_actions.mark_read(actor=member, channel=general)
    message_actions.send_message(actor=organiser, channel=general, text="fresh news")
    client.force_login(member)
    html = client.get(f"/chat/c/{general.pk}/").content.decode()
    assert html.index("old news") < html.index("New messages") < html.index("fresh news")


def test_a_new_member_is_prompted_to_introduce_themselves(client, member):
    from leveller.chat.queries import welcome_channel

    client.force_login(member)
    html = client.get(f"/chat/c/{welcome_channel().pk}/").content.decode()
    assert "Introduce yourself" in html
