"""Sign-in helpers shared by the login page and django-axes."""

from __future__ import annotations

from leveller.accounts.models import normalise_email


def lockout_username(request, credentials=None) -> str | None:
    """The key django-axes counts failed logins by: the email as the login matches it (any case, trimmed), so
    `STAFF@example.org` and `staff@example.org` share one count of tries."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = getattr(request, "data", None) or request.POST
        value = value.get("username") if hasattr(value, "get") else None
    return normalise_email(value) if isinstance(value, str) else value
