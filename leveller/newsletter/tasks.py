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


WATCH_SECONDS = 5  # a killed sender's issue is resumed within this and the lease (NEWSLETTER_LEASE_SECONDS)


@task()
def watch_send(issue_id: int) -> str:
    """The send's watchdog, queued when an issue is published and re-queued every few seconds until the send is
    finished. If the worker sending the issue died (its lease ran out) while recipients are still waiting, it
    starts a new sender, which resumes where the last one stopped. So a crash or restart heals by itself."""
    from leveller.newsletter.models import Delivery, DeliveryState, Issue, SendStatus

    now = timezone.now()
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.send_status != SendStatus.SENDING:
        return "finished"
    sender_alive = issue.send_lease_until is not None and issue.send_lease_until > now
    pending = Delivery.objects.filter(issue_id=issue_id, state=DeliveryState.PENDING)
    due = pending.filter(next_attempt_at__lte=now)
    action = "waiting"
    # Restart a dead sender when something is due, or when nothing is left to send at all: it died after the
    # last message and before marking the issue done (the new sender finishes it, and sends nobody anything).
    if not sender_alive and (due.exists() or not pending.exists()):
        send_issue.enqueue(issue_id=issue_id)
        action = "restarted"
    enqueue_at(watch_send, now + dt.timedelta(seconds=WATCH_SECONDS), issue_id=issue_id)
    return action


@task()
def publish_scheduled(issue_id: int) -> bool:
    from leveller.newsletter.actions import issues as issue_actions

    return issue_actions.publish_if_due(issue_id=issue_id) is not None


def enqueue_at(the_task, when: dt.datetime | None, **kwargs) -> None:
    """Run a task at `when` (now, if the queue cannot defer: the task itself checks whether it is due)."""
    if when is not None and when > timezone.now() and _can_defer():
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


def _can_defer() -> bool:
    return bool(getattr(default_task_backend, "supports_defer", False))
