"""Lighthouse-style checks: the manifest is valid and installable, and the service worker serves the offline page."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, session_for

pytestmark = [pytest.mark.django_db]


def test_the_manifest_names_the_app_and_its_icons_and_scope(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] and manifest["short_name"]
    assert manifest["display"] in {"standalone", "fullscreen", "minimal-ui"}
    assert manifest["scope"] == "/"
    assert manifest["start_url"].startswith("/")
    sizes = {}
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200, icon["src"]
        picture = Image.open(io.BytesIO(b"".join(image.streaming_content) if image.streaming else image.content))
        assert f"{picture.width}x{picture.height}" == icon["sizes"]
        assert picture.format == "PNG"
        sizes.setdefault(icon["purpose"], set()).add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes["any"]
    assert "512x512" in sizes["maskable"]


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert b"const OFFLINE_URL = '/offline'" in response.content


def test_the_offline_page_shows_no_member(client, member):
    client.force_login(member)
    response = client.get("/offline")
    assert response.status_code == 200
    assert b"You are offline" in response.content
    assert member.display_name.encode() not in response.content


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chromium_finds_the_app_installable_and_the_worker_answers_offline(
    browser, live_server_asgi, member, axe, tmp_path
):
    # A profile on disk: Chromium never offers to install from an incognito (throwaway) profile.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        base_url=live_server_asgi.url,
    )
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "sessionid", "value": session_for(member), "url": live_server_asgi.url}])
    try:
        page = context.new_page()
        installable_and_offline(page, axe)
    finally:
        context.close()


def installable_and_offline(page, axe):
    page.goto("/")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == page.url.split("/")[0] + "//" + page.url.split("/")[2] + "/"
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"].endswith("/manifest.webmanifest")
    page.reload()  # now the worker controls the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    installability = cdp.send("Page.getInstallabilityErrors")
    assert installability["installabilityErrors"] == [], installability

    page.context.set_offline(True)
    page.goto("/groups/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    axe(page)
    page.context.set_offline(False)
    page.goto("/groups/")
    expect(page.get_by_role("heading", name="You are offline")).to_have_count(0)
