"""The Slack import's write path: the CLI (`leveller import slack`), the admin page and the task call these.

import_slack(actor=…, path=…) runs a whole import (or, with dry_run, only reports what it would do). It sends
no notification, email or push per message; the only broadcast is the run's progress, to its own
`slackimport-<id>` stream, which admins may watch.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from leveller.accounts.actions import members as accounts
from leveller.chat.slack_import import conversations as convs
from leveller.chat.slack_import.messages import Writer
from leveller.chat.slack_import.models import ImportStatus, SlackImportRun, SlackUser
from leveller.chat.slack_import.people import People, is_placeholder
from leveller.chat.slack_import.report import Report
from leveller.chat.slack_import.source import ExportError, open_export
from leveller.core import audit
from leveller.realtime.publish import publish

PROGRESS_EVERY = 1.0  # seconds between progress events
STALE_AFTER = 120  # a run silent this long has stopped (killed, restarted): it may be started again


def require_importer(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_admin:
        raise PermissionDenied("Only admins can import a Slack workspace.")


@transaction.atomic
def create_run(*, actor, path: str, original_name: str = "", invite: bool = False,
               default_channels: bool = False) -> SlackImportRun:  # fmt: skip
    require_importer(actor)
    return SlackImportRun.objects.create(
        path=str(path), original_name=original_name[:255], started_by=actor, invite=invite,
        default_channels=default_channels,
    )  # fmt: skip


def _publish_progress(run: SlackImportRun, fields: list[str]) -> None:
    """Save the run and push its progress, rendered once, to the admins watching it."""
    with transaction.atomic():
        run.save(update_fields=fields)
        html = render_to_string("chat/slack_import/_progress.html", {"run": run})
        publish(
            streams=[run.stream],
            type="slack_import.progress",
            payload={"run": run.pk, "status": run.status, "final": run.finished, "html": html},
        )


def import_slack(
    *,
    actor,
    path: str | Path,
    dry_run: bool = False,
    invite: bool = False,
    default_channels: bool = False,
    run: SlackImportRun | None = None,
    progress: Callable[[dict], None] | None = None,
) -> Report:
    """Import (or dry-run) the export at `path`. Bad input raises ExportError naming the file and line; a bad
    day file is reported and skipped. Safe to run again: it adds only what is new."""
    require_importer(actor)
    report = Report(dry_run=dry_run)
    last = [0.0]
    clock = [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        report.timings[name] = round(now - clock[0], 2)
        clock[0] = now

    def step(state: dict) -> None:
        if progress is not None:
            progress(state)
        if run is not None and (time.monotonic() - last[0] >= PROGRESS_EVERY or state.get("final")):
            last[0] = time.monotonic()
            run.progress = {**state, "dry_run": dry_run, "at": time.time()}
            _publish_progress(run, ["progress"])

    if run is not None:
        run.status = ImportStatus.CHECKING if dry_run else ImportStatus.RUNNING
        run.error = ""
        _publish_progress(run, ["status", "error"])
    try:
        with open_export(path) as source:
            step({"phase": "people", "files_done": 0, "files_total": 0, "messages": 0})
            people = People(report)
            users = source.read_json("users.json") if source.has("users.json") else []
            if not isinstance(users, list):
                raise ExportError("should be a JSON list of users", file="users.json", line=1)
            people.load(users, actor=actor, dry_run=dry_run)
            lap("people")
            step({"phase": "conversations", "files_done": 0, "files_total": 0, "messages": 0})
            conversations = convs.load(source, report)
            convs.create_all(conversations, people, report, dry_run=dry_run, defaults=default_channels)
            lap("conversations")
            writer = Writer(source, people, conversations, report, dry_run=dry_run,
                            progress=lambda s: step({"phase": "messages", **s}))  # fmt: skip
            writer.run()
            lap("messages")
            for conversation in conversations:
                if not conversation.folder:
                    report.channel(conversation.slack_id)
            if not dry_run:
                step({"phase": "finishing", **_last(run)})
                convs.finish(conversations, people)
                lap("finishing")
                if invite:
                    report.people["invited"] = invite_imported(actor=actor)
                audit.record(
                    actor=actor,
                    action="chat.slack_imported",
                    summary=f"{report.messages['imported']} messages from {Path(path).name}",
                    data={"people": dict(report.people), "messages": dict(report.messages)},
                )
    except ExportError as error:
        if run is not None:
            run.status, run.error, run.finished_at = ImportStatus.FAILED, str(error), timezone.now()
            _publish_progress(run, ["status", "error", "finished_at"])
        raise
    except Exception as error:
        if run is not None:
            run.status, run.error = ImportStatus.FAILED, f"The import stopped: {error}. Run it again to resume."
            run.finished_at = timezone.now()
            _publish_progress(run, ["status", "error", "finished_at"])
        raise
    if run is not None:
        if dry_run:
            run.status, run.dry_run_report = ImportStatus.CHECKED, report.as_dict()
        else:
            run.status, run.report, run.finished_at = ImportStatus.DONE, report.as_dict(), timezone.now()
        run.progress = {**run.progress, "final": True, "messages": report.messages["imported"]}
        _publish_progress(run, ["status", "dry_run_report", "report", "finished_at", "progress"])
    return report


def _last(run: SlackImportRun | None) -> dict:
    state = dict(run.progress) if run is not None else {}
    state.pop("phase", None)
    return state


def invite_imported(*, actor) -> int:
    """Send a 'claim your account' invitation to every member the import created who has a real email, can
    still log in, and has never set a password (the same link as any invitation)."""
    require_importer(actor)
    rows = SlackUser.objects.filter(created=True, member__is_active=True).select_related("member")
    sent = 0
    for row in rows:
        member = row.member
        if is_placeholder(member.email) or member.has_usable_password():
            continue
        if member.invitations.filter(used_at__isnull=True, expires_at__gt=timezone.now()).exists():
            continue
        try:
            accounts.invite_member(actor=actor, email=member.email, display_name=member.display_name)
        except ValidationError:
            continue
        sent += 1
    return sent


def run_queued(*, run_id: int, dry_run: bool) -> dict:
    """The task's body: run (or dry-run) a stored run as the admin who started it."""
    run = SlackImportRun.objects.select_related("started_by").filter(pk=run_id).first()
    if run is None:
        return {"status": "missing"}
    try:
        import_slack(
            actor=run.started_by,
            path=run.path,
            dry_run=dry_run,
            invite=run.invite,
            default_channels=run.default_channels,
            run=run,
        )
    except ExportError:
        pass  # import_slack recorded it on the run
    except PermissionDenied as error:
        run.status, run.error, run.finished_at = ImportStatus.FAILED, str(error), timezone.now()
        _publish_progress(run, ["status", "error", "finished_at"])
    return {"status": run.status}


def _enqueue(run: SlackImportRun, *, dry_run: bool) -> None:
    from leveller.chat.slack_import.tasks import run_slack_import

    transaction.on_commit(lambda: run_slack_import.enqueue(run_id=run.pk, dry_run=dry_run))


@transaction.atomic
def upload_export(*, actor, upload, invite: bool = False, default_channels: bool = False) -> SlackImportRun:
    """Store an uploaded export zip under the data directory and queue its dry run."""
    require_importer(actor)
    name = Path(getattr(upload, "name", "") or "export.zip").name
    if not name.lower().endswith(".zip"):
        raise ValidationError("Upload the .zip file Slack gave you (Settings → Import/Export Data → Export).")
    folder = Path(settings.DATA_DIR) / "slack-imports"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.zip"
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        open_export(target).close()  # refuse what is not a Slack export now, with the reason
    except ExportError as error:
        target.unlink(missing_ok=True)
        raise ValidationError(f"{name}: {error.message}") from None
    run = create_run(actor=actor, path=str(target), original_name=name, invite=invite,
                     default_channels=default_channels)  # fmt: skip
    run.status = ImportStatus.CHECKING
    run.save(update_fields=["status"])
    _enqueue(run, dry_run=True)
    return run


@transaction.atomic
def start_import(*, actor, run: SlackImportRun, invite: bool | None = None) -> SlackImportRun:
    """Queue the real import of a checked run (or re-queue one that failed or stopped, to resume it)."""
    require_importer(actor)
    run = SlackImportRun.objects.select_for_update().get(pk=run.pk)
    fresh = time.time() - float(run.progress.get("at") or 0) < STALE_AFTER
    if run.status in {ImportStatus.RUNNING, ImportStatus.CHECKING} and fresh:
        raise ValidationError("This import is already running.")
    if invite is not None:
        run.invite = invite
    run.status, run.error = ImportStatus.RUNNING, ""
    run.save(update_fields=["status", "error", "invite"])
    _enqueue(run, dry_run=False)
    return run
