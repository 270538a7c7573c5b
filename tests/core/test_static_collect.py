"""Static files, collected at start only when the sources changed (core/static.py's collect_if_changed), and served
by the middleware as ordinary responses: a 304 for a browser that has the file, a plain body otherwise."""

from __future__ import annotations

import os

import pytest
from django.test import RequestFactory

from leveller.core.static import StaticFilesMiddleware, collect_if_changed

pytestmark = pytest.mark.django_db  # a finished response closes old database connections


@pytest.fixture
def sources(settings, tmp_path):
    """One small source folder as the only place static files come from, collected into its own root."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "site.css").write_text("body { color: #111; }\n" * 50)
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "collected"
    return source


def test_the_first_start_collects_hashed_and_compressed_copies(sources, settings):
    assert collect_if_changed() is True
    root = settings.STATIC_ROOT
    assert (root / "staticfiles.json").exists()
    hashed = [p.name for p in root.iterdir() if p.name.startswith("site.") and p.name.endswith(".css")]
    assert hashed, "a content-hashed copy of site.css"
    assert (root / f"{hashed[0]}.br").exists() and (root / f"{hashed[0]}.gz").exists()


def test_a_start_with_unchanged_sources_collects_nothing(sources):
    assert collect_if_changed() is True
    assert collect_if_changed() is False


def test_a_changed_source_is_collected_again(sources):
    assert collect_if_changed() is True
    css = sources / "site.css"
    css.write_text("body { color: #222; }\n")
    stat = css.stat()
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert collect_if_changed() is True


def test_a_lost_manifest_is_collected_again(sources, settings):
    assert collect_if_changed() is True
    (settings.STATIC_ROOT / "staticfiles.json").unlink()
    assert collect_if_changed() is True
    assert (settings.STATIC_ROOT / "staticfiles.json").exists()


def test_a_browser_that_has_the_file_is_told_it_is_unchanged(settings):
    middleware = StaticFilesMiddleware(lambda request: None)
    first = middleware(RequestFactory().get("/static/leveller/realtime.js"))
    assert first.status_code == 200 and not first.streaming and first.content
    again = middleware(RequestFactory().get("/static/leveller/realtime.js", HTTP_IF_NONE_MATCH=first["ETag"]))
    assert again.status_code == 304
    assert again.content == b""


def test_a_name_not_collected_yet_is_linked_as_it_is(settings, tmp_path):
    from leveller.core.static import HashedCompressedStorage

    settings.STATIC_ROOT = tmp_path
    assert HashedCompressedStorage().stored_name("not/collected.js") == "not/collected.js"
