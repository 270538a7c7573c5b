"""Web Push: members' devices (browser push subscriptions), what each member wants pushed, and the outbox of
pushes (one row per member and conversation, so a busy conversation is one notification, not fifty)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    DM = "dm", "Direct messages"
    MENTION = "mention", "Mentions of you"
    THREAD_REPLY = "thread_reply", "Replies in threads you follow"
    ANNOUNCEMENT = "announcement", "Announcements"
    EVENT_REMINDER = "event_reminder", "Reminders of events you are going to"
    PHONEBANK_SHIFT = "phonebank_shift", "Phonebank calling sessions you are a caller for"
    NOMINATIONS_OPEN = "nominations_open", "Nominations opening in votes you can vote in"
    VOTING_OPEN = "voting_open", "Votes opening that you can vote in"
    VOTE_RESULTS = "vote_results", "Results of votes you could vote in"


ALL_KINDS = [kind.value for kind in Kind]


def all_kinds() -> list[str]:
    return list(ALL_KINDS)


class PushSubscription(models.Model):
    """One browser on one device, as PushSubscription.toJSON() described it."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=2000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    label = models.CharField(max_length=80, blank=True)
    kinds = models.JSONField(default=all_kinds, help_text="Kinds pushed to this device.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.label or "A device"


class PushPreference(models.Model):
    """A member's choices for every device: which kinds to push, and quiet hours in their own time zone."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_preference")
    kinds = models.JSONField(default=all_kinds)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Push preferences of member {self.member_id}"


class State(models.TextChoices):
    HELD = "held", "Held for quiet hours"
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    WITHDRAWN = "withdrawn", "Withdrawn (read elsewhere)"


class PushMessage(models.Model):
    """The latest push for one conversation (its tag) of one member; a new message there updates this row."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_messages")
    tag = models.CharField(max_length=32, help_text="The conversation: the notification tag and the push Topic.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=500)
    count = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    deliver_after = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "tag"], name="push_one_message_per_conversation")]
        indexes = [models.Index(fields=["state", "deliver_after"], name="push_due_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display()})"
