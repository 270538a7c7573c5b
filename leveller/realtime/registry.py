"""How domains plug into the websocket without the realtime app knowing them.

- a streams provider returns the streams a member joins on connect (chat: the member's channels);
- a stream authoriser says whether a member may subscribe to `<prefix>-<id>` on request (a dashboard);
- a client handler answers a message type sent by the browser (e.g. `typing`).

Apps register in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

StreamsProvider = Callable[[Any], Iterable[str]]
Authoriser = Callable[[Any, str], bool]
ClientHandler = Callable[[Any, dict], Awaitable[None]]

_providers: list[StreamsProvider] = []
_authorisers: dict[str, Authoriser] = {}
_handlers: dict[str, ClientHandler] = {}


def register_streams_provider(provider: StreamsProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def register_stream_authoriser(prefix: str, authoriser: Authoriser) -> None:
    _authorisers[prefix] = authoriser


def register_client_handler(message_type: str, handler: ClientHandler) -> None:
    _handlers[message_type] = handler


def streams_for(member) -> set[str]:
    streams = {f"user-{member.pk}"}
    for provider in _providers:
        streams.update(provider(member))
    return streams


def may_subscribe(member, stream: str) -> bool:
    if stream == f"user-{member.pk}":
        return True
    prefix, _, ident = stream.rpartition("-")
    authoriser = _authorisers.get(prefix)
    return bool(authoriser and ident and authoriser(member, ident))


def client_handler(message_type: str) -> ClientHandler | None:
    return _handlers.get(message_type)
