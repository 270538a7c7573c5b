"""Background work: sending an issue, and publishing a scheduled issue when its time comes."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import default_task_backend, task

log = logging.getLogger(__name__)


@task()
def send_issue(issue_id: int) -> dict:
    from leveller.newsletter import sending

    report = sending.run(issue_id)
    return {"acquired": report.acquired, "sent": report.sent, "bounced": report.bounced, "halted": report.halted}


@task()
def publish_scheduled(issue_id: int) -> bool:
    from leveller.newsletter import actions

    return actions.publish_if_due(issue_id=issue_id) is not None


def enqueue_at(the_task, when: dt.datetime | None, **kwargs) -> None:
    """Run a task at `when` (now, if the queue cannot defer: the task itself checks whether it is due)."""
    if when is not None and when > timezone.now() and default_task_backend.supports_defer:
        the_task.using(run_after=when).enqueue(**kwargs)
    elif when is None or when <= timezone.now():
        the_task.enqueue(**kwargs)
    else:
        log.warning(
            "the task backend cannot defer %s until %s; run `leveller worker` with the database queue",
            the_task.name,
            when,
        )


def send_issue_later(issue_id: int, when: dt.datetime | None) -> None:
    enqueue_at(send_issue, when, issue_id=issue_id)
