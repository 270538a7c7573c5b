"""Finding 10, every path: with an https site URL (SECURE_SSL_REDIRECT) plain http is redirected by Django's
SecurityMiddleware. The fast lane (core/fastlane.py) answers some API calls before Django's middleware, so it
must leave plain-http requests to Django, and the realtime socket refuses plain ws://."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.core.asgi import get_asgi_application

from leveller.accounts.actions import members as members_actions
from leveller.asgi import application  # imported with the default settings: the live server's app is this one
from leveller.core.fastlane import FastLane

pytestmark = pytest.mark.django_db(transaction=True)
NEXT = "/api/v1/phonebank/campaigns/999999/next"  # a fast-lane route; the campaign need not exist


def in_own_loop(make_coroutine):
    """Run a coroutine on a fresh event loop in its own thread (a browser test may have left one running here)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def _post_all(app, requests: list[tuple[str, dict]]) -> list[httpx.Response]:
    async def go():
        answers = []
        for base, headers in requests:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as client:
                answers.append(await client.post(NEXT, headers=headers))
        return answers

    return in_own_loop(go)


def socket_answer(*, query: str = "", headers: list | None = None) -> tuple[bool, int | None]:
    """Open a realtime socket on the ASGI app and return the server's first answer: (accepted, close code)."""

    async def connect():
        sent: asyncio.Queue = asyncio.Queue()
        incoming: asyncio.Queue = asyncio.Queue()
        await incoming.put({"type": "websocket.connect"})
        scope = {
            "type": "websocket",
            "scheme": "ws",
            "path": "/ws/",
            "raw_path": b"/ws/",
            "query_string": query.encode(),
            "headers": [(b"host", b"testserver"), *(headers or [])],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
            "subprotocols": [],
        }
        task = asyncio.ensure_future(application(scope, incoming.get, sent.put))
        first = await asyncio.wait_for(sent.get(), 10)
        await incoming.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(task, 10)
        return first["type"] == "websocket.accept", first.get("code")

    return in_own_loop(connect)


def test_a_token_call_the_fast_lane_serves_is_redirected_to_https_over_plain_http(settings, member):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    auth = {"Authorization": f"Bearer {members_actions.create_api_token(actor=member, member=member, name='t')[1]}"}
    app = FastLane(get_asgi_application(), threads=1)  # built now, so Django's middleware reads these settings
    plain, behind_proxy, direct = _post_all(
        app,
        [
            ("http://testserver", auth),
            ("http://testserver", {**auth, "X-Forwarded-Proto": "https"}),
            ("https://testserver", auth),
        ],
    )
    assert plain.status_code == 301 and plain.headers["location"] == f"https://testserver{NEXT}"
    assert behind_proxy.status_code == 404 and behind_proxy.json() == {"detail": "Not found."}, "served over https"
    assert direct.status_code == 404


def test_without_an_https_site_url_the_fast_lane_serves_plain_http(settings, member):
    settings.SECURE_SSL_REDIRECT = False
    auth = {"Authorization": f"Bearer {members_actions.create_api_token(actor=member, member=member, name='t')[1]}"}
    (plain,) = _post_all(FastLane(get_asgi_application(), threads=1), [("http://testserver", auth)])
    assert plain.status_code == 404 and plain.json() == {"detail": "Not found."}


def test_the_realtime_socket_refuses_plain_ws_when_the_site_is_https(settings, member):
    _, secret = members_actions.create_api_token(actor=member, member=member, name="socket")

    def connect():
        return socket_answer(query=f"token={secret}")

    settings.SECURE_SSL_REDIRECT = True
    assert connect() == (False, 4426)
    settings.SECURE_SSL_REDIRECT = False
    assert connect() == (True, None)
