"""Signed links for subscribers: no login needed, nothing stored, nothing guessable.

- unsubscribe tokens never expire (a link in an old email must still work) and name one subscriber;
- confirmation tokens expire after CONFIRM_DAYS.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core import signing
from django.core.signing import b64_encode
from django.urls import reverse

from leveller.core.unsubscribe import read_token, sign_token

UNSUBSCRIBE_SALT = "leveller.newsletter.unsubscribe"
CONFIRM_SALT = "leveller.newsletter.confirm"
CONFIRM_DAYS = 7


def unsubscribe_token(subscriber_id: int) -> str:
    return sign_token(str(subscriber_id), salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(subscriber_id: int) -> str:
    return settings.SITE_URL + reverse("newsletter:unsubscribe", args=[unsubscribe_token(subscriber_id)])


class UnsubscribeLinks:
    """The same links as unsubscribe_url(), made fast for a send of many thousands: the derived HMAC key and
    the URL prefix are computed once (Signer derives the key again for every call)."""

    def __init__(self):
        self.key = hashlib.sha256((UNSUBSCRIBE_SALT + "signer" + settings.SECRET_KEY).encode()).digest()
        self.prefix = settings.SITE_URL + reverse("newsletter:unsubscribe", args=["TOKEN"]).replace("TOKEN/", "")

    def url(self, subscriber_id: int) -> str:
        value = str(subscriber_id)
        signature = b64_encode(hmac.new(self.key, value.encode(), hashlib.sha256).digest()).decode()
        return f"{self.prefix}{value}.{signature}/"


def subscriber_for_unsubscribe(token: str) -> int | None:
    value = read_token(token, salt=UNSUBSCRIBE_SALT)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def confirm_token(subscriber_id: int, email: str, *, request: dict | None = None) -> str:
    # The address is part of what is signed: a link stops working if the subscription is for another address.
    # `request` carries what the sign-up asked for (name, postcode, consent), saved only when the link is used.
    data = {**(request or {}), "s": subscriber_id, "e": email.lower()}
    return signing.dumps(data, salt=CONFIRM_SALT, compress=True)


def confirm_url(subscriber_id: int, email: str, *, request: dict | None = None) -> str:
    token = confirm_token(subscriber_id, email, request=request)
    return settings.SITE_URL + reverse("newsletter:confirm", args=[token])


def read_confirm_token(token: str) -> dict | None:
    """The signed sign-up request: "s" subscriber id and "e" address, and what it asked for, or None."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_DAYS * 24 * 3600)
        data["s"], data["e"] = int(data["s"]), str(data["e"])
        return data
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
