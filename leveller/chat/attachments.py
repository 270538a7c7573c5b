"""Attachment checks: images and PDFs only, recognised by their content (not the name the browser sent)."""

from __future__ import annotations

import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError

SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
    (b"%PDF-", "application/pdf", ".pdf"),
]


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def max_bytes() -> int:
    return getattr(settings, "CHAT_MAX_ATTACHMENT_MB", 10) * 1024 * 1024


def check_upload(upload) -> tuple[str, str]:
    """(content_type, safe file name) for an acceptable upload, else a ValidationError saying why."""
    label = os.path.basename(getattr(upload, "name", "") or "file")
    if upload.size > max_bytes():
        raise ValidationError(
            f"{label} is too big ({upload.size / 1048576:.1f} MB); the limit is {settings.CHAT_MAX_ATTACHMENT_MB} MB."
        )
    if upload.size == 0:
        raise ValidationError(f"{label} is empty.")
    upload.seek(0)
    found = sniff(upload.read(16))
    upload.seek(0)
    if found is None:
        raise ValidationError(f"{label} is not an image (PNG, JPEG, GIF, WebP) or a PDF, so it cannot be attached.")
    content_type, extension = found
    stem = re.sub(r"[^\w.-]+", "-", os.path.splitext(label)[0], flags=re.UNICODE).strip(".-")[:80] or "file"
    return content_type, stem + extension
