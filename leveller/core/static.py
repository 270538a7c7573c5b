"""Static files under ASGI: WhiteNoise answers with a synchronous file iterator, which Django's ASGI handler
must consume in a thread (and warns about). Our static files are small (CSS, htmx, a little JS), so the
body is read once and sent as an ordinary response; WhiteNoise still supplies caching headers, compression
negotiation and 304s."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from django.http import HttpResponse
from whitenoise.compress import Compressor
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage

ONE_YEAR = 365 * 24 * 3600
BROTLI_QUALITY = 9  # 11 (the library's default) took ~10x the CPU at every first start for a few % smaller files


class QuickerCompressor(Compressor):
    @staticmethod
    def compress_brotli(data):
        import brotli

        return brotli.compress(data, quality=BROTLI_QUALITY)


class HashedCompressedStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage (hashed names, .gz and .br beside each file). Until `collectstatic` has written
    a manifest, names are left as they are instead of failing, so tests and a fresh checkout need no build step."""

    manifest_strict = False

    def create_compressor(self, **kwargs):
        return QuickerCompressor(**kwargs)

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:  # not collected yet: the finders serve the plain name
            return name


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    FOREVER = ONE_YEAR  # hashed names never change content: cached for a year, immutable

    @staticmethod
    def serve(static_file, request):
        response = WhiteNoiseMiddleware.serve(static_file, request)
        if not response.streaming:
            return response
        try:
            body = b"".join(response.streaming_content)
        finally:
            response.close()
        plain = HttpResponse(body, status=response.status_code)
        for header, value in response.items():
            plain[header] = value
        return plain


def collect_if_changed() -> bool:
    """Run `collectstatic` unless the collected files already match the sources (names, sizes, times): compressing
    every file takes seconds, and most starts change nothing. Returns whether it ran."""
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.core.management import call_command

    digest = hashlib.blake2b(digest_size=16)
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    fingerprint = digest.hexdigest()
    root = Path(settings.STATIC_ROOT)
    marker, manifest = root / ".sources", root / "staticfiles.json"
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:  # servers starting together on one data directory take turns
        fcntl.flock(lock, fcntl.LOCK_EX)
        if manifest.exists() and marker.exists() and marker.read_text() == fingerprint:
            return False
        call_command("collectstatic", interactive=False, verbosity=0)
        marker.write_text(fingerprint)
        return True
