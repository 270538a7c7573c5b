"""Run each HTTP request's sync code on one of a fixed set of long-lived threads.

Django's ASGI handler gives every request a new thread (asgiref's per-request ThreadSensitiveContext), so
under load the process runs hundreds of threads fighting over the GIL, and no thread lives long enough to
keep a database connection: every request opened SQLite anew and re-ran its PRAGMAs. Here each request
borrows one of N single-thread executors for its whole life (all its sync code runs on that one thread, as
Django requires), and gives it back when it ends. Threads and their connections live as long as the
process; a request that finds every thread busy waits its turn in arrival order. Measured in
docs/architecture.md (Measured choices).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext


class Threads:
    """`size` long-lived threads, lent one at a time (0: none, and borrowing changes nothing)."""

    def __init__(self, size: int):
        self.size = size
        self._executors = [ThreadPoolExecutor(max_workers=1, thread_name_prefix="request") for _ in range(size)]
        self._free: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Queue] = weakref.WeakKeyDictionary()

    def _queue(self) -> asyncio.Queue:
        loop = asyncio.get_running_loop()
        queue = self._free.get(loop)
        if queue is None:
            queue = asyncio.Queue()
            for executor in self._executors:
                queue.put_nowait(executor)
            self._free[loop] = queue
        return queue

    @contextlib.asynccontextmanager
    async def borrow(self):
        """Inside this block, sync_to_async() runs on one of the threads, the same one throughout."""
        if not self.size:
            yield
            return
        queue = self._queue()
        executor = await queue.get()
        try:
            # The outermost ThreadSensitiveContext wins: Django's own one inside becomes a no-op.
            async with ThreadSensitiveContext(executor=executor):
                yield
        finally:
            queue.put_nowait(executor)


class RequestThreads:
    """ASGI middleware for HTTP: each request runs its sync code on a thread borrowed from `threads`."""

    def __init__(self, app, *, threads: Threads):
        self.app = app
        self.threads = threads

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async with self.threads.borrow():
            await self.app(scope, receive, send)
