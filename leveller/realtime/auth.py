"""Websocket authentication: `?token=` or `Authorization: Bearer`, else the session cookie.

A browser always sends Origin on a websocket; when it does, it must be one of our hosts, so another site
cannot ride a member's session cookie. Token clients need no Origin.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from channels.auth import AuthMiddleware
from channels.db import database_sync_to_async
from channels.sessions import CookieMiddleware, InstanceSessionWrapper, SessionMiddleware
from django.conf import settings
from django.http.request import validate_host

from leveller.accounts.tokens import member_for_token


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


class OriginCheck:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        origin = _header(scope, b"origin")
        if scope["type"] == "websocket" and origin:
            host = urlparse(origin).hostname or ""
            trusted = {urlparse(o).hostname for o in settings.CSRF_TRUSTED_ORIGINS}
            if not (validate_host(host, settings.ALLOWED_HOSTS) or host in trusted):
                await send({"type": "websocket.close", "code": 4403})
                return
        return await self.app(scope, receive, send)


class HttpsOnly:
    """With an https site URL (SECURE_SSL_REDIRECT), a socket over plain ws:// is refused, as plain-http pages are
    redirected: a token or session cookie sent in clear must not work."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        from leveller.core.fastlane import plain_http_to_redirect

        if scope["type"] == "websocket" and plain_http_to_redirect(scope):
            await send({"type": "websocket.close", "code": 4426})
            return
        return await self.app(scope, receive, send)


class TokenAuth:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        token = parse_qs(scope.get("query_string", b"").decode()).get("token", [None])[0]
        header = _header(scope, b"authorization")
        if not token and header and header.lower().startswith("bearer "):
            token = header[7:].strip()
        if token:
            member = await database_sync_to_async(member_for_token)(token)
            if member is None:
                await send({"type": "websocket.close", "code": 4401})
                return
            scope = {**scope, "user": member, "auth": "token"}
        return await self.app(scope, receive, send)


class TwoFactorGate:
    """A session socket of a member whose role requires two-factor sign-in, from a session not verified with a
    code, is refused, as their pages are (accounts/two_factor.py). A token is its own credential."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and scope.get("auth") != "token" and "session" in scope:
            from leveller.accounts.two_factor import session_owes_code

            if await database_sync_to_async(session_owes_code)(scope["user"], scope["session"]):
                await send({"type": "websocket.close", "code": 4403})
                return
        return await self.app(scope, receive, send)


class ReadOnlySessionMiddleware(SessionMiddleware):
    """Channels' SessionMiddleware, minus its wrapper around `send`: a websocket reads the session (who is
    this?) and never saves it, yet the wrapper inspected the session on every frame sent, which doubled the
    cost of a realtime push (bench/bench_chat_fanout.py)."""

    async def __call__(self, scope, receive, send):
        wrapper = InstanceSessionWrapper(scope, send)
        await wrapper.resolve_session()
        return await self.inner(wrapper.scope, receive, send)


def websocket_auth(app):
    """Session auth first (sets scope['user']), then a token overrides it when one is given."""
    return HttpsOnly(
        OriginCheck(CookieMiddleware(ReadOnlySessionMiddleware(AuthMiddleware(TokenAuth(TwoFactorGate(app))))))
    )
