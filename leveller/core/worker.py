"""The background task worker, run as a thread inside `leveller serve` or on its own as `leveller worker`."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django_tasks_db.management.commands.db_worker import Worker

log = logging.getLogger(__name__)


def make_worker(*, interval: float = 0.5) -> Worker:
    _schedule_periodic()
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=True,
        max_tasks=None,
        worker_id=f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident() % 10000}"[:64],
        excluded_queue_names=[],
    )


def _schedule_periodic() -> None:
    """Daily tasks queue their own next run; a starting worker makes sure the first one is queued."""
    try:
        from leveller.privacy.tasks import schedule_daily

        schedule_daily()
    except Exception:
        log.exception("could not queue the daily data-protection run")


def start_in_thread() -> Worker:
    worker = make_worker()
    thread = threading.Thread(target=_run, args=(worker,), name="leveller-tasks", daemon=True)
    thread.start()
    return worker


def _run(worker: Worker) -> None:
    try:
        worker.run()
    except Exception:
        log.exception("the task worker stopped")
