"""One-click unsubscribe (RFC 8058) for every kind of email: signed tokens that never expire and name what
they unsubscribe from, the two headers, and recognising a mail provider's one-click POST."""

from __future__ import annotations

from django.core import signing


def sign_token(value: str, *, salt: str) -> str:
    """A URL-safe signed token for `value` (no ':' so it sits in a path segment)."""
    return signing.Signer(salt=salt).sign(value).replace(":", ".")


def read_token(token: str, *, salt: str) -> str | None:
    """The value signed into `token`, or None when the token was not made by sign_token with this salt."""
    try:
        return signing.Signer(salt=salt).unsign((token or "").replace(".", ":"))
    except signing.BadSignature:
        return None


def headers(url: str) -> dict[str, str]:
    """List-Unsubscribe and List-Unsubscribe-Post: mail clients show an unsubscribe button that POSTs to url."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def is_one_click(request) -> bool:
    return request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"
