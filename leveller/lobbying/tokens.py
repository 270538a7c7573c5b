"""Signed links in lobbying emails: confirming a supporter's letter, and answering the follow-up question.
Nothing is stored; a link names one letter and expires."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_SALT = "leveller.lobbying.confirm"
FOLLOW_UP_SALT = "leveller.lobbying.follow-up"
CONFIRM_DAYS = 7
FOLLOW_UP_DAYS = 90


def _token(salt: str, letter_id: int) -> str:
    return signing.TimestampSigner(salt=salt).sign(str(letter_id)).replace(":", ".")


def _read(salt: str, token: str, days: int) -> int | None:
    try:
        return int(signing.TimestampSigner(salt=salt).unsign(token.replace(".", ":"), max_age=days * 86400))
    except (signing.BadSignature, ValueError):
        return None


def confirm_url(letter_id: int) -> str:
    return settings.SITE_URL + reverse("lobbying:confirm", args=[_token(CONFIRM_SALT, letter_id)])


def letter_for_confirm(token: str) -> int | None:
    return _read(CONFIRM_SALT, token, CONFIRM_DAYS)


def follow_up_url(letter_id: int) -> str:
    return settings.SITE_URL + reverse("lobbying:follow_up", args=[_token(FOLLOW_UP_SALT, letter_id)])


def letter_for_follow_up(token: str) -> int | None:
    return _read(FOLLOW_UP_SALT, token, FOLLOW_UP_DAYS)
