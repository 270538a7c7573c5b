"""The one write path for push: devices, preferences, and the outbox (notify, withdraw)."""

from __future__ import annotations

import datetime as dt
import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from leveller.accounts.models import Member
from leveller.privacy import consent
from leveller.privacy.purposes import PUSH_PURPOSES
from leveller.push import quiet, subscriptions
from leveller.push.models import ALL_KINDS, Kind, PushMessage, PushPreference, PushSubscription, State


def _require_member(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("Log in to manage notifications.")


def _clean_kinds(kinds) -> list[str]:
    unknown = set(kinds or []) - set(ALL_KINDS)
    if unknown:
        raise ValidationError(f"Unknown notification kinds: {', '.join(sorted(unknown))}.")
    return [kind for kind in ALL_KINDS if kind in set(kinds or [])]


@transaction.atomic
def subscribe(*, actor, endpoint: str, p256dh: str, auth: str, label: str = "") -> tuple[PushSubscription, bool]:
    """Remember this browser's subscription for the actor. The same browser subscribing again (or after another
    member used it) keeps one row, now the actor's, with its device settings reset when the member changed."""
    _require_member(actor)
    endpoint = subscriptions.check_endpoint(endpoint)
    p256dh, auth = subscriptions.check_keys(p256dh, auth)
    existing = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
    if existing is None:
        row = PushSubscription.objects.create(
            member=actor, endpoint=endpoint, p256dh=p256dh, auth=auth, label=(label or "").strip()[:80]
        )
        return row, True
    if existing.member_id != actor.pk:
        existing.kinds = list(ALL_KINDS)
    existing.member = actor
    existing.p256dh, existing.auth = p256dh, auth
    existing.label = (label or existing.label).strip()[:80]
    existing.failures = 0
    existing.save()
    return existing, False


@transaction.atomic
def unsubscribe(*, actor, endpoint: str) -> None:
    _require_member(actor)
    deleted, _ = PushSubscription.objects.filter(member=actor, endpoint=(endpoint or "").strip()).delete()
    if not deleted:
        raise ValidationError("This device is not subscribed.")


@transaction.atomic
def remove_device(*, actor, subscription: PushSubscription) -> None:
    if subscription.member_id != actor.pk:
        raise PermissionDenied("That is not your device.")
    subscription.delete()


@transaction.atomic
def set_device_kinds(*, actor, subscription: PushSubscription, kinds: list[str]) -> PushSubscription:
    if subscription.member_id != actor.pk:
        raise PermissionDenied("That is not your device.")
    subscription.kinds = _clean_kinds(kinds)
    subscription.save(update_fields=["kinds"])
    return subscription


def preference_for(member) -> PushPreference:
    preference, _ = PushPreference.objects.get_or_create(member=member)
    return preference


@transaction.atomic
def set_preferences(
    *, actor, kinds: list[str], quiet_start: dt.time | None = None, quiet_end: dt.time | None = None
) -> PushPreference:
    _require_member(actor)
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError("Give quiet hours both a start and an end, or neither.")
    if quiet_start is not None and quiet_start == quiet_end:
        raise ValidationError("Quiet hours need to end at a different time from when they start.")
    preference = preference_for(actor)
    preference.kinds = _clean_kinds(kinds)
    preference.quiet_start, preference.quiet_end = quiet_start, quiet_end
    preference.save()
    return preference


def notify(
    *, actor=None, kind: str, member_ids, title: str, body: str, url: str, tag: str, now: dt.datetime | None = None
) -> int:
    """Queue a push of `kind` to these members' devices: one notification per conversation (`tag`), updated
    rather than repeated; held until quiet hours end. Call inside the transaction that made the news; the
    sending happens after commit, in the task queue. Returns how many members will get it."""
    if kind not in ALL_KINDS:
        raise ValueError(f"unknown push kind {kind!r}")
    now = now or timezone.now()
    ids = member_ids if isinstance(member_ids, QuerySet) else set(member_ids)  # a QuerySet stays a subquery
    allowed = consent.permitted(PUSH_PURPOSES[kind], Member.objects.filter(pk__in=ids)).values("pk")
    members = list(
        Member.objects.filter(pk__in=allowed, push_subscriptions__isnull=False)
        .distinct()
        .select_related("push_preference")
    )
    queued = 0
    for member in members:
        preference = getattr(member, "push_preference", None)
        if preference is not None and kind not in preference.kinds:
            continue
        held_until = quiet.quiet_until(
            getattr(preference, "quiet_start", None),
            getattr(preference, "quiet_end", None),
            quiet.member_zone(member),
            now,
        )
        if _queue(member, kind, title, body, url, tag, now=now, held_until=held_until):
            queued += 1
    return queued


def _queue(member, kind, title, body, url, tag, *, now, held_until) -> bool:
    row = PushMessage.objects.select_for_update().filter(member=member, tag=tag).first()
    was_waiting = row is not None and row.state in (State.PENDING, State.HELD)
    if row is None:
        row = PushMessage(member=member, tag=tag, count=0)
    elif row.state == State.WITHDRAWN:
        row.count = 0
    row.count += 1
    row.kind, row.title, row.body, row.url = kind, title[:200], (body or "")[:500], url[:500]
    row.state = State.HELD if held_until else State.PENDING
    row.deliver_after = held_until or now
    row.save()
    if not was_waiting or held_until is None:
        pk, due = row.pk, row.deliver_after
        transaction.on_commit(lambda: _enqueue_delivery(pk, due))
    return True


def _enqueue_delivery(message_id: int, due: dt.datetime) -> None:
    from leveller.push.tasks import deliver_push

    if deliver_push.get_backend().supports_defer and due > timezone.now():
        deliver_push.using(run_after=due).enqueue(message_id)
    else:  # due now, or a backend without deferral (the immediate one in tests: the sweep sends held ones)
        deliver_push.enqueue(message_id)


@transaction.atomic
def withdraw(*, actor, tags: list[str]) -> int:
    """The member has read these conversations (on some device): drop pushes not yet sent, and close the
    notifications already shown on every device. Returns how many were withdrawn."""
    rows = list(
        PushMessage.objects.select_for_update().filter(
            member=actor, tag__in=tags, state__in=[State.PENDING, State.HELD, State.SENT]
        )
    )
    for row in rows:
        shown = row.state == State.SENT
        row.state = State.WITHDRAWN
        row.save(update_fields=["state", "updated_at"])
        if shown:
            member_id, tag = actor.pk, row.tag
            transaction.on_commit(functools.partial(_enqueue_withdrawal, member_id, tag))
    return len(rows)


def _enqueue_withdrawal(member_id: int, tag: str) -> None:
    from leveller.push.tasks import withdraw_push

    withdraw_push.enqueue(member_id, tag)


KIND_LABELS = dict(Kind.choices)
