"""The workspace home is a list of panels; each domain registers its own (chat: unread channels …).

The panels' HTML is cached per session for a few seconds (core.page_cache): a home page answers from one cache
read instead of every domain's queries, and a member's own changes start afresh at once.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

from leveller.core import page_cache

Panel = Callable[..., SafeString | str | None]
_panels: list[tuple[int, Panel]] = []


def register(order: int):
    def decorator(panel: Panel) -> Panel:
        if all(existing is not panel for _, existing in _panels):
            _panels.append((order, panel))
            _panels.sort(key=lambda item: item[0])
        return panel

    return decorator


def render_all(request) -> list[str]:
    found = page_cache.cached(request, "home-panels", lambda: [str(html) for html in _render(request)])
    return [mark_safe(html) for html in found]


def _render(request) -> list[str]:
    return [html for _, panel in _panels if (html := panel(request))]
