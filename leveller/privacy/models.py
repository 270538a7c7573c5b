"""Members' data rights: consent records, import provenance, the suppression list, copies, erasures and
retention runs."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from leveller.privacy.purposes import Basis, Method, Purpose


class Consent(models.Model):
    """One decision about one purpose, for a member or a phonebank contact. Append-only: the latest row per
    (person, purpose) is the current state; older rows are the history (when, how, the exact words)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    contact = models.ForeignKey(
        "phonebank.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    granted = models.BooleanField(help_text="False records a withdrawal (or a refusal).")
    method = models.CharField(max_length=10, choices=Method.choices)
    wording = models.TextField(help_text="The exact words the person was shown or told.")
    basis = models.CharField(max_length=24, choices=Basis.choices, default=Basis.CONSENT)
    source = models.CharField(max_length=200, blank=True, help_text="Which form, list or call.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["member", "purpose", "recorded_at"], name="privacy_consent_member"),
            models.Index(fields=["contact", "purpose", "recorded_at"], name="privacy_consent_contact"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(contact__isnull=False), name="privacy_consent_has_subject"
            ),
            models.CheckConstraint(condition=Q(purpose__in=Purpose.values), name="privacy_consent_purpose_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {'granted' if self.granted else 'withdrawn'} {self.recorded_at:%Y-%m-%d}"


class ImportRecord(models.Model):
    """Where an imported list came from and on what lawful basis it is held (members or phonebank contacts)."""

    kind = models.CharField(max_length=40, help_text="e.g. accounts.members or phonebank.contacts")
    object_id = models.CharField(max_length=64, blank=True, help_text="The import job or campaign, if any.")
    basis = models.CharField(max_length=24, choices=Basis.choices)
    source = models.CharField(max_length=300)
    purposes = models.JSONField(default=list, blank=True, help_text="Purposes the people on the list agreed to.")
    wording = models.TextField(blank=True, help_text="The consent wording they were shown, when basis is consent.")
    rows = models.PositiveIntegerField(default=0)
    refused_suppressed = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["kind", "object_id"], name="privacy_import_object")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.basis})"


class Suppression(models.Model):
    """An erased person's email or phone, as a keyed hash (HMAC-SHA256): it can be matched, never read."""

    digest = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=5, choices=[("email", "Email"), ("phone", "Phone")])
    added_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=40, default="erasure")

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}…"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"


def _token() -> str:
    return secrets.token_urlsafe(32)


class ExportRequest(models.Model):
    """A subject-access request: a zip of everything about one member, built in the task queue."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=20, default="settings", help_text="settings, api, post, command")
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    token = models.CharField(max_length=64, unique=True, default=_token)
    kinds_total = models.PositiveIntegerField(default=0)
    kinds_done = models.PositiveIntegerField(default=0)
    current_kind = models.CharField(max_length=40, blank=True)
    rows_written = models.PositiveBigIntegerField(default=0)
    path = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When a worker claimed it.")
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.member_id} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.READY:
            return 100
        return int(100 * self.kinds_done / self.kinds_total) if self.kinds_total else 0


class ErasureStatus(models.TextChoices):
    REQUESTED = "requested", "Awaiting approval"
    APPROVED = "approved", "Approved"
    DONE = "done", "Erased"
    REJECTED = "rejected", "Refused"
    CANCELLED = "cancelled", "Withdrawn by the member"


class ErasureRequest(models.Model):
    """A right-to-erasure request. Staff approve it, or it runs by itself after the grace period."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_ref = models.PositiveBigIntegerField(help_text="The member's id, kept after erasure.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.REQUESTED)
    delete_content = models.BooleanField(
        default=False, help_text="Delete what they wrote (messages, answers) too, instead of keeping it unsigned."
    )
    reason = models.TextField(blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True, max_length=2000)
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(help_text="When it runs by itself if nobody decides.")
    decided_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member_ref"], condition=Q(status="requested"), name="privacy_one_open_erasure"
            ),
            models.CheckConstraint(condition=Q(status__in=ErasureStatus.values), name="privacy_erasure_status_valid"),
        ]

    def __str__(self) -> str:
        return f"erasure of {self.member_ref} ({self.status})"


class RetentionPolicy(models.Model):
    """An admin's setting for one retention rule (the rules and their defaults are declared in code)."""

    key = models.CharField(max_length=60, unique=True)
    days = models.PositiveIntegerField()
    enabled = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "retention policies"

    def __str__(self) -> str:
        return f"{self.key}: {self.days} days"


class RetentionRun(models.Model):
    """One run of the retention rules (daily, by the task queue, or by an admin), with what each removed."""

    dry_run = models.BooleanField(default=False)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"retention run {self.pk}{' (dry run)' if self.dry_run else ''}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class MessagesOnErasure(models.TextChoices):
    ON_REQUEST = "on_request", "Keep them signed 'Former member', unless the member asked for them to be deleted"
    KEEP = "keep", "Always keep them, signed 'Former member' (a request to delete them is not honoured)"
    DELETE = "delete", "Always delete their text"


class PrivacyPolicy(models.Model):
    """Admins' data-protection settings: one row (pk 1). `privacy.policy.current()` reads it."""

    messages_on_erasure = models.CharField(
        max_length=12,
        choices=MessagesOnErasure.choices,
        default=MessagesOnErasure.ON_REQUEST,
        help_text="What happens to what an erased member wrote (chat, group messages, newsletter answers).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "privacy policy"
        constraints = [
            models.CheckConstraint(
                condition=Q(messages_on_erasure__in=MessagesOnErasure.values), name="privacy_policy_messages_valid"
            )
        ]

    def __str__(self) -> str:
        return f"messages on erasure: {self.messages_on_erasure}"
