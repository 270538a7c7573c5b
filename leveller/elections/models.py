"""Elections, motions and primaries: the settings, the options on the ballot, the voter roll and the ballots.

Secrecy is a property of the schema: `Ballot` has no member, no timestamp and a random UUID key; `VoterRoll`
records only that a member voted (and the date). Nothing joins the two. See docs/elections.md.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    STV = "stv", "Election (single transferable vote)"
    MOTION = "motion", "Motion (yes / no / abstain)"
    APPROVAL = "approval", "Primary by approval (tick all you support)"
    RANKED = "ranked", "Primary by ranking (STV picks the top N)"


class Rules(models.TextChoices):
    SCOTTISH = "scottish", "Scottish STV (2007 Order)"
    ERS97 = "ers97", "ERS97"
    MEEK = "meek", "Meek STV"


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    NOMINATIONS = "nominations", "Nominations open"
    VOTING = "voting", "Voting open"
    CLOSED = "closed", "Closed, counting"
    COUNTED = "counted", "Counted, not yet published"
    PUBLISHED = "published", "Results published"


class Threshold(models.TextChoices):
    SIMPLE = "simple", "Simple majority of votes cast (more yes than no)"
    THREE_FIFTHS = "three_fifths", "Three-fifths of votes cast"
    TWO_THIRDS = "two_thirds", "Two-thirds of votes cast"


THRESHOLD_FRACTIONS = {Threshold.SIMPLE: None, Threshold.THREE_FIFTHS: (3, 5), Threshold.TWO_THIRDS: (2, 3)}
RANKED_KINDS = (Kind.STV, Kind.RANKED)
OPEN_STATES = (State.NOMINATIONS, State.VOTING)


class ElectionQuerySet(models.QuerySet):
    def visible_to(self, member):
        """Members see everything past draft; staff see drafts too."""
        if member is None or not getattr(member, "is_authenticated", False):
            return self.none()
        if member.is_staff_member:
            return self.all()
        return self.exclude(state=State.DRAFT)

    def voting_now(self):
        now = timezone.now()
        return self.filter(state=State.VOTING, voting_opens_at__lte=now, voting_closes_at__gt=now)


class Election(models.Model):
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STV)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=10000)
    seats = models.PositiveSmallIntegerField(
        default=1, help_text="Seats to fill (elections) or proposals to pick (primaries)."
    )
    rules = models.CharField(max_length=10, choices=Rules.choices, default=Rules.SCOTTISH)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    nomination_threshold = models.PositiveSmallIntegerField(
        default=0, help_text="Supporting nominations from eligible members a candidate needs to stand."
    )
    group_nominations = models.BooleanField(
        default=False, help_text="A nomination by a group (made by one of its organisers) also qualifies."
    )
    freeze_date = models.DateField(
        null=True, blank=True, help_text="Only members who joined before this date may take part."
    )
    nominations_open_at = models.DateTimeField(null=True, blank=True)
    nominations_close_at = models.DateTimeField(null=True, blank=True)
    voting_opens_at = models.DateTimeField(null=True, blank=True)
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    quorum = models.PositiveIntegerField(default=0, help_text="Motions: the fewest ballots for a valid result.")
    threshold = models.CharField(max_length=14, choices=Threshold.choices, default=Threshold.SIMPLE)
    # The electorate: all empty means every member; otherwise members of any listed group (a region includes
    # its local groups), or with any listed tag, or any listed role. The freeze date applies on top.
    electorate_groups = models.JSONField(default=list, blank=True, help_text="Group slugs.")
    electorate_tags = models.JSONField(default=list, blank=True, help_text="Member tags.")
    electorate_roles = models.JSONField(default=list, blank=True, help_text="Member roles.")
    email_members = models.BooleanField(
        default=True, help_text="Email the electorate when nominations and voting open, before close, and results."
    )
    # When each kind of email went out (kind -> ISO time): one entry per election, never per member.
    notices_sent = models.JSONField(default=dict, blank=True)
    process = models.ForeignKey(
        "elections.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="elections"
    )
    channel = models.ForeignKey("chat.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ElectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="election_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=State.values), name="election_state_valid"),
            models.CheckConstraint(condition=Q(rules__in=Rules.values), name="election_rules_valid"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="election_seats_positive"),
            models.CheckConstraint(condition=~Q(title=""), name="election_title_not_blank"),
            models.CheckConstraint(
                condition=Q(voting_opens_at__isnull=True)
                | Q(voting_closes_at__isnull=True)
                | Q(voting_opens_at__lt=models.F("voting_closes_at")),
                name="election_voting_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("elections:detail", args=[self.pk])

    @property
    def has_electorate_limits(self) -> bool:
        return bool(self.electorate_groups or self.electorate_tags or self.electorate_roles)

    @property
    def is_ranked(self) -> bool:
        return self.kind in RANKED_KINDS

    @property
    def is_motion(self) -> bool:
        return self.kind == Kind.MOTION

    @property
    def has_nominations(self) -> bool:
        return self.kind == Kind.STV

    @property
    def option_word(self) -> str:
        return "candidate" if self.kind == Kind.STV else "proposal"

    @property
    def results_visible(self) -> bool:
        return self.state == State.PUBLISHED

    def nominations_open_now(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.state == State.NOMINATIONS
            and (self.nominations_open_at is None or self.nominations_open_at <= now)
            and (self.nominations_close_at is None or now < self.nominations_close_at)
        )

    def voting_open_now(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.state == State.VOTING
            and (self.voting_opens_at is None or self.voting_opens_at <= now)
            and (self.voting_closes_at is None or now < self.voting_closes_at)
        )


class CandidateStatus(models.TextChoices):
    NOMINATED = "nominated", "Seeking nominations"
    STANDING = "standing", "Standing"
    WITHDRAWN = "withdrawn", "Withdrawn"


class CandidateQuerySet(models.QuerySet):
    def on_ballot(self):
        return self.filter(status=CandidateStatus.STANDING)


class Candidate(models.Model):
    """A candidate (elections) or a proposal (primaries) on the ballot paper."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(max_length=120)
    statement = models.TextField(blank=True, max_length=5000)
    tags = models.JSONField(default=list, blank=True, help_text="Categories, e.g. ['woman', 'BAME'].")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidacies"
    )
    status = models.CharField(max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.STANDING)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="candidate_name_unique"),
            models.UniqueConstraint(
                fields=["election", "member"], condition=Q(member__isnull=False), name="candidate_member_unique"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="candidate_name_not_blank"),
            models.CheckConstraint(condition=Q(status__in=CandidateStatus.values), name="candidate_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Nomination(models.Model):
    """A supporting nomination: by an eligible member, or by a group (through one of its organisers)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="nominations")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Groups are another app; keep the id and a snapshot of the name rather than a hard dependency.
    group_id = models.PositiveBigIntegerField(null=True, blank=True)
    group_name = models.CharField(max_length=120, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "member"], condition=Q(member__isnull=False), name="nomination_member_unique"
            ),
            models.UniqueConstraint(
                fields=["candidate", "group_id"], condition=Q(group_id__isnull=False), name="nomination_group_unique"
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False, group_id__isnull=True)
                | Q(member__isnull=True, group_id__isnull=False),
                name="nomination_member_or_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_name or self.member} nominates {self.candidate}"


class MinimumRule(models.Model):
    """At least `minimum` of the seats go to candidates tagged `category`."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="minimum_rules")
    category = models.CharField(max_length=40)
    minimum = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(fields=["election", "category"], name="minimum_rule_unique"),
            models.CheckConstraint(condition=Q(minimum__gte=1), name="minimum_rule_positive"),
            models.CheckConstraint(condition=~Q(category=""), name="minimum_rule_category_not_blank"),
        ]

    def __str__(self) -> str:
        return f"at least {self.minimum} {self.category}"


class VoterRoll(models.Model):
    """That a member voted in an election: nothing about how. One row per member per election (the DB
    constraint is what enforces one member, one ballot)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    voted_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="voter_roll_one_ballot")]

    def __str__(self) -> str:
        return f"{self.member_id} voted in {self.election_id}"


RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L


def new_receipt() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


class Ballot(models.Model):
    """One anonymous ballot. No member, no timestamp; a random key. `choices` holds candidate ids (ranked
    order for STV and ranked primaries; the approved set for approval); `answer` the motion's yes/no/abstain."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballots")
    receipt = models.CharField(max_length=14, default=new_receipt)
    choices = models.JSONField(default=list, blank=True)
    answer = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "receipt"], name="ballot_receipt_unique"),
            models.CheckConstraint(condition=Q(answer__in=["", "yes", "no", "abstain"]), name="ballot_answer_valid"),
        ]

    def __str__(self) -> str:
        return f"ballot {self.receipt}"


class ElectionResult(models.Model):
    """The count: the engine's result (JSON), the seed of any lot drawn, and when it ran."""

    election = models.OneToOneField(Election, on_delete=models.CASCADE, related_name="result")
    data = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    seed = models.BigIntegerField(null=True, blank=True)
    ballots_counted = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"result of {self.election}"


from leveller.elections.decide_models import (  # noqa: E402,F401  (motions, amendments, hustings, processes)
    Amendment,
    AmendmentSeconder,
    AmendmentState,
    HustingsAnswer,
    HustingsQuestion,
    MailKind,
    MailOptOut,
    Motion,
    MotionRevision,
    MotionState,
    Process,
    Seconder,
)
