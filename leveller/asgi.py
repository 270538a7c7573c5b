"""The one ASGI application: HTTP through Django, websockets through Channels, served by uvicorn."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leveller.settings")

from django.conf import settings
from django.core.asgi import get_asgi_application

from leveller.core import sqlite_wal
from leveller.core.fastlane import FastLane
from leveller.core.request_threads import RequestThreads, Threads

# Hot token-authenticated API calls take the fast lane; everything else goes to Django on the request threads.
django_app = FastLane(
    RequestThreads(get_asgi_application(), threads=Threads(settings.REQUEST_THREADS)),
    threads=1 if settings.DATABASE_IS_SQLITE else max(settings.REQUEST_THREADS, 1),
)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from leveller.realtime.auth import websocket_auth  # noqa: E402
from leveller.realtime.consumer import LevellerConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_app,
        "websocket": websocket_auth(URLRouter([path("ws/", LevellerConsumer.as_asgi())])),
    }
)


# SQLite: WAL checkpoints on a background thread rather than inside whichever request commits.
sqlite_wal.start_checkpointer()

# Everything imported so far (Django, the apps, their libraries) lives as long as the process: move it out of
# the garbage collector's reach, so a full collection scans only what requests and sockets made. Without this,
# full collections landed in the middle of broadcasts and set the fan-out benchmark's p99
# (docs/architecture.md, Measured choices).
gc.collect()
gc.freeze()
