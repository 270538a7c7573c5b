"""`leveller serve`: migrate, optionally load the demo, run the task worker and the ASGI server."""

from __future__ import annotations

import os
import socket
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from leveller.env import ConfigError


class Command(BaseCommand):
    help = "Serve Leveller (HTTP and websockets) with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="Server processes (more than 1 needs REDIS_URL).")
        parser.add_argument("--demo", action="store_true", help="Load the demo workspace and print demo logins.")
        parser.add_argument("--no-migrate", action="store_true", help="Skip applying database migrations.")
        parser.add_argument("--no-worker", action="store_true", help="Do not run the background task worker here.")
        parser.add_argument("--log-level", default="info")

    def handle(self, *args, host, port, workers, demo, no_migrate, no_worker, log_level, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if workers > 1 and not settings.REDIS_URL:
            raise CommandError(
                "--workers > 1 needs REDIS_URL: without Redis each process has its own in-process channel "
                "layer and realtime events would not reach members connected to the other processes."
            )
        site_url_from_address(host, port)
        from leveller.core import startup

        try:
            startup.check_all()
        except ConfigError as error:
            raise CommandError(str(error)) from None
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        from leveller.core.static import collect_if_changed

        collect_if_changed()  # hashed, compressed static files; skipped when the sources have not changed
        if demo:
            call_command("demo", stdout=self.stdout)
        worker = None
        if settings.LEVELLER_WORKER_IN_SERVE and not no_worker:
            from leveller.core.worker import start_in_thread

            worker = start_in_thread()
        import uvicorn

        from leveller.core.logredact import uvicorn_log_config

        self.stdout.write(f"Leveller is serving on http://{host}:{port}/  (Ctrl+C to stop)")
        sys.stdout.flush()
        try:
            uvicorn.run(
                "leveller.asgi:application",
                host=host,
                port=port,
                workers=workers,
                lifespan="off",
                log_level=log_level,
                log_config=uvicorn_log_config(),
                ws_max_size=1024 * 1024,
                ws_ping_interval=20,
                ws_ping_timeout=20,
                timeout_graceful_shutdown=5,
            )
        finally:
            if worker is not None:
                worker.running = False


def site_url_from_address(host: str, port: int) -> str:
    """Without LEVELLER_SITE_URL, links in emails and feeds name the address actually served (and so do the
    worker processes uvicorn starts: they read it from the environment)."""
    if os.environ.get("LEVELLER_SITE_URL", "").strip():
        return settings.SITE_URL
    name = host.strip("[]")
    # Every interface: the machine's own name reaches it from the network.
    if name in {"0.0.0.0", "::", ""}:  # noqa: S104 - naming the wildcard address, not binding it
        name = socket.gethostname() or "localhost"
    if ":" in name:
        name = f"[{name}]"
    settings.SITE_URL = f"http://{name}:{port}"
    os.environ["LEVELLER_SITE_URL"] = settings.SITE_URL
    return settings.SITE_URL
