"""Profile pictures: checked by decoding them, re-encoded clean, stored under a content-hashed name.

An upload is accepted only when Pillow decodes it as PNG, JPEG, WebP or GIF (its first frame), within a size
limit in bytes (LEVELLER_AVATAR_MAX_MB) and in pixels. What is stored is never the upload: the pixels are
turned upright (EXIF orientation), cropped to the centre square, resized to SIZE×SIZE and written as a new WebP
from bare pixels, so no EXIF (camera, GPS location), XMP, ICC or comment of the original survives.

The file is `avatars/<member id>/<digest>.webp` in the default storage (MEDIA_ROOT, never served publicly, like
chat attachments) and is served by `accounts.views.avatar` to logged-in members only. The digest is of the
stored bytes, so a URL names one picture forever and may be cached for a year; a new picture is a new URL.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

SIZE = 256  # pixels, square; chat shows it at 36 CSS pixels, so this is sharp on any screen
MAX_PIXELS = 40_000_000  # an 8000×5000 photo; more is refused before it is decoded (decompression bombs)
FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
FOLDER = "avatars"
_NAME = re.compile(rf"^{FOLDER}/(?P<member>\d+)/(?P<digest>[0-9a-f]{{32}})\.webp$")
TOO_MANY_PIXELS = (
    f"That picture has more pixels than we take (at most {MAX_PIXELS // 1_000_000} million): "
    "make it smaller and try again."
)
NOT_A_PICTURE = "That file is not a picture we can read: upload a PNG, JPEG, WebP or GIF image."


def max_bytes() -> int:
    return settings.AVATAR_MAX_MB * 1024 * 1024


def _check_size(upload) -> None:
    size = getattr(upload, "size", None)
    if size is None:
        raise ValidationError(NOT_A_PICTURE)
    if size > max_bytes():
        raise ValidationError(
            f"That picture is too big ({size / 1048576:.1f} MB); the limit is {settings.AVATAR_MAX_MB} MB."
        )
    if size == 0:
        raise ValidationError("That file is empty.")


def _decode(data: bytes):
    """The first frame, decoded, as a Pillow image; a ValidationError for anything that is not one of FORMATS."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own pixel limit is below
            picture = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS)
            if width < 1 or height < 1:
                raise ValidationError(NOT_A_PICTURE)
            picture.seek(0)  # a GIF (or animated WebP): its first frame
            if picture.format == "JPEG":
                picture.draft("RGB", (SIZE, SIZE))  # decode at the smallest scale still at least SIZE
            picture.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError:  # over Pillow's own limit (which another part of the app may lower)
        raise ValidationError(TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(NOT_A_PICTURE) from None
    return picture


def _square(picture):
    """Upright, the centre square, SIZE×SIZE, in a fresh image holding pixels only (no metadata at all)."""
    from PIL import Image, ImageOps

    try:
        upright = ImageOps.exif_transpose(picture)
    except Exception:  # a broken orientation tag is not worth refusing the picture for
        upright = picture
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    mode = "RGBA" if has_alpha else "RGB"
    fitted = ImageOps.fit(upright.convert(mode), (SIZE, SIZE), method=Image.Resampling.LANCZOS)
    return Image.frombytes(mode, fitted.size, fitted.tobytes())


def process(upload) -> bytes:
    """The stored form of an upload (WebP bytes), or a ValidationError a member can act on."""
    _check_size(upload)
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    upload.seek(0)
    if len(data) > max_bytes():
        raise ValidationError(f"That picture is too big; the limit is {settings.AVATAR_MAX_MB} MB.")
    square = _square(_decode(data))
    out = io.BytesIO()
    square.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()


def name_for(member_id: int, data: bytes) -> str:
    return f"{FOLDER}/{member_id}/{hashlib.sha256(data).hexdigest()[:32]}.webp"


def store(member_id: int, data: bytes) -> str:
    """Write the picture (once: the same bytes are the same name) and return its storage name."""
    name = name_for(member_id, data)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:  # a race with the same upload: keep one copy
            default_storage.delete(saved)
    return name


def discard(name: str) -> None:
    """Delete a picture nobody uses any more (a missing file is fine)."""
    if name and _NAME.match(name):
        default_storage.delete(name)


def parse(name: str) -> tuple[int, str] | None:
    """(member id, digest) of a stored name, or None for anything else."""
    found = _NAME.match(name or "")
    return (int(found["member"]), found["digest"]) if found else None


def url_for(member) -> str:
    parsed = parse(getattr(member, "avatar", "") or "")
    if parsed is None:
        return ""
    return reverse("accounts:avatar", args=[parsed[0], parsed[1]])
