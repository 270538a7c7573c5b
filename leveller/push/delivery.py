"""Sending pushes (RFC 8030) with pywebpush: the payload encrypted for each device (RFC 8291, aes128gcm)
and signed with the server's VAPID key (RFC 8292). The Topic header is the conversation, so a push service
holding an undelivered push for a phone that is offline replaces it instead of queueing another."""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.db import transaction
from django.utils import timezone
from pywebpush import WebPushException, webpush

from leveller.privacy import consent
from leveller.privacy.purposes import PUSH_PURPOSES
from leveller.push import keys
from leveller.push.models import Kind, PushMessage, PushSubscription, State

log = logging.getLogger(__name__)

URGENT = {Kind.DM, Kind.MENTION, Kind.EVENT_REMINDER}
GIVE_UP_AFTER_FAILURES = 5
TTL_SECONDS = 24 * 3600


def unread_count(member_id: int) -> int:
    """What the app badge and the tab title show: the member's unread mentions, DMs and thread replies."""
    from leveller.chat.models import Notification

    return Notification.objects.filter(member_id=member_id, read_at__isnull=True).count()


def unread_counts(member_ids) -> dict[int, int]:
    """`unread_count` for many members in one query (0 for those with none): events carry it as `badge`, so
    no tab has to ask for it."""
    from django.db.models import Count

    from leveller.chat.models import Notification

    ids = set(member_ids)
    rows = (
        Notification.objects.filter(member_id__in=ids, read_at__isnull=True)
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    return dict.fromkeys(ids, 0) | dict(rows)


def payload_for(message: PushMessage) -> dict:
    title = message.title if message.count < 2 else f"{message.title} ({message.count} new)"
    return {
        "action": "show",
        "title": title,
        "body": message.body,
        "url": message.url,
        "tag": message.tag,
        "kind": message.kind,
        "unread": unread_count(message.member_id),
        "sent_at": timezone.now().isoformat(),
    }


def deliver(message_id: int, *, now: dt.datetime | None = None) -> int:
    """Send one outbox row if it is due. Returns how many devices accepted it."""
    now = now or timezone.now()
    with transaction.atomic():
        message = PushMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.state not in (State.PENDING, State.HELD) or message.deliver_after > now:
            return 0
        if not consent.permits(PUSH_PURPOSES.get(message.kind), member=message.member):
            message.state = State.WITHDRAWN  # consent withdrawn while it waited (e.g. through quiet hours)
            message.save(update_fields=["state", "updated_at"])
            return 0
        message.state, message.sent_at = State.SENT, now
        message.save(update_fields=["state", "sent_at", "updated_at"])
        payload = payload_for(message)
        devices = [d for d in PushSubscription.objects.filter(member_id=message.member_id) if message.kind in d.kinds]
    urgency = "high" if message.kind in URGENT else "normal"
    return sum(send(device, payload, topic=message.tag, urgency=urgency) for device in devices)


def deliver_due(*, now: dt.datetime | None = None) -> int:
    """Send everything whose time has come (pushes held through quiet hours). Returns devices reached."""
    now = now or timezone.now()
    due = PushMessage.objects.filter(state__in=[State.PENDING, State.HELD], deliver_after__lte=now)
    return sum(deliver(pk, now=now) for pk in due.order_by("deliver_after").values_list("pk", flat=True)[:1000])


def withdraw(member_id: int, tag: str) -> int:
    """Tell each device to close the conversation's notification (and update its badge)."""
    payload = {"action": "withdraw", "title": "", "body": "", "url": "", "tag": tag, "unread": unread_count(member_id)}
    devices = PushSubscription.objects.filter(member_id=member_id)
    return sum(send(device, payload, topic=tag, urgency="normal") for device in devices)


def send(device: PushSubscription, payload: dict, *, topic: str, urgency: str) -> int:
    """POST one encrypted push. A gone subscription (404/410) is deleted; repeated failures too."""
    try:
        webpush(
            subscription_info={"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}},
            data=json.dumps(payload, separators=(",", ":")),
            vapid_private_key=keys.vapid(),
            vapid_claims={"sub": keys.contact()},
            content_encoding="aes128gcm",
            ttl=TTL_SECONDS,
            headers={"Topic": topic, "Urgency": urgency},
            timeout=10,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            device.delete()
            return 0
        _failed(device, f"{status}: {error}")
        return 0
    except Exception as error:  # network trouble: the push service may be unreachable for a while
        _failed(device, str(error))
        return 0
    PushSubscription.objects.filter(pk=device.pk).update(last_success_at=timezone.now(), failures=0)
    return 1


def _failed(device: PushSubscription, reason: str) -> None:
    log.warning("push to device %s failed: %s", device.pk, reason[:300])
    device.failures += 1
    if device.failures >= GIVE_UP_AFTER_FAILURES:
        device.delete()
    else:
        PushSubscription.objects.filter(pk=device.pk).update(failures=device.failures)
