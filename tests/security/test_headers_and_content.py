"""Finding 10: a Content-Security-Policy on every page, HSTS and an https redirect with an https site URL,
swagger-ui from our own static files, and newsletter Markdown without raw HTML or tracking images."""

import os
import re
import subprocess
import sys

import pytest

from leveller.newsletter.rendering import markdown_html

pytestmark = pytest.mark.django_db


def test_every_page_has_a_content_security_policy(client, member):
    client.force_login(member)
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "img-src 'self' data: blob:" in policy


def test_the_api_docs_load_swagger_ui_from_this_site(client):
    html = client.get("/api/docs").content.decode()
    assert re.search(r"/static/ninja/swagger-ui-bundle(\.[0-9a-f]{12})?\.js", html)  # hashed once collected
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


def _settings_with(env: dict) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "leveller.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def test_an_https_site_url_turns_on_the_redirect_hsts_and_secure_cookies(tmp_path):
    env = {"LEVELLER_DATA_DIR": str(tmp_path)}
    assert _settings_with({**env, "LEVELLER_SITE_URL": "https://members.example.org"}) == "[true, 31536000, true]"
    assert _settings_with({**env, "LEVELLER_SITE_URL": "http://127.0.0.1:8000"}) == "[false, 0, false]"


def test_check_deploy_is_clean_with_an_https_site_url(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by the browser fixture
    env.update(LEVELLER_SITE_URL="https://members.example.org", LEVELLER_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "leveller", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_newsletter_markdown_shows_raw_html_as_text(settings):
    html = markdown_html('Hello <b onmouseover="x()">there</b> <iframe src="https://evil.example"></iframe>')
    assert "<b" not in html and "<iframe" not in html
    assert "&lt;b" in html


def test_newsletter_markdown_drops_images_from_other_sites(settings):
    settings.SITE_URL = "https://members.example.org"
    html = markdown_html(
        "![pixel](https://tracker.example/p.gif?u=1) ![ours](/newsletter/images/1/rally.png) "
        "![abs](https://members.example.org/newsletter/images/2/x.png) ![proto](//tracker.example/p.gif)"
    )
    assert "tracker.example" not in html
    assert 'src="/newsletter/images/1/rally.png"' in html
    assert 'src="https://members.example.org/newsletter/images/2/x.png"' in html
