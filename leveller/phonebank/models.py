"""Phonebanking: campaigns, their contacts, the calls made to them and the organisation's do-not-call list.

A contact's place in the queue is one indexed column, `available_at` (UTC): for a waiting contact it is when
it may next be called (now, after the retry gap, or at the call-back time); while a caller holds it, it is when
the lease expires. So "who can be called now" is `done = false AND available_at <= now` on one index, and an
expired lease needs no sweeper: the contact is simply available again.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    LIVE = "live", "Live"
    PAUSED = "paused", "Paused"
    FINISHED = "finished", "Finished"


class CallersMode(models.TextChoices):
    EVERYONE = "everyone", "Every member"
    GROUP = "group", "Members of a group"
    NAMED = "named", "Named callers"


class Outcome(models.TextChoices):
    ANSWERED = "answered", "Answered"
    NO_ANSWER = "no_answer", "No answer"
    VOICEMAIL = "voicemail", "Voicemail left"
    BUSY = "busy", "Busy"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    CALL_BACK = "call_back", "Call back"
    REFUSED = "refused", "Refused"
    DO_NOT_CALL = "do_not_call", "Do not call"
    INVALID_NUMBER = "invalid_number", "Invalid number"


# Outcomes retried after the gap until max attempts; outcomes that mean we spoke to the person.
RETRYABLE = frozenset({Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.BUSY})
REACHED = frozenset({Outcome.ANSWERED, Outcome.REFUSED, Outcome.CALL_BACK, Outcome.DO_NOT_CALL})
# A call that ended without an outcome: the caller let go, or the lease ran out and someone else took it.
RELEASED = "released"
EXPIRED = "expired"


class CampaignQuerySet(models.QuerySet):
    def organised_by(self, member):
        if member.is_staff_member:
            return self
        return self.filter(Q(created_by=member) | Q(organisers=member)).distinct()


class Campaign(models.Model):
    name = models.CharField(max_length=200)
    goal = models.TextField(blank=True, max_length=2000)
    script = models.TextField(blank=True, max_length=20000, help_text="Markdown; {first_name} and custom fields.")
    questions = models.JSONField(default=list, blank=True)
    calling_start = models.TimeField(default=dt.time(10, 0))
    calling_end = models.TimeField(default=dt.time(20, 0))
    call_on_sundays = models.BooleanField(default=False)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    retry_after_minutes = models.PositiveIntegerField(default=240)
    callers_mode = models.CharField(max_length=10, choices=CallersMode.choices, default=CallersMode.EVERYONE)
    caller_group_id = models.BigIntegerField(null=True, blank=True, help_text="groups.Group id when mode is group")
    callers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    time_zones = models.JSONField(default=list, blank=True, help_text="Distinct contact time zones")
    chat_channel_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(calling_start__lt=models.F("calling_end")), name="pb_hours_order"),
            models.CheckConstraint(condition=Q(max_attempts__gte=1, max_attempts__lte=20), name="pb_attempts_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_live(self) -> bool:
        return self.status == CampaignStatus.LIVE

    @property
    def stream(self) -> str:
        return f"campaign-{self.pk}"


class Contact(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    phone_e164 = models.CharField(max_length=20)
    postcode = models.CharField(max_length=12, blank=True)
    country = models.CharField(max_length=2, blank=True)
    time_zone = models.CharField(max_length=64)
    fields = models.JSONField(default=dict, blank=True)
    row_number = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField(default=timezone.now)
    done = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_outcome = models.CharField(max_length=20, blank=True)
    reached = models.BooleanField(default=False)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lease_call_id = models.BigIntegerField(null=True, blank=True)
    preferred_caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    callback_at = models.DateTimeField(null=True, blank=True)
    last_called_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "phone_e164"], name="pb_contact_phone_unique")]
        indexes = [
            models.Index(fields=["campaign", "done", "available_at", "id"], name="pb_contact_queue"),
            models.Index(fields=["holder", "campaign"], name="pb_contact_holder"),
            models.Index(fields=["preferred_caller", "campaign"], name="pb_contact_promised"),
            models.Index(fields=["phone_e164"], name="pb_contact_phone"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else ""


class Call(models.Model):
    """One assignment of a contact to a caller: the lease, and then the outcome the caller recorded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="calls")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="calls")
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    lease_expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    callback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["campaign", "caller"], name="pb_call_caller"),
            models.Index(fields=["campaign", "ended_at"], name="pb_call_ended"),
        ]

    def __str__(self) -> str:
        return f"call {self.pk} to contact {self.contact_id}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class DoNotCall(models.Model):
    """The organisation-wide do-not-call list: these numbers are never loaded or served in any campaign."""

    phone_e164 = models.CharField(max_length=20, unique=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    source_campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "do-not-call number"

    def __str__(self) -> str:
        return self.phone_e164


class CampaignCaller(models.Model):
    """A member who has called in a campaign: presence (for call-backs) and leaderboard preference."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="caller_rows")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    on_leaderboard = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "member"], name="pb_caller_unique")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.campaign_id}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """A contact list upload. Large files are loaded in the background in batches, reporting progress."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    source = models.TextField(blank=True, help_text="The uploaded CSV, kept until the import finishes")
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    loaded = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    do_not_call = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    invalid = models.JSONField(default=list, blank=True)
    duplicate_rows = models.JSONField(default=list, blank=True)
    do_not_call_rows = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.pk} into {self.campaign_id}"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    def report(self) -> dict:
        return {
            "job_id": self.pk,
            "status": self.status,
            "total_rows": self.total_rows,
            "processed_rows": self.processed_rows,
            "loaded": self.loaded,
            "invalid": self.invalid,
            "invalid_count": self.invalid_count,
            "duplicates": self.duplicates,
            "duplicate_rows": self.duplicate_rows,
            "do_not_call": self.do_not_call,
            "do_not_call_rows": self.do_not_call_rows,
            "error": self.error,
        }
