"""The batched email about mentions and direct messages a member has not read: the chat task calls this."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from leveller.chat.models import ChatProfile, Notification
from leveller.core.mail import send_templated
from leveller.privacy import consent
from leveller.privacy.purposes import Purpose

MAX_ITEMS = 20


def send_mention_digest(*, member_id: int) -> int:
    """Send one email listing unread mentions/DMs since the last digest. Returns how many it listed."""
    with transaction.atomic():
        profile = ChatProfile.objects.select_for_update().select_related("member").filter(member_id=member_id).first()
        if profile is None or profile.digest_due_at is None or profile.digest_due_at > timezone.now():
            return 0
        profile.digest_due_at = None
        profile.save(update_fields=["digest_due_at"])
        member = profile.member
        if not (
            member.is_active and profile.email_mentions and consent.permits(Purpose.CHAT_NOTIFICATIONS, member=member)
        ):
            return 0
        pending = Notification.objects.filter(
            member=member, read_at__isnull=True, emailed_at__isnull=True, kind__in=["mention", "dm"]
        ).select_related("message__channel", "message__author")
        items = list(pending.order_by("id")[: MAX_ITEMS + 1])
        if not items:
            return 0
        pending.filter(pk__in=[n.pk for n in items]).update(emailed_at=timezone.now())
        rows = [
            {
                "channel": str(n.message.channel),
                "author": n.message.author_name,
                "text": n.message.text[:300],
                "link": settings.SITE_URL + reverse("chat:jump", args=[n.message_id]),
            }
            for n in items[:MAX_ITEMS]
        ]
        send_templated(
            to=member.email,
            template="chat/email/digest",
            context={
                "member": member,
                "rows": rows,
                "more": len(items) > MAX_ITEMS,
                "settings_link": settings.SITE_URL + reverse("chat:preferences"),
            },
        )
        return len(rows)
