"""Background tasks shared by every domain."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import default_task_backend, task


@task()
def deliver_email(*, to: str, subject: str, text: str, html: str = "", headers: dict | None = None) -> None:
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


PRUNE_EVERY = dt.timedelta(hours=1)


@task()
def prune_events() -> int:
    """Event retention (and old Idempotency-Keys): runs hourly, queued by the first worker to start
    (core/worker.py) and then by itself."""
    from leveller.core import idempotency
    from leveller.realtime.prune import prune

    deleted = prune()
    idempotency.prune()
    schedule_prune(after=timezone.now() + PRUNE_EVERY, again=True)
    return deleted


def schedule_prune(*, after: dt.datetime | None = None, again: bool = False) -> bool:
    """Queue prune_events unless one is already waiting (several workers start at once: one chain is enough).
    Returns whether one was queued."""
    if not getattr(default_task_backend, "supports_defer", False):
        return False
    from django_tasks_db.models import DBTaskResult

    from leveller.core.worker import TaskResultStatus

    path = f"{prune_events.func.__module__}.{prune_events.func.__qualname__}"
    waiting = DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY)
    if waiting.exists():
        return False
    if not again and DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.RUNNING).exists():
        return False
    (prune_events.using(run_after=after) if after else prune_events).enqueue()
    return True
