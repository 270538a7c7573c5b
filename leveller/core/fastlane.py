"""A short path past Django's middleware and django-ninja for a few hot, token-authenticated API calls.

An app registers a route in its AppConfig.ready(): `register(method, pattern, handler)`, where
`handler(member, body: dict, **url_kwargs) -> (status, dict | None)` is the same function its ninja endpoint
calls, so both transports run one piece of code: access helpers, then an action. Only requests carrying
`Authorization: Bearer …` for a valid token, a known Host and a small body take the lane; anything else (a
browser session, a bad token, an odd request) falls through to Django untouched, which answers it the usual
way. Errors map as the API maps them: Http404 → 404, PermissionDenied → 403, ValidationError → 400, each with
`{"detail": …}`.

Why: the phonebank's `next` and `outcome` calls are served hundreds of times a second under 200 callers, and
Django's handler, middleware and ninja's parsing cost more than the work itself (docs/architecture.md,
Measured choices).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, close_old_connections
from django.http import Http404
from django.http.request import split_domain_port, validate_host

log = logging.getLogger("django.request")
MAX_BODY = 64 * 1024
Handler = Callable[..., tuple[int, dict | None]]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    handler: Handler


_routes: list[Route] = []


def register(method: str, pattern: str, handler: Handler) -> None:
    """`pattern` is a full-match regex of the path with named groups of digits, e.g. r"/api/v1/x/(?P<id>\\d+)"."""
    route = Route(method.upper(), re.compile(pattern), handler)
    if route not in _routes:
        _routes.append(route)


def _match(scope) -> tuple[Route, dict] | None:
    if scope.get("root_path"):
        return None
    for route in _routes:
        if route.method == scope["method"] and (found := route.pattern.fullmatch(scope["path"])):
            return route, {key: int(value) for key, value in found.groupdict().items()}
    return None


def _header(scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


def _host_allowed(scope) -> bool:
    domain, _port = split_domain_port(_header(scope, b"host"))
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


def plain_http_to_redirect(scope) -> bool:
    """With SECURE_SSL_REDIRECT on (an https site URL), a request that came over plain http (per the scheme, or
    SECURE_PROXY_SSL_HEADER behind a proxy) must not be served: the lane leaves it to Django's SecurityMiddleware,
    which redirects it, as every other path is (and the realtime socket refuses it)."""
    if not settings.SECURE_SSL_REDIRECT or scope.get("scheme") in ("https", "wss"):
        return False
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, secure_value = proxy_header
        sent = _header(scope, name.removeprefix("HTTP_").replace("_", "-").lower().encode())
        if sent.split(",", 1)[0].strip() == secure_value:
            return False
    return True


def _bearer(scope) -> str | None:
    kind, _, secret = _header(scope, b"authorization").partition(" ")
    return secret.strip() if kind.lower() == "bearer" and secret.strip() else None


def _detail(error: ValidationError) -> str:
    from leveller.api import _messages

    return _messages(error)


def _run(
    route: Route, secret: str, raw_body: bytes, kwargs: dict, key: str | None = None, path: str = ""
) -> tuple[int, dict | None] | None:
    """In a request thread: authenticate, parse, call the handler. None means "let Django answer this"."""
    from leveller.accounts.tokens import member_for_token

    close_old_connections()
    try:
        member = member_for_token(secret)
        if member is None:
            return None
        if key is not None:  # Idempotency-Key: the same mechanism as every other API write (core/idempotency.py)
            return _once(member, key, route, path, raw_body, kwargs)
        return _call(member, route, raw_body, kwargs)
    finally:
        close_old_connections()


def _once(member, key: str, route: Route, path: str, raw_body: bytes, kwargs: dict) -> tuple[int, dict | None]:
    from leveller.core import idempotency

    def call() -> idempotency.Answer:
        status, payload = _call(member, route, raw_body, kwargs)
        return idempotency.Answer(status, "application/json", b"" if payload is None else json.dumps(payload).encode())

    answer = idempotency.run(actor=f"m{member.pk}", key=key, method=route.method, path=path, body=raw_body, call=call)
    return answer.status, (json.loads(answer.body) if answer.body else None)


def _call(member, route: Route, raw_body: bytes, kwargs: dict) -> tuple[int, dict | None]:
    from leveller.core.text import parse_json

    try:
        body = parse_json(raw_body) if raw_body.strip() else {}
    except ValueError:  # not JSON, nested too deeply, or a lone surrogate (core/text.py)
        return 400, {"detail": "The request body is not valid JSON."}
    if not isinstance(body, dict):
        return 400, {"detail": "Send a JSON object."}
    try:
        return route.handler(member, body, **kwargs)
    except Http404:
        return 404, {"detail": "Not found."}
    except PermissionDenied as error:
        return 403, {"detail": str(error) or "You may not do that."}
    except ValidationError as error:
        return 400, {"detail": _detail(error)}
    except (OperationalError, InterfaceError):
        from leveller.core.unavailable import DETAIL

        return 503, {"detail": DETAIL}


class _Gone(Exception):
    pass


class _TooLarge(Exception):
    pass


async def _read_body(receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, receive):
    """The body already read, then the connection's own messages (Django listens for the disconnect)."""
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


_HEADERS = [
    (b"content-type", b"application/json"),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class FastLane:
    """ASGI middleware: serve registered routes directly on `threads` worker threads; pass everything else to
    `app` (Django).

    Each lane request is one synchronous call (`_run`), so it needs no thread of its own for its whole life:
    calls wait in the threads' shared queue and a thread takes the next one the moment it finishes. Lending a
    thread per request instead left it idle while the event loop came round to hand over the next request
    (measured: docs/architecture.md, Measured choices). On SQLite the lane has one thread: its calls write,
    SQLite takes one writer at a time, and a second thread only added GIL hand-offs."""

    def __init__(self, app, *, threads: int):
        self.app = app
        self.executor = ThreadPoolExecutor(max_workers=max(threads, 1), thread_name_prefix="fastlane")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not _routes:
            await self.app(scope, receive, send)
            return
        found = _match(scope)
        if found and plain_http_to_redirect(scope):
            found = None  # Django's SecurityMiddleware redirects it to https
        secret = _bearer(scope) if found else None
        length = _header(scope, b"content-length") if found else ""
        if not found or not secret or not _host_allowed(scope) or (length.isdigit() and int(length) > MAX_BODY):
            await self.app(scope, receive, send)
            return
        route, kwargs = found
        try:
            raw = await _read_body(receive)
        except _Gone:
            return
        except _TooLarge:
            await _respond(send, 413, {"detail": f"The request body is larger than {MAX_BODY // 1024} KiB."})
            return
        try:
            # Not thread-sensitive: the call is one function, so any lane thread will do. Through asgiref (not a
            # bare run_in_executor) so broadcasts from the call's on_commit hooks run on this event loop.
            key = _header(scope, b"idempotency-key") or None
            result = await sync_to_async(_run, thread_sensitive=False, executor=self.executor)(
                route, secret, raw, kwargs, key, scope["path"]
            )
        except (OperationalError, InterfaceError):  # the database is away: fail fast, as the API does
            from leveller.core.unavailable import DETAIL

            result = 503, {"detail": DETAIL}
        except Exception:
            log.exception("Internal Server Error: %s", scope["path"])
            result = 500, {"detail": "Something went wrong on the server."}
        if result is None:
            await self.app(scope, _replay(raw, receive), send)
            return
        await _respond(send, *result)


async def _respond(send, status: int, payload: dict | None) -> None:
    body = b"" if payload is None else json.dumps(payload).encode()
    headers = list(_HEADERS) if payload is not None else []
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
