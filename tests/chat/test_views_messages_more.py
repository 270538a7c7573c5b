"""The htmx message endpoints as a member's browser uses them: post, edit, delete, react, pin, report, read state,
thread pane, follow, revisions and the mention autocomplete. Errors are sentences and lose nothing saved; an
outsider gets a 404 and sees nothing of a private channel."""

from __future__ import annotations

import pytest

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.chat.models import ChannelMembership, Message, Reaction, Report, ThreadFollow

HTMX = {"HX-Request": "true"}
SECRET_TEXT = "the committee's door code is 4471"


@pytest.fixture
def posted(secret, organiser):
    return message_actions.send_message(actor=organiser, channel=secret, text=SECRET_TEXT)


def text(response) -> str:
    return response.content.decode()


def test_a_member_posting_through_htmx_gets_the_finished_row_back(client, member, general):
    client.force_login(member)
    response = client.post(f"/chat/c/{general.pk}/post/", {"text": "Leaflets at **six**"}, headers=HTMX)
    assert response.status_code == 200
    assert "<strong>six</strong>" in text(response) and 'id="m-' in text(response)
    assert Message.objects.get(channel=general).text == "Leaflets at **six**"


def test_a_reply_posted_through_htmx_comes_back_as_a_thread_row(client, member, organiser, general):
    root = message_actions.send_message(actor=organiser, channel=general, text="Who can drive on Saturday?")
    client.force_login(member)
    response = client.post(f"/chat/c/{general.pk}/post/", {"text": "I can", "thread_id": str(root.pk)}, headers=HTMX)
    assert response.status_code == 200 and 'id="t-' in text(response)
    assert Message.objects.get(text="I can").thread_id == root.pk


def test_an_empty_htmx_post_shows_the_error_under_the_right_composer_and_saves_nothing(
    client, member, organiser, general
):
    root = message_actions.send_message(actor=organiser, channel=general, text="Thread root")
    client.force_login(member)
    response = client.post(f"/chat/c/{general.pk}/post/", {"text": "   "}, headers=HTMX)
    assert response.status_code == 200
    assert "Write a message first." in text(response)
    assert response["HX-Retarget"] == "#composer-error-c" and response["HX-Reswap"] == "innerHTML"
    response = client.post(f"/chat/c/{general.pk}/post/", {"text": "", "thread_id": str(root.pk)}, headers=HTMX)
    assert response["HX-Retarget"] == "#composer-error-t"
    assert Message.objects.filter(channel=general).count() == 1


def test_a_member_not_in_a_public_channel_is_told_to_join_before_posting(client, outsider, general):
    client.force_login(outsider)
    response = client.post(f"/chat/c/{general.pk}/post/", {"text": "hello?"}, follow=True)
    assert response.status_code == 200
    assert "Join the channel to post in it." in text(response)
    assert not Message.objects.filter(channel=general).exists()


def test_posting_without_javascript_lands_on_the_new_message(client, member, general):
    client.force_login(member)
    response = client.post(f"/chat/c/{general.pk}/post/", {"text": "plain form"})
    message = Message.objects.get(text="plain form")
    assert response.status_code == 302 and response["Location"] == f"/chat/m/{message.pk}/"


def test_posting_is_post_only_and_needs_a_login(client, member, general):
    assert client.post(f"/chat/c/{general.pk}/post/", {"text": "anon"}).status_code == 302
    client.force_login(member)
    assert client.get(f"/chat/c/{general.pk}/post/").status_code == 405
    assert not Message.objects.exists()


def test_a_row_of_a_deleted_message_is_empty_and_a_thread_row_is_asked_for_with_in_thread(
    client, member, organiser, general
):
    message = message_actions.send_message(actor=organiser, channel=general, text="Row me")
    client.force_login(member)
    assert 'id="t-' in text(client.get(f"/chat/m/{message.pk}/row/?in_thread=1"))
    assert 'id="m-' in text(client.get(f"/chat/m/{message.pk}/row/"))
    assert client.get("/chat/m/999999/row/").status_code == 404


def test_the_thread_pane_opened_from_a_reply_shows_the_whole_thread(client, member, organiser, general):
    root = message_actions.send_message(actor=organiser, channel=general, text="Canvass plan")
    reply = message_actions.send_message(actor=member, channel=general, text="Count me in", thread=root)
    client.force_login(member)
    response = client.get(f"/chat/m/{reply.pk}/thread/")
    assert response.status_code == 200
    html = text(response)
    assert "Canvass plan" in html and "Count me in" in html
    assert f'data-thread-root="{root.pk}"' in html
    assert 'aria-pressed="true"' in html  # replying follows the thread


def test_an_announcement_thread_pane_lets_a_member_reply_but_an_outsider_is_asked_to_join(
    client, staff, member, outsider
):
    news = channel_actions.create_channel(actor=staff, name="news", announcement=True)
    channel_actions.add_channel_member(actor=member, channel=news, member=member)
    root = message_actions.send_message(actor=staff, channel=news, text="AGM on Friday")
    client.force_login(member)
    assert 'name="text"' in text(client.get(f"/chat/m/{root.pk}/thread/"))
    client.force_login(outsider)
    html = text(client.get(f"/chat/m/{root.pk}/thread/"))
    assert "Join the channel to post in it." in html and "AGM on Friday" in html


def test_following_and_unfollowing_a_thread_redraws_the_pane(client, member, organiser, general):
    root = message_actions.send_message(actor=organiser, channel=general, text="Follow me")
    client.force_login(member)
    response = client.post(f"/chat/m/{root.pk}/follow/", {"follow": "1"})
    assert response.status_code == 200 and "Following" in text(response)
    assert ThreadFollow.objects.get(thread=root, member=member).following
    response = client.post(f"/chat/m/{root.pk}/follow/", {"follow": "0"})
    assert 'aria-pressed="false"' in text(response)
    assert not ThreadFollow.objects.get(thread=root, member=member).following


def test_the_author_edits_their_message_and_gets_the_new_row(client, member, general):
    message = message_actions.send_message(actor=member, channel=general, text="Meet at 6")
    client.force_login(member)
    form = client.get(f"/chat/m/{message.pk}/edit/?in_thread=1")
    assert form.status_code == 200 and "Meet at 6" in text(form) and 'id="t-' in text(form)
    response = client.post(f"/chat/m/{message.pk}/edit/", {"text": "Meet at 7", "in_thread": ""})
    assert response.status_code == 200 and "Meet at 7" in text(response) and "(edited)" in text(response)
    message.refresh_from_db()
    assert message.text == "Meet at 7" and message.revisions.get().text == "Meet at 6"


def test_an_empty_edit_is_refused_in_the_form_and_the_saved_text_stays(client, member, general):
    message = message_actions.send_message(actor=member, channel=general, text="Keep this")
    client.force_login(member)
    response = client.post(f"/chat/m/{message.pk}/edit/", {"text": " "})
    assert response.status_code == 200
    assert "Write a message first." in text(response) and 'role="alert"' in text(response)
    message.refresh_from_db()
    assert message.text == "Keep this" and not message.revisions.exists()


def test_nobody_edits_someone_elses_message(client, member, organiser, staff, general):
    message = message_actions.send_message(actor=organiser, channel=general, text="Mine")
    client.force_login(member)
    assert client.get(f"/chat/m/{message.pk}/edit/").status_code == 403
    response = client.post(f"/chat/m/{message.pk}/edit/", {"text": "Yours now"})
    assert "You can only edit your own messages." in text(response)
    client.force_login(staff)
    assert client.get(f"/chat/m/{message.pk}/edit/").status_code == 403
    message.refresh_from_db()
    assert message.text == "Mine"


def test_the_author_deletes_a_message_and_its_row_disappears(client, member, general):
    message = message_actions.send_message(actor=member, channel=general, text="Oops")
    client.force_login(member)
    response = client.post(f"/chat/m/{message.pk}/delete/")
    assert response.status_code == 200 and text(response) == ""
    assert not Message.objects.filter(pk=message.pk).exists()


def test_deleting_a_message_with_replies_leaves_a_tombstone_row(client, member, organiser, general):
    root = message_actions.send_message(actor=member, channel=general, text="Root with replies")
    message_actions.send_message(actor=organiser, channel=general, text="A reply", thread=root)
    client.force_login(member)
    response = client.post(f"/chat/m/{root.pk}/delete/")
    assert "This message was deleted." in text(response) and "Root with replies" not in text(response)


def test_a_member_cannot_delete_someone_elses_message(client, member, organiser, general):
    message = message_actions.send_message(actor=organiser, channel=general, text="Not yours")
    client.force_login(member)
    response = client.post(f"/chat/m/{message.pk}/delete/")
    assert response.status_code == 403 and "You can only delete your own messages." in text(response)
    assert Message.objects.filter(pk=message.pk).exists()


def test_reacting_twice_with_the_same_emoji_takes_the_reaction_back(client, member, organiser, general):
    message = message_actions.send_message(actor=organiser, channel=general, text="Thanks all")
    client.force_login(member)
    response = client.post(f"/chat/m/{message.pk}/react/", {"emoji": "👍", "in_thread": "1"})
    assert response.status_code == 200 and 'class="reaction"' in text(response) and 'id="t-' in text(response)
    assert Reaction.objects.filter(message=message, member=member, emoji="👍").exists()
    response = client.post(f"/chat/m/{message.pk}/react/", {"emoji": "👍"})
    assert 'class="reaction"' not in text(response)
    assert not Reaction.objects.filter(message=message).exists()


def test_a_reaction_that_is_not_an_emoji_or_from_a_non_member_is_refused(client, member, outsider, organiser, general):
    message = message_actions.send_message(actor=organiser, channel=general, text="React to me")
    client.force_login(member)
    response = client.post(f"/chat/m/{message.pk}/react/", {"emoji": "lol"})
    assert response.status_code == 400 and "React with one emoji" in text(response)
    client.force_login(outsider)
    response = client.post(f"/chat/m/{message.pk}/react/", {"emoji": "👍"})
    assert response.status_code == 400 and "Join the channel to react." in text(response)
    assert not Reaction.objects.exists()


def test_pinning_toggles_and_only_staff_pin_in_announcements(client, member, staff, general):
    message = message_actions.send_message(actor=member, channel=general, text="Pin me")
    client.force_login(member)
    response = client.post(f"/chat/m/{message.pk}/pin/")
    assert response.status_code == 200 and "Pinned" in text(response)
    response = client.post(f"/chat/m/{message.pk}/pin/")
    assert "Pinned" not in text(response)
    message.refresh_from_db()
    assert message.pinned_at is None
    news = channel_actions.create_channel(actor=staff, name="news", announcement=True)
    channel_actions.add_channel_member(actor=member, channel=news, member=member)
    notice = message_actions.send_message(actor=staff, channel=news, text="Official")
    response = client.post(f"/chat/m/{notice.pk}/pin/")
    assert response.status_code == 403 and "Only staff pin messages" in text(response)
    notice.refresh_from_db()
    assert notice.pinned_at is None


def test_a_member_reports_a_message_with_a_reason(client, member, organiser, general):
    message = message_actions.send_message(actor=organiser, channel=general, text="Something rude")
    client.force_login(member)
    form = client.get(f"/chat/m/{message.pk}/report/")
    assert "Why are you reporting" in text(form)
    response = client.post(f"/chat/m/{message.pk}/report/", {"reason": "Rude to a new member"})
    assert response.status_code == 200 and "Staff will look at this message." in text(response)
    report = Report.objects.get()
    assert report.reporter == member and report.text_snapshot == "Something rude"


def test_a_report_without_a_reason_asks_for_one_and_files_nothing(client, member, organiser, general):
    message = message_actions.send_message(actor=organiser, channel=general, text="Something rude")
    client.force_login(member)
    response = client.post(f"/chat/m/{message.pk}/report/", {"reason": "  "})
    assert response.status_code == 200 and "Say why you are reporting" in text(response)
    assert not Report.objects.exists()


def test_marking_a_channel_read_moves_the_position_and_ignores_a_bad_up_to(client, member, organiser, general):
    first = message_actions.send_message(actor=organiser, channel=general, text="one")
    second = message_actions.send_message(actor=organiser, channel=general, text="two")
    client.force_login(member)
    assert client.post(f"/chat/c/{general.pk}/read/", {"up_to": str(first.pk)}).status_code == 204
    assert ChannelMembership.objects.get(channel=general, member=member).last_read_id == first.pk
    assert client.post(f"/chat/c/{general.pk}/read/", {"up_to": "latest"}).status_code == 204
    assert ChannelMembership.objects.get(channel=general, member=member).last_read_id == second.pk


def test_reading_a_thread_clears_its_unread_replies(client, member, organiser, general):
    root = message_actions.send_message(actor=member, channel=general, text="My question")
    reply = message_actions.send_message(actor=organiser, channel=general, text="The answer", thread=root)
    client.force_login(member)
    assert client.post(f"/chat/m/{root.pk}/thread/read/").status_code == 204
    assert ThreadFollow.objects.get(thread=root, member=member).last_read_id == reply.pk


def test_only_staff_see_earlier_versions(client, member, staff, general):
    message = message_actions.send_message(actor=member, channel=general, text="First draft")
    message_actions.edit_message(actor=member, message=message, text="Second draft")
    client.force_login(member)
    response = client.get(f"/chat/m/{message.pk}/revisions/")
    assert response.status_code == 403 and "First draft" not in text(response)
    client.force_login(staff)
    assert "First draft" in text(client.get(f"/chat/m/{message.pk}/revisions/"))


def test_the_mention_autocomplete_suggests_people_by_handle(client, member, organiser, general):
    client.force_login(member)
    response = client.get(f"/chat/c/{general.pk}/mentions/", {"q": "olu"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert any(r["kind"] == "member" and "Olu Organiser" in r["label"] for r in results), results


def test_an_outsider_gets_404_from_every_message_endpoint_of_a_private_channel(client, outsider, secret, posted):
    client.force_login(outsider)
    gets = ["row", "thread", "edit", "report", "revisions"]
    for name in gets:
        response = client.get(f"/chat/m/{posted.pk}/{name}/")
        assert response.status_code == 404, name
        assert SECRET_TEXT not in text(response)
    for name, data in [
        ("edit", {"text": "x"}),
        ("delete", {}),
        ("react", {"emoji": "👍"}),
        ("pin", {}),
        ("report", {"reason": "x"}),
        ("thread/read", {}),
        ("follow", {"follow": "1"}),
    ]:
        response = client.post(f"/chat/m/{posted.pk}/{name}/", data)
        assert response.status_code == 404, name
        assert SECRET_TEXT not in text(response)
    assert client.post(f"/chat/c/{secret.pk}/read/", {}).status_code == 404
    assert client.get(f"/chat/c/{secret.pk}/mentions/", {"q": "o"}).status_code == 404
    posted.refresh_from_db()
    assert posted.text == SECRET_TEXT and posted.pinned_at is None
    assert (
        not Reaction.objects.exists()
        and not Report.objects.exists()
        and not ThreadFollow.objects.filter(member=outsider).exists()
    )
    assert state_actions.mark_read_many(reads={(outsider.pk, secret.pk): posted.pk}) == 0
