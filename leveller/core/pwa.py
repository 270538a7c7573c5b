"""The installable web app: the manifest, the service worker (served from the root so its scope is the whole
site) and the page it shows when the network is gone. See docs/architecture.md, "Installable app and push"."""

from __future__ import annotations

import hashlib
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

THEME_COLOUR = "#a4161a"

# What the service worker keeps for offline use: the app shell (styles, scripts, icons). Members' pages are
# never cached: a shared phone must not show the last member's messages after they log out.
SHELL_STATIC = [
    "leveller/app.css",
    "leveller/realtime.js",
    "leveller/app.js",
    "leveller/favicon.svg",
    "leveller/icons/icon-192.png",
    "leveller/icons/badge-96.png",
    "django_htmx/htmx-2.min.js",
]


def _icon(size: int, purpose: str = "any") -> dict:
    name = f"icon-{size}.png" if purpose == "any" else f"maskable-{size}.png"
    return {"src": static(f"leveller/icons/{name}"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}


def manifest_data() -> dict:
    return {
        "id": "/",
        "name": settings.SITE_NAME,
        "short_name": settings.SITE_NAME[:12],
        "description": f"{settings.SITE_NAME}: chat, calling, groups, events and votes for members.",
        "start_url": "/?source=app",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "lang": "en-GB",
        "dir": "ltr",
        "categories": ["social", "productivity"],
        "icons": [_icon(192), _icon(512), _icon(192, "maskable"), _icon(512, "maskable")],
        "shortcuts": [
            {"name": "Chat", "url": "/chat/", "icons": [_icon(192)]},
            {"name": "Events", "url": "/events/", "icons": [_icon(192)]},
        ],
    }


@require_GET
def manifest(request):
    response = JsonResponse(manifest_data(), json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@cache
def _static_path(name: str) -> str:
    path = finders.find(name)
    if not isinstance(path, str):
        raise FileNotFoundError(name)
    return path


def shell_version() -> str:
    """Changes whenever a shell file changes, so browsers install the new worker and drop the old cache."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    with open(_static_path("leveller/sw.js"), "rb") as handle:
        digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request):
    with open(_static_path("leveller/sw.js"), encoding="utf-8") as handle:
        source = handle.read()
    config = (
        f"const VERSION = {shell_version()!r};\n"
        f"const OFFLINE_URL = {reverse('core:offline')!r};\n"
        f"const SHELL = {[static(name) for name in SHELL_STATIC]!r};\n"
        f"const ICON = {static('leveller/icons/icon-192.png')!r};\n"
        f"const BADGE = {static('leveller/icons/badge-96.png')!r};\n"
    )
    response = HttpResponse(config + source, content_type="application/javascript; charset=utf-8")
    # Browsers check for a new worker on navigation; no-cache makes that check see each release at once.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    """What the service worker shows when a page cannot be reached. Rendered without the member (it is cached)."""
    request.user = AnonymousUser()
    response = render(request, "core/pwa/offline.html")
    response["Cache-Control"] = "no-store"
    return response
