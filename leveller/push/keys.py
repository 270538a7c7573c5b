"""The server's VAPID key pair (RFC 8292): configured with LEVELLER_VAPID_PRIVATE_KEY, or generated once and
kept in the data directory (vapid-private.pem, readable only by its owner)."""

from __future__ import annotations

import base64
import os
from functools import cache

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid

from leveller.env import ConfigError, env_str

FILE_NAME = "vapid-private.pem"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _from_setting(value: str) -> Vapid:
    try:
        if "BEGIN" in value:
            return Vapid.from_pem(value.replace("\\n", "\n").encode())
        return Vapid.from_string(value)
    except Exception:
        raise ConfigError(
            "LEVELLER_VAPID_PRIVATE_KEY is not a VAPID private key: give a PEM, or the base64url raw or DER key"
        ) from None


def _from_file() -> Vapid:
    path = settings.DATA_DIR / FILE_NAME
    if not path.exists():
        vapid = Vapid()
        vapid.generate_keys()
        pem = vapid.private_pem()
        try:  # O_EXCL: if another process got there first, use its key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return Vapid.from_file(str(path))


@cache
def vapid() -> Vapid:
    configured = env_str("LEVELLER_VAPID_PRIVATE_KEY")
    return _from_setting(configured) if configured else _from_file()


def public_key() -> str:
    """The application server key browsers subscribe with: the uncompressed P-256 point, base64url."""
    raw = vapid().public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(raw)


def contact() -> str:
    """The VAPID `sub` claim: how a push service reaches the operator."""
    configured = env_str("LEVELLER_VAPID_CONTACT")
    if configured:
        return configured if configured.startswith(("mailto:", "https:")) else f"mailto:{configured}"
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
    if settings.SITE_URL.startswith("https://"):
        return settings.SITE_URL
    return f"mailto:{address}"
