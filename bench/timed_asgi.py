"""Leveller's ASGI application wrapped to report server time: each HTTP response carries
`Server-Timing: app;dur=<ms>` (time from the request reaching the app to the response headers leaving it).

Benchmarks only: started with uvicorn and the same options as `leveller serve` (see bench_chat_post.py).
"""

from __future__ import annotations

import time

from leveller.asgi import application as leveller_application


async def application(scope, receive, send):
    if scope["type"] != "http":
        return await leveller_application(scope, receive, send)
    started = time.perf_counter()

    async def timed_send(message):
        if message["type"] == "http.response.start":
            duration = (time.perf_counter() - started) * 1000
            headers = [*message.get("headers", []), (b"server-timing", f"app;dur={duration:.3f}".encode())]
            message = {**message, "headers": headers}
        await send(message)

    return await leveller_application(scope, receive, timed_send)
