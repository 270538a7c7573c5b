"""Cross-domain records: the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntryQuerySet(models.QuerySet):
    def about(self, obj):
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))


class AuditEntry(models.Model):
    """One line of the audit log: who did what to which record. Written only through core.audit.record."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.summary}"


class WorkerBeat(models.Model):
    """A task worker's heartbeat (core/worker.py): a RUNNING task whose worker stopped beating is recovered."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.worker_id} at {self.beat_at:%H:%M:%S}"


class HealthProbe(models.Model):
    """One row /healthz writes to prove the database can still write (a full disk, a read-only file)."""

    written_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"probe {self.written_at}"


class IdempotentRequest(models.Model):
    """The first response to a write sent with an `Idempotency-Key` header (core/idempotency.py): a retry with
    the same key, by the same caller, to the same method and path, gets it back and changes nothing."""

    actor = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "key"], name="core_idempotency_key_per_actor")]

    def __str__(self) -> str:
        return f"{self.actor} {self.key} {self.method} {self.path} -> {self.status}"
