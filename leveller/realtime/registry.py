"""How domains plug into the websocket without the realtime app knowing them.

- a streams provider returns the streams a member joins on connect (chat: the member's channels);
- a stream authoriser says whether a member may subscribe to `<prefix>-<id>` on request (a dashboard);
- a client handler answers a message type sent by the browser (e.g. `typing`);
- a connection hook hears each socket open and close (chat: presence).

Apps register in their AppConfig.ready().
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

StreamsProvider = Callable[[Any], Iterable[str]]
Authoriser = Callable[[Any, str], bool]
ClientHandler = Callable[[Any, dict], Awaitable[None]]
ConnectionHook = Callable[[Any], Awaitable[None]]

_providers: list[StreamsProvider] = []
_authorisers: dict[str, Authoriser] = {}
_handlers: dict[str, ClientHandler] = {}
_connection_hooks: list[tuple[ConnectionHook, ConnectionHook]] = []


def register_streams_provider(provider: StreamsProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def register_stream_authoriser(prefix: str, authoriser: Authoriser) -> None:
    _authorisers[prefix] = authoriser


def register_client_handler(message_type: str, handler: ClientHandler) -> None:
    _handlers[message_type] = handler


def register_connection_hook(on_connect: ConnectionHook, on_disconnect: ConnectionHook) -> None:
    """on_connect(consumer) runs after a member's socket is accepted and has joined its streams;
    on_disconnect(consumer) when any socket closes (also one refused at connect: check what you set)."""
    if (on_connect, on_disconnect) not in _connection_hooks:
        _connection_hooks.append((on_connect, on_disconnect))


async def connected(consumer) -> None:
    for on_connect, _ in _connection_hooks:
        try:
            await on_connect(consumer)
        except Exception:  # a hook's failure must not cost the member their socket
            log.exception("connection hook %r failed", on_connect)


async def disconnected(consumer) -> None:
    for _, on_disconnect in _connection_hooks:
        try:
            await on_disconnect(consumer)
        except Exception:
            log.exception("disconnection hook %r failed", on_disconnect)


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
