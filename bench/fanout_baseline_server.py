"""The fan-out baseline: a bare ASGI app under uvicorn that keeps a set of websockets and sends every POSTed
body to all of them. No database, no auth, no channel layer: the floor for bench_chat_fanout.py.

    .venv/bin/python -m uvicorn fanout_baseline_server:app --app-dir bench --port 8001
"""

from __future__ import annotations

import contextlib
import json

sockets: set = set()
counter = 0


async def app(scope, receive, send):
    if scope["type"] == "websocket":
        await websocket(receive, send)
    elif scope["type"] == "http":
        await http(scope, receive, send)


async def websocket(receive, send):
    event = await receive()
    if event["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": json.dumps({"type": "hello", "last_event_id": counter})})
    sockets.add(send)
    try:
        while (await receive())["type"] != "websocket.disconnect":
            pass
    finally:
        sockets.discard(send)


async def http(scope, receive, send):
    global counter
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    status, reply = 200, b"ok"
    if scope["method"] == "POST":
        counter += 1
        event = {"type": "message.created", "event_id": counter, "stream": "channel-1", "message": json.loads(body)}
        text = json.dumps(event)  # encoded once, sent to every socket
        for sock in list(sockets):
            with contextlib.suppress(Exception):  # a socket closing meanwhile
                await sock({"type": "websocket.send", "text": text})
        status, reply = 201, json.dumps({"id": counter}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": reply})
