"""Signing up again after erasure: only the person themselves, proved by a link sent to the address.

The public sign-up form never says an address is suppressed (that would tell anyone who typed it that its
owner was a member and asked to be erased). It answers as for any sign-up, and emails the address a link;
following it lifts the suppression of that email and starts the subscription with the wording they saw.
Imports, contact uploads and commands are simply refused.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from leveller.accounts.models import normalise_email
from leveller.core import audit
from leveller.core.mail import send_templated
from leveller.privacy import suppression

SALT = "leveller.privacy.rejoin"
MAX_AGE = 7 * 24 * 3600


def link_for(email: str, *, name: str = "", postcode: str = "") -> str:
    token = signing.dumps({"e": normalise_email(email), "n": name, "p": postcode}, salt=SALT)
    return settings.SITE_URL + reverse("privacy:rejoin", args=[token])


def offer(*, email: str, name: str = "", postcode: str = "") -> None:
    """Email the suppressed address a link to come back (queued after the request's transaction)."""
    send_templated(
        to=normalise_email(email),
        template="privacy/email/rejoin",
        context={"name": name, "link": link_for(email, name=name, postcode=postcode)},
    )


def read(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None


@transaction.atomic
def accept(*, token: str):
    """They followed the link from their own inbox: lift the suppression and subscribe them."""
    from leveller.newsletter.actions import subscriptions
    from leveller.newsletter.models import Subscriber

    data = read(token)
    if data is None:
        raise ValidationError("This link has expired or is not valid. Sign up again to get a new one.")
    suppression.lift(email=data["e"])
    subscriber = Subscriber.objects.select_for_update().filter(email__iexact=data["e"]).first()
    subscriber = subscriber or Subscriber(email=data["e"], name=data.get("n", ""), postcode=data.get("p", ""))
    subscriptions.start_subscription(subscriber, source="sign-up form (rejoined)", wording=subscriptions.SIGNUP_WORDING)
    audit.record(actor=None, action="privacy.suppression_lifted", target=subscriber, summary="signed up again")
    return subscriber
