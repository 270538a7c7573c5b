"""What the Slack importer remembers: which Slack user is which member, and each import run's state.

Messages and channels carry their own Slack keys (Message.slack_ts with the channel, Channel.slack_id): a run
finds what an earlier run already imported through those, so re-runs and resumed runs add only what is new.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SlackUser(models.Model):
    """A Slack user id (U…/W…) and the member it became; bots have no member, only a name."""

    slack_id = models.CharField(max_length=40, unique=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="slack_users"
    )
    name = models.CharField(max_length=120, blank=True, help_text="The name shown on their messages.")
    is_bot = models.BooleanField(default=False)
    created = models.BooleanField(default=False, help_text="The import created this member (so may invite them).")

    class Meta:
        db_table = "chat_slackuser"

    def __str__(self) -> str:
        return f"{self.slack_id} → {self.member_id or self.name}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    CHECKING = "checking", "Checking (dry run)"
    CHECKED = "checked", "Checked"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class SlackImportRun(models.Model):
    """One upload (or CLI run) of a Slack export: its options, live progress and final report."""

    path = models.CharField(max_length=500, help_text="The export on disk (.zip or folder).")
    original_name = models.CharField(max_length=255, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    invite = models.BooleanField(default=False)
    default_channels = models.BooleanField(default=False)
    progress = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    dry_run_report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "chat_slackimportrun"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Slack import {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.CHECKED, ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def percent(self) -> int:
        total = self.progress.get("files_total") or 0
        return min(100, round(100 * (self.progress.get("files_done") or 0) / total)) if total else 0

    @property
    def stream(self) -> str:
        return f"slackimport-{self.pk}"
