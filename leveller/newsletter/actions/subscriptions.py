"""Subscribers: double opt-in sign-up, confirmation, members' own subscriptions, unsubscribing and bounces.

Every change is an action (keyword-only, actor first, atomic), like issues.py and voices.py.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.accounts.validation import clean_email, clean_postcode
from leveller.core import audit
from leveller.core.mail import send_templated
from leveller.newsletter import tokens
from leveller.newsletter.access import require_editor
from leveller.newsletter.models import Delivery, DeliveryState, Subscriber, SubscriberStatus
from leveller.privacy import suppression

SIGNUP_WORDING = (
    "Yes, email me the members' newsletter, about once a month. I can unsubscribe at any time with the link "
    "in every email."
)
MEMBER_WORDING = "Email me the members' newsletter, about once a month. I can unsubscribe at any time."


def clean_subscriber_fields(email: str, name: str, postcode: str) -> tuple[str, str, str]:
    email = clean_email(email)
    name = " ".join((name or "").split())
    if len(name) > 120:
        raise ValidationError("Your name is too long: keep it under 120 characters.")
    try:
        postcode = clean_postcode(postcode or "")
    except ValidationError:
        raise ValidationError(f"{postcode.strip()!r} is not a UK postcode. Leave it blank if you live abroad.")
    return email, name, postcode


@transaction.atomic
def request_subscription(
    *,
    actor,
    email: str,
    name: str = "",
    postcode: str = "",
    source: str = "sign-up form",
    wording: str = SIGNUP_WORDING,
) -> Subscriber | None:
    """Double opt-in: record the request and email a confirmation link. Nothing else is sent until it is
    clicked. Says nothing about whether the address was already subscribed (callers answer the same).

    Anyone can type any address, so a request for an address we already know (unsubscribed, bounced, or still
    pending) changes nothing on its record: the name, postcode and consent it brings travel in the signed
    confirmation link and are saved only when the address's owner clicks it."""
    email, name, postcode = clean_subscriber_fields(email, name, postcode)
    suppression.refuse(email=email)
    subscriber = Subscriber.objects.select_for_update().filter(email__iexact=email).first()
    now = timezone.now()
    if subscriber is not None and subscriber.status == SubscriberStatus.SUBSCRIBED:
        return subscriber  # already receiving it: send nothing, reveal nothing
    if subscriber is None:
        subscriber = Subscriber(
            email=email,
            created_at=now,
            name=name,
            postcode=postcode,
            status=SubscriberStatus.PENDING,
            consent_source=source[:40],
            consent_wording=wording,
        )
    recently = subscriber.confirmation_sent_at and now - subscriber.confirmation_sent_at < dt.timedelta(minutes=5)
    subscriber.requested_at = now
    if not recently:
        subscriber.confirmation_sent_at = now
    subscriber.save()
    if not recently:  # one confirmation email per address per five minutes, however often the form is sent
        request = {"n": name, "p": postcode, "src": source[:40], "w": wording, "t": now.timestamp()}
        send_templated(
            to=subscriber.email,
            template="newsletter/email/confirm",
            context={"name": name, "link": tokens.confirm_url(subscriber.pk, subscriber.email, request=request)},
        )
    return subscriber


@transaction.atomic
def confirm_subscription(*, token: str) -> Subscriber:
    data = tokens.read_confirm_token(token)
    subscriber = None
    if data is not None:
        subscriber = Subscriber.objects.select_for_update().filter(pk=data["s"], email__iexact=data["e"]).first()
    if subscriber is None:
        raise ValidationError("This confirmation link has expired or is not valid. Sign up again to get a new one.")
    asked_at = data.get("t")
    left_at = subscriber.unsubscribed_at
    stale = left_at is not None and (asked_at is None or asked_at < left_at.timestamp())
    if stale:
        raise ValidationError("You unsubscribed after asking for this link. Sign up again to get a new one.")
    if subscriber.status != SubscriberStatus.SUBSCRIBED:
        if data.get("n"):
            subscriber.name = data["n"]
        if data.get("p"):
            subscriber.postcode = data["p"]
        start_subscription(
            subscriber,
            source=data.get("src") or subscriber.consent_source or "sign-up form",
            wording=data.get("w") or subscriber.consent_wording,
        )
        audit.record(actor=None, action="newsletter.subscribed", target=subscriber, summary="confirmed by email")
    return subscriber


def start_subscription(subscriber: Subscriber, *, source: str, wording: str, at: dt.datetime | None = None) -> None:
    subscriber.status = SubscriberStatus.SUBSCRIBED
    subscriber.consent_at = at or timezone.now()
    subscriber.consent_source, subscriber.consent_wording = source[:40], wording
    subscriber.unsubscribed_at = subscriber.bounced_at = None
    subscriber.unsubscribed_after = None
    subscriber.bounce_reason = ""
    subscriber.save()


@transaction.atomic
def unsubscribe(*, actor, subscriber: Subscriber, how: str = "link") -> Subscriber:
    """Takes effect at once: nothing more is sent, including the rest of a send in progress."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if actor is not None and getattr(actor, "pk", None) and not _owns(actor, subscriber):
        require_editor(actor)
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return subscriber
    last = (
        Delivery.objects.filter(subscriber=subscriber, state=DeliveryState.SENT)
        .order_by("-sent_at")
        .values_list("issue_id", flat=True)
        .first()
    )
    subscriber.status, subscriber.unsubscribed_at = SubscriberStatus.UNSUBSCRIBED, timezone.now()
    subscriber.unsubscribed_after_id = last
    subscriber.save(update_fields=["status", "unsubscribed_at", "unsubscribed_after"])
    Delivery.objects.filter(subscriber=subscriber, state=DeliveryState.PENDING).update(state=DeliveryState.SKIPPED)
    audit.record(actor=actor, action="newsletter.unsubscribed", target=subscriber, summary=how)
    return subscriber


def _owns(member, subscriber: Subscriber) -> bool:
    return subscriber.member_id == member.pk or subscriber.email.lower() == (member.email or "").lower()


def mark_bouncing(*, actor, subscriber_id: int, reason: str) -> None:
    """A permanent SMTP failure: stop sending to this address (until they subscribe again)."""
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber_id).exclude(status=SubscriberStatus.UNSUBSCRIBED).update(
            status=SubscriberStatus.BOUNCING, bounced_at=timezone.now(), bounce_reason=reason[:300]
        )
        Delivery.objects.filter(subscriber_id=subscriber_id, state=DeliveryState.PENDING).update(
            state=DeliveryState.SKIPPED
        )


@transaction.atomic
def subscribe_member(*, actor) -> Subscriber:
    """A logged-in member subscribes from their settings: their address is already confirmed."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Log in first.")
    subscriber = Subscriber.objects.select_for_update().filter(email__iexact=actor.email).first()
    if subscriber is None:
        subscriber = Subscriber(email=actor.email)
    subscriber.member = actor
    subscriber.name = subscriber.name or actor.display_name
    subscriber.postcode = subscriber.postcode or actor.postcode
    if subscriber.status != SubscriberStatus.SUBSCRIBED:
        start_subscription(subscriber, source="member settings", wording=MEMBER_WORDING)
        audit.record(actor=actor, action="newsletter.subscribed", target=subscriber, summary="member settings")
    else:
        subscriber.save()
    return subscriber


def subscription_for(member) -> Subscriber | None:
    return Subscriber.objects.filter(email__iexact=member.email).first()
