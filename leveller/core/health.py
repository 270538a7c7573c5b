"""GET /healthz: database and channel-layer status, 200 when both work, else 503."""

from __future__ import annotations

import asyncio
import time

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpResponse, JsonResponse


def _database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return {"status": "error", "error": str(error).splitlines()[0][:200]}
    finally:
        connection.close_if_unusable_or_obsolete()
    return {"status": "ok", "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 2)}


async def _channel_layer() -> dict:
    layer = get_channel_layer()
    if layer is None:
        return {"status": "error", "error": "no channel layer configured"}
    started = time.perf_counter()
    try:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "health.ping"})
        message = await asyncio.wait_for(layer.receive(channel), timeout=2)
        if message.get("type") != "health.ping":
            return {"status": "error", "error": "unexpected message"}
    except Exception as error:
        return {"status": "error", "error": (str(error) or type(error).__name__)[:200]}
    return {"status": "ok", "backend": type(layer).__name__, "ms": round((time.perf_counter() - started) * 1000, 2)}


async def healthz(request):
    database = await sync_to_async(_database, thread_sensitive=True)()
    layer = await _channel_layer()
    healthy = database["status"] == "ok" and layer["status"] == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "channel_layer": layer},
        status=200 if healthy else 503,
    )


def ping(request):
    """Liveness: the process answers. No database, no session: the cheapest Django view there is."""
    return HttpResponse("ok", content_type="text/plain")
