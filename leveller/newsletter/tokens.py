"""Signed links for subscribers: no login needed, nothing stored, nothing guessable.

- unsubscribe tokens never expire (a link in an old email must still work) and name one subscriber;
- confirmation tokens expire after CONFIRM_DAYS.

Both are Django's signing (Signer, and TimestampSigner through signing.dumps), so a token signed before a
SECRET_KEY rotation still verifies while the old key is in SECRET_KEY_FALLBACKS.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
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
    """The same links as unsubscribe_url() for a send of many thousands: the URL prefix is reversed once; the
    token is signed the one way, by Django's Signer (core.unsubscribe.sign_token)."""

    def __init__(self):
        self.prefix = settings.SITE_URL + reverse("newsletter:unsubscribe", args=["TOKEN"]).replace("TOKEN/", "")

    def url(self, subscriber_id: int) -> str:
        return f"{self.prefix}{unsubscribe_token(subscriber_id)}/"


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
