"""Members decide: processes (a re-foundation and its stages), member motions with seconders, amendments as
tracked changes, the history of a motion's text, hustings questions and answers, and email opt-outs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Process(models.Model):
    """A decision process: members propose motions, amend them, deliberate, vote, and see results."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=10000)
    seconders_needed = models.PositiveSmallIntegerField(default=2, help_text="Seconders a motion needs.")
    amendment_seconders_needed = models.PositiveSmallIntegerField(default=1, help_text="Seconders an amendment needs.")
    standing_orders_group = models.SlugField(
        max_length=140, blank=True, help_text="Slug of the elected group whose members may schedule motions."
    )
    proposals_open_at = models.DateTimeField(null=True, blank=True)
    proposals_close_at = models.DateTimeField(null=True, blank=True)
    amendments_close_at = models.DateTimeField(null=True, blank=True)
    deliberation_close_at = models.DateTimeField(null=True, blank=True)
    voting_opens_at = models.DateTimeField(null=True, blank=True)
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    results_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="process_title_not_blank")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("elections:process", args=[self.slug])

    def accepting_motions(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.proposals_open_at is None or self.proposals_open_at <= now) and (
            self.proposals_close_at is None or now < self.proposals_close_at
        )

    def accepting_amendments(self, now=None) -> bool:
        now = now or timezone.now()
        close = self.amendments_close_at or self.proposals_close_at
        return close is None or now < close


class MotionState(models.TextChoices):
    SEEKING_SECONDERS = "seeking_seconders", "Seeking seconders"
    ELIGIBLE = "eligible", "Eligible: waiting to be scheduled"
    SCHEDULED = "scheduled", "Scheduled for a vote"
    WITHDRAWN = "withdrawn", "Withdrawn by the mover"
    COMPOSITED = "composited", "Merged into a composite motion"
    CARRIED = "carried", "Carried"
    LOST = "lost", "Lost"


OPEN_MOTION_STATES = (MotionState.SEEKING_SECONDERS, MotionState.ELIGIBLE)


class MotionQuerySet(models.QuerySet):
    def visible_to(self, member):
        if member is None or not getattr(member, "is_authenticated", False):
            return self.none()
        return self.all()


class Motion(models.Model):
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.SET_NULL, related_name="motions")
    title = models.CharField(max_length=200)
    text = models.TextField(max_length=20000, help_text="The current text (after friendly and carried amendments).")
    original_text = models.TextField(max_length=20000)
    supporting_statement = models.TextField(blank=True, max_length=5000)
    mover = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=20, choices=MotionState.choices, default=MotionState.SEEKING_SECONDERS)
    seconders_needed = models.PositiveSmallIntegerField(default=2)
    election = models.OneToOneField(
        "elections.Election", null=True, blank=True, on_delete=models.SET_NULL, related_name="motion"
    )
    composited_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="composited_from"
    )
    channel = models.ForeignKey("chat.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vote_closes_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    scheduled_at = models.DateTimeField(null=True, blank=True)

    objects = MotionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=MotionState.values), name="motion_state_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="motion_title_not_blank"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("elections:motion", args=[self.pk])


class Seconder(models.Model):
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="seconders")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["motion", "member"], name="motion_seconder_unique")]

    def __str__(self) -> str:
        return f"{self.member_id} seconds motion {self.motion_id}"


class AmendmentState(models.TextChoices):
    SEEKING_SECONDERS = "seeking_seconders", "Seeking seconders"
    ELIGIBLE = "eligible", "Eligible: contested, to be voted on"
    ACCEPTED = "accepted", "Accepted by the mover as friendly"
    SCHEDULED = "scheduled", "Being voted on"
    CARRIED = "carried", "Carried"
    LOST = "lost", "Lost"
    FELL = "fell", "Fell (conflicts with a carried amendment)"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Amendment(models.Model):
    """A proposed change to a motion, stored as the whole amended text and the text it was written against."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="amendments")
    mover = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=20000)
    base_text = models.TextField(max_length=20000)
    reason = models.TextField(blank=True, max_length=2000)
    state = models.CharField(max_length=20, choices=AmendmentState.choices, default=AmendmentState.SEEKING_SECONDERS)
    seconders_needed = models.PositiveSmallIntegerField(default=1)
    election = models.OneToOneField(
        "elections.Election", null=True, blank=True, on_delete=models.SET_NULL, related_name="amendment"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=AmendmentState.values), name="amendment_state_valid"),
        ]

    def __str__(self) -> str:
        return f"amendment {self.pk} to {self.motion}"


class AmendmentSeconder(models.Model):
    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="seconders")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["amendment", "member"], name="amendment_seconder_unique")]

    def __str__(self) -> str:
        return f"{self.member_id} seconds amendment {self.amendment_id}"


class MotionRevision(models.Model):
    """Each change to a motion's text, and why: proposed, a friendly amendment, a carried amendment, a composite."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField(max_length=20000)
    reason = models.CharField(max_length=200)
    amendment = models.ForeignKey(Amendment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"motion {self.motion_id}: {self.reason}"


class HustingsQuestion(models.Model):
    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=1000)
    hidden = models.BooleanField(default=False, help_text="Hidden by staff (off-topic or abusive).")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class HustingsAnswer(models.Model):
    question = models.ForeignKey(HustingsQuestion, on_delete=models.CASCADE, related_name="answers")
    candidate = models.ForeignKey("elections.Candidate", on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "candidate"], name="hustings_answer_unique")]

    def __str__(self) -> str:
        return f"{self.candidate_id} answers {self.question_id}"


class MailKind(models.TextChoices):
    NOMINATIONS_OPEN = "nominations_open", "Nominations open"
    VOTING_OPEN = "voting_open", "Voting opens"
    REMINDER = "reminder", "Reminder before voting closes"
    RESULTS = "results", "Results published"


class MailOptOut(models.Model):
    """A member asked for no more emails of this kind about votes (one-click unsubscribe or settings)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=MailKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "kind"], name="election_mail_opt_out_unique")]

    def __str__(self) -> str:
        return f"{self.member_id} opted out of {self.kind}"
