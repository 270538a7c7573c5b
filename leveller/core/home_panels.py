"""The workspace home is a list of panels; each domain registers its own (chat: unread channels …)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString

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
    return [html for _, panel in _panels if (html := panel(request))]
