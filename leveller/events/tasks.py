"""Background work for events, run by `leveller serve`'s worker thread or separate `leveller worker`s."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep_reminders() -> int:
    """Send the reminders due now, then queue the next sweep (django-tasks has no scheduler of its own)."""
    from leveller.events import reminders

    try:
        return reminders.send_due_reminders()
    finally:
        reminders.schedule_next()
