"""Static files: content-hashed names, gzip and brotli copies, a year's immutable cache once collected; plain names
(served by the finders) before anything is collected."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import RequestFactory

# Closing a response fires request_finished, which closes database connections: without database access allowed
# that fails whenever an earlier test in the process opened one.
pytestmark = pytest.mark.django_db


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path  # Django resets the storage when STATIC_ROOT changes
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"])
    return tmp_path


def test_before_collecting_pages_link_the_plain_names(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    assert static("chat/chat.js") == "/static/chat/chat.js"


def test_collected_files_have_hashed_names_and_gzip_and_brotli_copies(collected):
    url = static("chat/chat.js")
    assert url.startswith("/static/chat/chat.") and url.endswith(".js") and url != "/static/chat/chat.js"
    name = url.removeprefix("/static/")
    assert (collected / name).exists()
    assert (collected / f"{name}.gz").exists()
    assert (collected / f"{name}.br").exists()


def test_a_hashed_file_is_cached_for_a_year_and_sent_compressed(collected):
    from leveller.core.static import StaticFilesMiddleware

    url = static("leveller/realtime.js")
    middleware = StaticFilesMiddleware(lambda request: None)
    response = middleware(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, br"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=31536000, public, immutable"
    assert response["Content-Encoding"] == "br"
    plain = middleware(RequestFactory().get("/static/leveller/realtime.js"))
    assert "immutable" not in plain["Cache-Control"]
