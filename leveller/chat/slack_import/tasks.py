"""The admin page's imports run here, in the worker, so a long import survives the browser closing."""

from __future__ import annotations

from django_tasks import task


@task()
def run_slack_import(*, run_id: int, dry_run: bool) -> dict:
    from leveller.chat.actions import slack_import as slack_import_actions

    return slack_import_actions.run_queued(run_id=run_id, dry_run=dry_run)
