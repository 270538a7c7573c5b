"""The background task worker, run as a thread inside `leveller serve` or on its own as `leveller worker`.

django-tasks-db's worker loop stops for good at the first database error it does not expect (a PostgreSQL
cut, a full SQLite disk). Here it is supervised:

- any error in the loop is logged and the loop starts again after a back-off (0.5 s doubling to 30 s); the
  task it was running is requeued (or failed, after MAX_ATTEMPTS runs), never left RUNNING;
- each worker beats (WorkerBeat, every LEASE/4 s, on its own thread, so a long task keeps beating); a task
  RUNNING under a worker that has not beaten for LEASE seconds (it was killed) is recovered the same way, on
  start and every RECOVER_EVERY seconds, by whichever worker looks first.

Requeued tasks run again: tasks must be safe to run twice (ours are: sends resume, emails are queued after
commit and an interrupted one is the only one resent).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RECOVER_EVERY = 5.0
BACKOFF_START, BACKOFF_MAX = 0.5, 30.0


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.LEVELLER_WORKER_LEASE_SECONDS)


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident() % 10000}"[:64]


class SupervisedWorker(Worker):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._recovered_at = 0.0
        self._beater: threading.Thread | None = None
        self._stop_beating = threading.Event()
        self.restarts = 0

    # --- the loop -----------------------------------------------------------------------------------------
    def run(self) -> None:
        self._start_beating()
        delay = BACKOFF_START
        scheduled = False
        try:
            while self.running:
                try:
                    self.recover(force=True)
                    if not scheduled:
                        from leveller.core.tasks import schedule_prune

                        schedule_prune()
                        scheduled = True
                    super().run()
                    return  # batch mode finished, max_tasks reached, or asked to stop
                except Exception:
                    self.restarts += 1
                    log.exception("the task worker hit an error; starting again in %.1f s", delay)
                    self.running_task = False
                    _drop_connection()
                    _sleep_while(self, delay)
                    delay = min(delay * 2, BACKOFF_MAX)
                    self.startup_delay = False
        finally:
            self._stop_beating.set()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status == TaskResultStatus.FAILED and _transient(db_task_result.exception_class_path):
            retry_later(db_task_result)
        self.recover()

    # --- recovery -------------------------------------------------------------------------------------------
    def recover(self, *, force: bool = False) -> int:
        """Requeue (or fail) RUNNING tasks whose worker is this one (its loop broke) or stopped beating."""
        now = time.monotonic()
        if not force and now - self._recovered_at < RECOVER_EVERY:
            return 0
        self._recovered_at = now
        return recover_stuck(own_id=self.worker_id)

    # --- heartbeat ------------------------------------------------------------------------------------------
    def _start_beating(self) -> None:
        if self._beater is not None and self._beater.is_alive():
            return
        self._stop_beating.clear()
        self._beater = threading.Thread(target=self._beat_forever, name="leveller-tasks-beat", daemon=True)
        self._beater.start()

    def _beat_forever(self) -> None:
        every = max(settings.LEVELLER_WORKER_LEASE_SECONDS / 4, 0.2)
        try:
            while not self._stop_beating.is_set():
                try:
                    beat(self.worker_id)
                except Exception as error:  # the database is away: the loop's own errors say so
                    log.warning("task worker heartbeat failed: %s", (str(error).splitlines() or [""])[0][:200])
                    _drop_connection()
                self._stop_beating.wait(every)
        finally:
            with _quietly():
                from leveller.core.models import WorkerBeat

                WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
            connection.close()


def beat(worker: str) -> None:
    from leveller.core.models import WorkerBeat

    now = timezone.now()
    with transaction.atomic():
        if not WorkerBeat.objects.filter(worker_id=worker).update(beat_at=now):
            WorkerBeat.objects.create(worker_id=worker, beat_at=now, started_at=now)


def recover_stuck(*, own_id: str | None = None) -> int:
    """RUNNING tasks of workers that are gone (or of `own_id`, whose loop just broke): requeue them, or fail them
    once they have been tried MAX_ATTEMPTS times. Returns how many were recovered."""
    from leveller.core.models import WorkerBeat

    now = timezone.now()
    cutoff = now - lease()
    alive = set(WorkerBeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    alive.discard(own_id)
    recovered = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "worker_ids", "started_at", "status"
    ):
        last = (result.worker_ids or [None])[-1]
        if last in alive or (last != own_id and result.started_at and result.started_at > cutoff):
            continue
        with transaction.atomic():
            tries = len(result.worker_ids or [])
            stuck = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING)
            if tries >= MAX_ATTEMPTS:
                changed = stuck.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path="leveller.core.worker.WorkerLost",
                    traceback=f"The worker running this task stopped ({tries} tries); not run again.",
                )
                log.error("task %s failed: its worker stopped %d times", result.pk, tries)
            else:
                changed = stuck.update(status=TaskResultStatus.READY, started_at=None)
                log.warning("task %s requeued: its worker %s stopped", result.pk, last)
            recovered += changed
    WorkerBeat.objects.filter(beat_at__lt=now - 10 * lease()).delete()
    return recovered


TRANSIENT = ("django.db.utils.OperationalError", "django.db.utils.InterfaceError", "psycopg_pool.PoolTimeout")


def _transient(exception_class_path: str) -> bool:
    return exception_class_path in TRANSIENT


def retry_later(result: DBTaskResult) -> None:
    """A task that failed because the database was away runs again after a back-off (up to MAX_ATTEMPTS)."""
    tries = len(result.worker_ids or [])
    if tries >= MAX_ATTEMPTS:
        return
    when = timezone.now() + dt.timedelta(seconds=2**tries)
    DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=when, finished_at=None, started_at=None
    )
    log.warning("task %s failed on a database error; retrying at %s", result.pk, when)


class WorkerLost(Exception):
    """Recorded on a task failed because the workers running it kept stopping."""


def _drop_connection() -> None:
    with _quietly():
        connection.close()
    with _quietly():
        close_old_connections()


class _quietly:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is not None and issubclass(kind, Exception):
            log.debug("ignored while recovering", exc_info=(kind, value, tb))
            return True
        return False


def _sleep_while(worker: Worker, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while worker.running and time.monotonic() < deadline:
        time.sleep(min(0.1, seconds))


def make_worker(*, interval: float = 0.5) -> SupervisedWorker:
    _schedule_periodic()
    return SupervisedWorker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=True,
        max_tasks=None,
        worker_id=worker_id(),
        excluded_queue_names=[],
    )


def _schedule_periodic() -> None:
    """Daily tasks queue their own next run; a starting worker makes sure the first one is queued."""
    try:
        from leveller.privacy.tasks import schedule_daily

        schedule_daily()
    except Exception:
        log.exception("could not queue the daily data-protection run")


def start_in_thread() -> SupervisedWorker:
    worker = make_worker()
    thread = threading.Thread(target=_run, args=(worker,), name="leveller-tasks", daemon=True)
    thread.start()
    return worker


def _run(worker: Worker) -> None:
    while worker.running:  # run() only returns when asked to stop; anything else is a bug worth surviving
        try:
            worker.run()
        except BaseException:
            log.exception("the task worker stopped unexpectedly; starting again")
            time.sleep(1)
