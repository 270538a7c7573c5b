"""Changes to a member's own chat state (read positions, thread follows, notification levels, email
preference) and moderation reports."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.chat import access, notify, presence
from leveller.chat.handles import profile_for
from leveller.chat.models import Channel, ChannelMembership, Level, Message, Notification, Report, ThreadFollow
from leveller.core import audit
from leveller.push import hooks as push
from leveller.realtime.publish import publish


@transaction.atomic
def mark_read(*, actor, channel: Channel, up_to: int | None = None) -> ChannelMembership | None:
    """Move the member's read position (to the latest message unless up_to is given); every tab follows."""
    membership = ChannelMembership.objects.select_for_update().filter(channel=channel, member=actor).first()
    if membership is None:
        return None
    latest = channel.messages.order_by("-id").values_list("id", flat=True).first() or 0
    position = latest if up_to is None else max(0, min(int(up_to), latest))
    if position != membership.last_read_id:
        membership.last_read_id = position
        membership.save(update_fields=["last_read_id"])
        Notification.objects.filter(
            member=actor, message__channel=channel, message_id__lte=position, read_at__isnull=True
        ).exclude(kind="thread_reply").update(read_at=timezone.now())
        publish(
            streams=[f"user-{actor.pk}"],
            type="channel.read",
            payload={"channel_id": channel.pk, "last_read_id": position},
        )
        push.chat_read(actor, channel=channel)
    return membership


@transaction.atomic
def follow_thread(*, actor, thread: Message) -> ThreadFollow:
    if not access.can_read(actor, thread.channel):
        raise PermissionDenied("You cannot follow that thread.")
    follow, _ = ThreadFollow.objects.update_or_create(thread=thread, member=actor, defaults={"following": True})
    publish(streams=[f"user-{actor.pk}"], type="thread.followed", payload={"thread_id": thread.pk, "following": True})
    return follow


@transaction.atomic
def unfollow_thread(*, actor, thread: Message) -> ThreadFollow:
    follow, _ = ThreadFollow.objects.update_or_create(thread=thread, member=actor, defaults={"following": False})
    publish(streams=[f"user-{actor.pk}"], type="thread.followed", payload={"thread_id": thread.pk, "following": False})
    return follow


@transaction.atomic
def mark_thread_read(*, actor, thread: Message) -> None:
    latest = thread.replies.order_by("-id").values_list("id", flat=True).first() or thread.pk
    changed = ThreadFollow.objects.filter(thread=thread, member=actor, last_read_id__lt=latest).update(
        last_read_id=latest
    )
    Notification.objects.filter(member=actor, message__thread=thread, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        publish(
            streams=[f"user-{actor.pk}"], type="thread.read", payload={"thread_id": thread.pk, "last_read_id": latest}
        )
    push.chat_read(actor, thread=thread)


@transaction.atomic
def report_message(*, actor, message: Message, reason: str) -> Report:
    access.require_member_actor(actor)
    if not access.can_read(actor, message.channel):
        raise PermissionDenied("You cannot report that message.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why you are reporting this message, so staff can act on it.")
    report = Report.objects.create(message=message, reporter=actor, reason=reason[:2000], text_snapshot=message.text)
    audit.record(actor=actor, action="chat.message_reported", target=message, summary=reason[:300])
    notify.report_filed(report)
    return report


@transaction.atomic
def resolve_report(*, actor, report: Report, note: str = "") -> Report:
    if not access.is_moderator(actor):
        raise PermissionDenied("Only staff handle reports.")
    report.resolved_at = timezone.now()
    report.resolved_by = actor
    report.save(update_fields=["resolved_at", "resolved_by"])
    audit.record(actor=actor, action="chat.report_resolved", target=report.message, summary=note[:300])
    return report


@transaction.atomic
def set_notification_level(*, actor, channel: Channel, level: str) -> ChannelMembership:
    if level not in Level.values:
        raise ValidationError("Choose everything, mentions or nothing.")
    membership = ChannelMembership.objects.filter(channel=channel, member=actor).first()
    if membership is None:
        raise ValidationError("Join the channel first.")
    membership.level = level
    membership.save(update_fields=["level"])
    publish(streams=[f"user-{actor.pk}"], type="sidebar.changed", payload={"channel_id": channel.pk})
    return membership


@transaction.atomic
def set_email_preference(*, actor, email_mentions: bool) -> None:
    profile = profile_for(actor)
    profile.email_mentions = bool(email_mentions)
    profile.save(update_fields=["email_mentions"])


@transaction.atomic
def set_presence_preference(*, actor, appear_away: bool) -> None:
    """Appear away in chat (others see "away", @here leaves you out) even while online, or not."""
    access.require_member_actor(actor)
    profile = profile_for(actor)
    if profile.appear_away == bool(appear_away):
        return
    profile.appear_away = bool(appear_away)
    profile.save(update_fields=["appear_away"])
    presence.announce_choice(actor, appear_away=profile.appear_away)
