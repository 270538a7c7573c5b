"""`leveller worker`: run background tasks in this process (scale out with more of them).

It never exits on a transient error: a database that cannot be reached at start is waited for (with a
back-off, each failure logged), and errors while running are survived by the supervised loop
(core/worker.py). Ctrl+C or SIGTERM stops it after the task under way.
"""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand

from leveller.env import ConfigError

log = logging.getLogger("leveller.core.worker")


class Command(BaseCommand):
    help = "Run the background task worker (emails, reminders, imports, sends)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds to wait when the queue is empty.")
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")

    def handle(self, *args, interval, batch, **options):
        from leveller.core.worker import make_worker

        worker = make_worker(interval=interval)
        worker.batch = batch
        worker.configure_signals()
        wait_for_database()
        self.stdout.write("Leveller worker running (Ctrl+C to stop)")
        self.stdout.flush()
        worker.run()


def wait_for_database(*, first: float = 0.5, most: float = 30.0) -> None:
    from leveller.core import startup

    delay = first
    while True:
        try:
            startup.check_database()
            return
        except ConfigError as error:
            log.error("%s; trying again in %.1f s", error, delay)
            time.sleep(delay)
            delay = min(delay * 2, most)
