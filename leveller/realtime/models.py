"""The realtime event log: every broadcast is stored so a client can resume from its last event id."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Event(models.Model):
    """One event for one stream (`channel-<id>`, `user-<id>`, `campaign-<id>` …). Written only by publish()."""

    stream = models.CharField(max_length=64)
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["stream", "id"], name="event_stream_id")]

    def __str__(self) -> str:
        return f"#{self.id} {self.stream} {self.type}"

    def as_message(self) -> dict:
        return {**self.payload, "type": self.type, "event_id": self.id, "stream": self.stream}


class Horizon(models.Model):
    """The highest event id already pruned (one row): a resume from before it must resync."""

    pruned_through = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"events pruned through #{self.pruned_through}"
