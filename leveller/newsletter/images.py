"""Pictures for issues: checked with Pillow (a real PNG, JPEG, GIF or WebP), stored under MEDIA_ROOT."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from leveller.core import audit
from leveller.newsletter.models import Image, Issue

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "GIF": ("image/gif", "gif"),
           "WEBP": ("image/webp", "webp")}  # fmt: skip


def store_image(*, actor, issue: Issue, upload, alt: str) -> Image:
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    alt = " ".join((alt or "").split())
    if not alt:
        raise ValidationError("Describe the picture (alt text) for readers who cannot see it.")
    if len(alt) > 300:
        raise ValidationError("Keep the description under 300 characters.")
    if upload is None:
        raise ValidationError("Choose a picture to upload.")
    if upload.size > MAX_BYTES:
        raise ValidationError("That picture is over 5 MB: make it smaller and try again.")
    data = upload.read()
    try:
        PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS
        with PILImage.open(_bytes(data)) as picture:
            picture.verify()
        with PILImage.open(_bytes(data)) as picture:
            kind, (width, height) = picture.format, picture.size
    except (UnidentifiedImageError, OSError, SyntaxError, PILImage.DecompressionBombError):
        raise ValidationError("That file is not a picture we can use: upload a PNG, JPEG, GIF or WebP image.")
    if kind not in FORMATS:
        raise ValidationError("Upload a PNG, JPEG, GIF or WebP image.")
    content_type, extension = FORMATS[kind]
    image = Image(issue=issue, alt=alt, content_type=content_type, width=width, height=height, uploaded_by=actor)
    image.file.save(f"{secrets.token_hex(8)}.{extension}", ContentFile(data), save=False)
    image.save()
    audit.record(actor=actor, action="newsletter.image_uploaded", target=issue, summary=alt)
    return image


def _bytes(data: bytes):
    import io

    return io.BytesIO(data)
