from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from leveller.chat import queries
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.chat.handles import handle_for
from leveller.chat.models import ChatProfile, Message, Notification
from leveller.chat.tasks import send_mention_digest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def unread(member, channel):
    return {row["channel"].pk: row for row in queries.sidebar(member)}[channel.pk]


def test_unread_counts_and_mention_badges_follow_the_read_position(general, member, organiser):
    message_actions.send_message(actor=organiser, channel=general, text="one")
    message_actions.send_message(actor=organiser, channel=general, text=f"two @{handle_for(member)}")
    row = unread(member, general)
    assert row["unread"] == 2 and row["mentions"] == 1
    state_actions.mark_read(actor=member, channel=general)
    row = unread(member, general)
    assert row["unread"] == 0 and row["mentions"] == 0
    assert unread(organiser, general)["unread"] == 0  # your own messages are never unread


def test_editing_keeps_earlier_versions_for_moderators(general, member):
    message = message_actions.send_message(actor=member, channel=general, text="first draft")
    message_actions.edit_message(actor=member, message=message, text="second draft")
    message.refresh_from_db()
    assert message.edited_at is not None and message.text == "second draft"
    assert list(message.revisions.values_list("text", flat=True)) == ["first draft"]


def test_only_the_author_edits(general, member, staff):
    message = message_actions.send_message(actor=member, channel=general, text="mine")
    with pytest.raises(PermissionDenied):
        message_actions.edit_message(actor=staff, message=message, text="changed by staff")


def test_deleting_a_message_with_replies_leaves_a_tombstone(general, member, organiser):
    root = message_actions.send_message(actor=member, channel=general, text="root")
    message_actions.send_message(actor=organiser, channel=general, text="reply", thread=root)
    lonely = message_actions.send_message(actor=member, channel=general, text="lonely")
    message_actions.delete_message(actor=member, message=root)
    message_actions.delete_message(actor=member, message=lonely)
    root.refresh_from_db()
    assert root.deleted_at and root.text == "" and root.reply_count == 1
    assert not Message.objects.filter(pk=lonely.pk).exists()


def test_staff_delete_any_message_and_it_is_audit_logged(general, member, staff, outsider):
    from leveller.core.models import AuditEntry

    message = message_actions.send_message(actor=member, channel=general, text="rude words")
    with pytest.raises(PermissionDenied):
        message_actions.delete_message(actor=outsider, message=message)
    message_actions.delete_message(actor=staff, message=message)
    entry = AuditEntry.objects.get(action="chat.message_deleted_by_moderator")
    assert entry.data["text"] == "rude words"


def test_reactions_are_one_per_member_and_emoji(general, member, organiser):
    message = message_actions.send_message(actor=organiser, channel=general, text="win!")
    message_actions.add_reaction(actor=member, message=message, emoji="🎉")
    message_actions.add_reaction(actor=member, message=message, emoji="🎉")
    message_actions.add_reaction(actor=organiser, message=message, emoji="🎉")
    assert message.reaction_summary == [{"emoji": "🎉", "count": 2, "member_ids": [member.pk, organiser.pk]}]
    with pytest.raises(ValidationError):
        message_actions.add_reaction(actor=member, message=message, emoji="<b>")
    message_actions.remove_reaction(actor=member, message=message, emoji="🎉")
    assert message.reaction_summary[0]["count"] == 1


def test_pinning(general, member):
    message = message_actions.send_message(actor=member, channel=general, text="Agenda: https://example.org")
    message_actions.pin_message(actor=member, message=message)
    assert Message.objects.get(pk=message.pk).pinned_at is not None


def test_attachments_accept_images_and_pdfs_only_within_the_size_limit(general, member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    message = message_actions.send_message(
        actor=member, channel=general, text="", files=[SimpleUploadedFile("leaflet.png", PNG, "image/png")]
    )
    assert message.attachments.get().content_type == "image/png"
    with pytest.raises(ValidationError, match="not an image"):
        message_actions.send_message(
            actor=member,
            channel=general,
            text="x",
            files=[SimpleUploadedFile("evil.svg", b"<svg onload=alert(1)>", "image/svg+xml")],
        )
    with pytest.raises(ValidationError, match="not an image"):
        message_actions.send_message(
            actor=member, channel=general, text="x", files=[SimpleUploadedFile("x.png", b"MZ\x90\x00", "image/png")]
        )
    settings.CHAT_MAX_ATTACHMENT_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1), "application/pdf")
    with pytest.raises(ValidationError, match="too big"):
        message_actions.send_message(actor=member, channel=general, text="x", files=[big])
    assert general.messages.count() == 1  # nothing half-saved


def test_thread_replies_notify_followers_and_count_unread_in_the_threads_view(general, member, organiser):
    root = message_actions.send_message(actor=member, channel=general, text="Who can leaflet Saturday?")
    message_actions.send_message(actor=organiser, channel=general, text="Me!", thread=root)
    assert Notification.objects.filter(member=member, kind="thread_reply").count() == 1
    threads = queries.followed_threads(member)
    assert [t.pk for t in threads] == [root.pk] and threads[0].unread == 1
    state_actions.mark_thread_read(actor=member, thread=root)
    assert queries.followed_threads(member)[0].unread == 0
    state_actions.unfollow_thread(actor=member, thread=root)
    message_actions.send_message(actor=organiser, channel=general, text="Also me", thread=root)
    assert Notification.objects.filter(member=member, kind="thread_reply").count() == 1


def test_also_send_to_channel_shows_the_reply_in_the_channel(general, member, organiser):
    root = message_actions.send_message(actor=member, channel=general, text="root")
    message_actions.send_message(actor=organiser, channel=general, text="reply too", thread=root, also_to_channel=True)
    message_actions.send_message(actor=organiser, channel=general, text="quiet reply", thread=root)
    texts = [m.text for m in queries.channel_page(general)]
    assert texts == ["root", "reply too"]


def test_notification_level_nothing_silences_channel_mentions(general, member, organiser):
    state_actions.set_notification_level(actor=member, channel=general, level="nothing")
    message_actions.send_message(actor=organiser, channel=general, text="@channel meeting now")
    assert not Notification.objects.filter(member=member).exists()
    message_actions.send_message(actor=organiser, channel=general, text=f"@{handle_for(member)} you especially")
    assert Notification.objects.filter(member=member).count() == 1


def test_a_private_channel_mention_never_notifies_an_outsider(secret, organiser, outsider):
    message_actions.send_message(actor=organiser, channel=secret, text=f"@{handle_for(outsider)} look at this")
    assert not Notification.objects.filter(member=outsider).exists()


def test_mentions_while_away_are_batched_into_one_email(general, member, organiser, run_on_commit):
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=general, text=f"@{handle_for(member)} first")
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=general, text=f"@{handle_for(member)} second")
    dm = channel_actions.open_dm(actor=organiser, members=[member])
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=dm, text="and a direct message")
    assert len(mail.outbox) == 0  # not due yet
    ChatProfile.objects.filter(member=member).update(digest_due_at=timezone.now() - dt.timedelta(seconds=1))
    with run_on_commit():
        assert send_mention_digest.call(member.pk) == 3
    assert len(mail.outbox) == 1
    assert "first" in mail.outbox[0].body and "direct message" in mail.outbox[0].body
    with run_on_commit():
        assert send_mention_digest.call(member.pk) == 0  # never twice for the same messages


def test_no_email_when_the_member_turned_it_off_or_read_it(general, member, organiser, run_on_commit):
    state_actions.set_email_preference(actor=member, email_mentions=False)
    with run_on_commit():
        message_actions.send_message(actor=organiser, channel=general, text=f"@{handle_for(member)} hi")
    assert ChatProfile.objects.get(member=member).digest_due_at is None
    assert len(mail.outbox) == 0


def test_welcome_introductions_wait_for_a_hello(member, organiser):
    welcome = queries.welcome_channel()
    intro = message_actions.send_message(actor=member, channel=welcome, text="Hi, I'm Mo from Leeds")
    assert [m.pk for m in queries.joiners_to_greet(organiser)] == [intro.pk]
    message_actions.send_message(actor=organiser, channel=welcome, text="Welcome Mo!", thread=intro)
    assert queries.joiners_to_greet(organiser) == []


def test_reports_reach_staff_and_are_audit_logged(general, member, organiser, staff):
    from leveller.core.models import AuditEntry

    message = message_actions.send_message(actor=organiser, channel=general, text="something awful")
    with pytest.raises(ValidationError, match="why"):
        state_actions.report_message(actor=member, message=message, reason="  ")
    report = state_actions.report_message(actor=member, message=message, reason="Harassment")
    assert report.text_snapshot == "something awful"
    with pytest.raises(PermissionDenied):
        state_actions.resolve_report(actor=member, report=report)
    state_actions.resolve_report(actor=staff, report=report)
    assert AuditEntry.objects.filter(action__in=["chat.message_reported", "chat.report_resolved"]).count() == 2


def test_history_pages_back_to_the_first_message(general, member):
    ids = [message_actions.send_message(actor=member, channel=general, text=f"m{i}").pk for i in range(70)]
    seen, before = [], None
    while True:
        page = queries.channel_page(general, before=before, limit=30)
        if not page:
            break
        seen = [m.pk for m in page] + seen
        before = page[0].pk
    assert seen == ids


def test_named_group_mentions_notify_the_groups_members_who_can_read(general, member, organiser, outsider, secret):
    from leveller.chat import handles

    resolver = lambda wanted, author: {"leeds-tenants": [member.pk, outsider.pk]} if "leeds-tenants" in wanted else {}  # noqa: E731
    handles.register_group_mentions(resolver)
    try:
        message = message_actions.send_message(
            actor=organiser, channel=secret, text="@leeds-tenants please check the list"
        )
        assert 'data-handle="leeds-tenants"' in message.html
        assert set(Notification.objects.filter(message=message).values_list("member_id", flat=True)) == {member.pk}
    finally:
        handles._group_resolvers.remove(resolver)
