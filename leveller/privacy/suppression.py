"""The suppression list: keyed hashes of erased people's emails and phones.

An entry cannot be turned back into the address (HMAC-SHA256 with a key the database does not hold), but a
later import, sign-up form, contact upload or `leveller member add` with the same address or number is
matched and refused. Only the person themselves can lift it, by signing up again and confirming by email.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError

from leveller.accounts.models import normalise_email

MESSAGE = (
    "{what} is on the suppression list: its owner asked us to erase their data, so it cannot be added by an "
    "import, a form or a command. Only they can sign up again themselves."
)


class Suppressed(ValidationError):
    pass


@functools.cache
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"leveller-suppression:" + secret.encode()).digest()


def _digest(kind: str, value: str) -> str:
    key = _key(settings.PRIVACY_SUPPRESSION_KEY or settings.SECRET_KEY)
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def normalise_phone(value: str) -> str:
    """E.164 digits only ("+44 7700 900123" and "+447700900123" match); numbers are stored in E.164."""
    value = (value or "").strip()
    digits = "".join(ch for ch in value if ch.isdigit())
    return f"+{digits}" if digits else ""


def email_digest(email: str) -> str:
    return _digest("email", normalise_email(email))


def phone_digest(phone: str) -> str:
    return _digest("phone", normalise_phone(phone))


def digests(*, email: str = "", phone: str = "") -> list[str]:
    found = []
    if normalise_email(email):
        found.append(email_digest(email))
    if normalise_phone(phone):
        found.append(phone_digest(phone))
    return found


def is_suppressed(*, email: str = "", phone: str = "") -> bool:
    from leveller.privacy.models import Suppression

    wanted = digests(email=email, phone=phone)
    return bool(wanted) and Suppression.objects.filter(digest__in=wanted).exists()


def suppressed_phones(numbers: list[str]) -> set[str]:
    """Which of these E.164 numbers are suppressed (one query for a batch of a contact upload)."""
    from leveller.privacy.models import Suppression

    by_digest = {phone_digest(n): n for n in numbers if n}
    if not by_digest:
        return set()
    hits = Suppression.objects.filter(digest__in=list(by_digest)).values_list("digest", flat=True)
    return {by_digest[d] for d in hits}


def refuse(*, email: str = "", phone: str = "") -> None:
    from leveller.privacy.models import Suppression

    if normalise_email(email) and Suppression.objects.filter(digest=email_digest(email)).exists():
        raise Suppressed(MESSAGE.format(what=f"The address {normalise_email(email)}"))
    if normalise_phone(phone) and Suppression.objects.filter(digest=phone_digest(phone)).exists():
        raise Suppressed(MESSAGE.format(what="That phone number"))


def refuse_new_member(*, actor, email: str, phone: str = "", **_) -> None:
    """accounts' before-create hook: no import, form or command brings an erased member back."""
    refuse(email=email, phone=phone)


def add(*, email: str = "", phone: str = "", reason: str = "erasure") -> int:
    from leveller.privacy.models import Suppression

    added = 0
    for kind, value in (("email", email), ("phone", phone)):
        wanted = digests(**{kind: value})
        for digest in wanted:
            _, created = Suppression.objects.get_or_create(digest=digest, defaults={"kind": kind, "reason": reason})
            added += created
    return added


def lift(*, email: str) -> bool:
    """The person signed up again themselves and confirmed from the address: their email may return."""
    from leveller.privacy.models import Suppression

    deleted, _ = Suppression.objects.filter(digest=email_digest(email)).delete()
    return bool(deleted)
