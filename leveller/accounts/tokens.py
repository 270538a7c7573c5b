"""Reading API tokens (writing them is in actions.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from leveller.accounts.models import ApiToken, hash_secret

TOUCH_EVERY = dt.timedelta(minutes=5)


def member_for_token(secret: str):
    """The active member a token belongs to, or None. Records last use at most every few minutes."""
    if not secret or not secret.startswith(ApiToken.PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("member")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True, member__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.member
