"""`leveller worker`: run background tasks in this process (scale out with more of them)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from leveller.env import ConfigError


class Command(BaseCommand):
    help = "Run the background task worker (emails, reminders, imports, sends)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds to wait when the queue is empty.")
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")

    def handle(self, *args, interval, batch, **options):
        from leveller.core import startup
        from leveller.core.worker import make_worker

        try:
            startup.check_database()
        except ConfigError as error:
            raise CommandError(str(error)) from None
        worker = make_worker(interval=interval)
        worker.batch = batch
        worker.configure_signals()
        self.stdout.write("Leveller worker running (Ctrl+C to stop)")
        worker.run()
