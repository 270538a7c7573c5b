"""Top navigation entries, registered by each domain in AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    order: int
    label: str
    url_name: str
    visible: Callable[..., bool] = lambda user: user.is_authenticated


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _items):
        _items.append(item)
        _items.sort(key=lambda i: i.order)


def items_for(user) -> list[NavItem]:
    return [item for item in _items if item.visible(user)]
