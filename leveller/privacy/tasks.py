"""Background work for data protection: building copies, and the daily run (retention and due erasures)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)


@task()
def build_export(*, export_id: int) -> str:
    from leveller.privacy.actions import exports as export_actions
    from leveller.privacy.models import ExportRequest

    export = ExportRequest.objects.select_related("member").filter(pk=export_id).first()
    if export is None:
        return "gone"
    return export_actions.build(export=export).status


@task()
def daily_privacy() -> dict:
    """Retention rules and erasures nobody decided in time; then queue tomorrow's run (django-tasks has no
    scheduler of its own: like the events' reminder sweep, the task queues its next run)."""
    from leveller.privacy.actions import erasure as erasure_actions
    from leveller.privacy.actions import retention as retention_actions

    try:
        erased = erasure_actions.run_due_erasures()
        run = retention_actions.run(dry_run=False)
        return {"erased": erased, "retention": run.counts}
    finally:
        schedule_daily()


def next_run_at(now: dt.datetime | None = None) -> dt.datetime:
    """The next LEVELLER_RETENTION_HOUR o'clock in the site's time zone."""
    now = timezone.localtime(now or timezone.now())
    at = now.replace(hour=settings.PRIVACY_RETENTION_HOUR, minute=0, second=0, microsecond=0)
    return at if at > now else at + dt.timedelta(days=1)


def schedule_daily(now: dt.datetime | None = None) -> bool:
    """Queue the daily run unless one is already queued. Called by the worker at start-up and by the run."""
    from django_tasks import task_backends

    backend = task_backends[daily_privacy.backend]
    if not backend.supports_defer:
        return False
    try:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another durable backend
        pass
    else:
        queued = DBTaskResult.objects.filter(task_path=daily_privacy.module_path, status=TaskResultStatus.READY)
        if queued.exists():
            return False
    daily_privacy.using(run_after=next_run_at(now)).enqueue()
    return True
