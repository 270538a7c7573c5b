"""Checking what a browser sends as its push subscription (PushSubscription.toJSON()) before the server will
ever POST to it: the endpoint must be a known push service (never an address inside our own network), and
the keys must be a P-256 point and a 16-byte secret (RFC 8291)."""

from __future__ import annotations

import base64
from urllib.parse import urlparse

from django.core.exceptions import ValidationError

from leveller.env import env_list

# The push services browsers use today (Chrome/Edge/Opera/Samsung via FCM, Firefox, Safari, Windows).
DEFAULT_SERVICES = [
    "fcm.googleapis.com",
    "android.googleapis.com",
    "updates.push.services.mozilla.com",
    "push.services.mozilla.com",
    "web.push.apple.com",
    "notify.windows.com",
    "push.apple.com",
]


def services() -> list[str]:
    return env_list("LEVELLER_PUSH_SERVICES", DEFAULT_SERVICES)


def _decode(value: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError):
        raise ValidationError(f"The subscription's {what} key is not base64url.") from None


def check_endpoint(endpoint: str) -> str:
    endpoint = (endpoint or "").strip()
    parsed = urlparse(endpoint)
    host = (parsed.hostname or "").lower()
    allowed = services()
    plain_http_ok = host in {"127.0.0.1", "localhost", "::1"} and host in allowed
    if parsed.scheme != "https" and not (parsed.scheme == "http" and plain_http_ok):
        raise ValidationError("A push endpoint must be an https:// address of the browser's push service.")
    if not any(host == service or host.endswith("." + service) for service in allowed):
        raise ValidationError(f"{host or 'That address'} is not a push service this server sends to.")
    if len(endpoint) > 2000:
        raise ValidationError("That push endpoint is too long.")
    return endpoint


def check_keys(p256dh: str, auth: str) -> tuple[str, str]:
    point = _decode(p256dh or "", "p256dh")
    secret = _decode(auth or "", "auth")
    if len(point) != 65 or point[0] != 4:
        raise ValidationError("The subscription's p256dh key is not an uncompressed P-256 public key.")
    if len(secret) != 16:
        raise ValidationError("The subscription's auth secret must be 16 bytes.")
    return p256dh, auth
