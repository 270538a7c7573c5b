"""A short per-session cache for pages that are costly to build (the home page's panels, the chat page).

PAGE_CACHE_SECONDS (LEVELLER_PAGE_CACHE_SECONDS, 0 turns it off). Keys are per member *and* session (a page holds
that session's CSRF token) and per generation: anything the member changes themselves (any request that is not
GET/HEAD/OPTIONS, core.middleware.PageCacheMiddleware) starts a new generation, so nobody comes back to a page
that misses their own change. What others change shows within the lifetime; live pages (chat) also carry the
event id they were rendered at, and the realtime client replays every event since, so a cached chat page is
brought up to date as it opens (core/static/leveller/realtime.js).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token


def _generation_key(member_id: int) -> str:
    return f"page:generation:{member_id}"


def changed(member_id: int) -> None:
    """The member changed something: their next pages render afresh."""
    key = _generation_key(member_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def key_for(request, name: str) -> str | None:
    """The cache key of this request's page `name`, or None when it must not be cached."""
    seconds = settings.PAGE_CACHE_SECONDS
    user, session = getattr(request, "user", None), getattr(request, "session", None)
    if not seconds or user is None or not user.is_authenticated or session is None or not session.session_key:
        return None
    if request.COOKIES.get("messages") or "_messages" in session:  # a flash message waits to be shown once
        return None
    generation = cache.get(_generation_key(user.pk), 0)
    return f"page:{name}:{user.pk}:{session.session_key}:{generation}:{request.get_full_path()}"


def cached(request, name: str, render: Callable[[], object]):
    """`render()` cached under key_for(); a value that is an HttpResponse is stored as its body (200 only)."""
    key = key_for(request, name)
    if key is None:
        return render()
    found = cache.get(key)
    if found is not None:
        get_token(request)  # keep the CSRF cookie as a fresh render would
        if isinstance(found, tuple) and found[0] == "response":
            return HttpResponse(found[2], content_type=found[1])
        return found
    value = render()
    if isinstance(value, HttpResponse):
        if value.status_code == 200 and not value.streaming:
            cache.set(key, ("response", value["Content-Type"], value.content), settings.PAGE_CACHE_SECONDS)
    else:
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value
