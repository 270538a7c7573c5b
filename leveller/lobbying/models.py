"""Lobbying: letter campaigns and the letters members (and supporters) send to MPs, and joint statements with
their signatures. MPs and constituencies are reference data (geography.py); a letter keeps a copy of the MP's
details as they were when it was written."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Targets(models.TextChoices):
    OWN_MP = "own_mp", "Each writer's own MP"
    PARTIES = "parties", "MPs of given parties"
    LIST = "list", "A named list of MPs"


class Campaign(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    ask = models.TextField(max_length=5000, help_text="What we ask MPs to do, and why (Markdown).")
    subject = models.CharField(max_length=200, help_text="The email subject. Placeholders work here too.")
    template = models.TextField(
        max_length=20_000,
        help_text="The letter. Placeholders: {mp_name}, {constituency}, {member_name}, {member_town}, "
        "{personal_paragraph}.",
    )
    personal_prompt = models.CharField(
        max_length=300,
        default="Say in your own words why this matters to you. MPs listen to constituents, not form letters.",
    )
    targets = models.CharField(max_length=8, choices=Targets.choices, default=Targets.OWN_MP)
    target_parties = models.JSONField(default=list, blank=True)
    target_codes = models.JSONField(default=list, blank=True, help_text="Constituency codes (named list).")
    own_mp_only = models.BooleanField(
        default=True, help_text="Writers may write only to the MP for the postcode they give."
    )
    moderated = models.BooleanField(default=False, help_text="An organiser approves each letter before it goes.")
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    opens_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(null=True, blank=True)
    statement = models.ForeignKey(
        "Statement", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_up_campaigns"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(targets__in=Targets.values), name="lobbying_campaign_targets_valid"),
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values), name="lobbying_campaign_status_valid"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="lobbying_campaign_title_not_blank"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("lobbying:act", args=[self.slug])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == CampaignStatus.PUBLISHED
            and self.opens_at <= now
            and (self.closes_at is None or now < self.closes_at)
        )


class LetterState(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Waiting for the writer to confirm their email"
    MODERATION = "moderation", "Waiting for an organiser's approval"
    QUEUED = "queued", "Being sent"
    SENT = "sent", "Sent"
    BOUNCED = "bounced", "Bounced"
    FAILED = "failed", "Could not be sent"
    REJECTED = "rejected", "Not approved"


class Reply(models.TextChoices):
    NO = "no", "No reply yet"
    YES = "yes", "Replied"
    AGREED = "agreed", "Replied and agreed"


# A letter in one of these states holds the writer's one letter to that MP in that campaign.
HOLDING_STATES = [
    LetterState.UNCONFIRMED,
    LetterState.MODERATION,
    LetterState.QUEUED,
    LetterState.SENT,
    LetterState.BOUNCED,
]


class LetterQuerySet(models.QuerySet):
    def delivered(self):
        return self.filter(state=LetterState.SENT)


class Letter(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="letters")
    # Null until a writer who was not logged in confirms their email (then they are a member or supporter).
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="lobbying_letters"
    )
    # The writer as they signed it, and their address (MPs answer constituents only).
    writer_name = models.CharField(max_length=120)
    writer_email = models.EmailField(max_length=254)
    address = models.TextField(max_length=500)
    town = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=12)
    # The MP as they were when the letter was written.
    constituency_code = models.CharField(max_length=9)
    constituency_name = models.CharField(max_length=120)
    mp_name = models.CharField(max_length=120)
    mp_party = models.CharField(max_length=80)
    mp_email = models.EmailField(max_length=254, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=30_000)
    personal = models.TextField(max_length=5000)
    state = models.CharField(max_length=12, choices=LetterState.choices, default=LetterState.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_note = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Sending tries after passing failures.")
    # Consent of a writer who is not a member (they become a supporter): when, where, and the exact words.
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_wording = models.TextField(blank=True)
    # The follow-up question, asked once, FOLLOW_UP_DAYS after sending.
    follow_up_asked_at = models.DateTimeField(null=True, blank=True)
    reply = models.CharField(max_length=8, choices=Reply.choices, blank=True)
    reply_at = models.DateTimeField(null=True, blank=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "writer", "constituency_code"],
                condition=Q(state__in=HOLDING_STATES),
                name="lobbying_one_letter_per_writer_per_mp",
            ),
            models.UniqueConstraint(
                "campaign",
                Lower("writer_email"),
                "constituency_code",
                condition=Q(state__in=HOLDING_STATES),
                name="lobbying_one_letter_per_email_per_mp",
            ),
            models.CheckConstraint(condition=Q(state__in=LetterState.values), name="lobbying_letter_state_valid"),
            models.CheckConstraint(condition=Q(reply__in=["", *Reply.values]), name="lobbying_letter_reply_valid"),
        ]
        indexes = [
            models.Index(fields=["writer_email", "created_at"]),
            models.Index(fields=["state", "sent_at"]),
            models.Index(fields=["campaign", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.writer_name} to {self.mp_name} ({self.campaign_id})"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for signatures"
    CLOSED = "closed", "Closed"


class Statement(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    text = models.TextField(max_length=20_000, help_text="Markdown.")
    status = models.CharField(max_length=8, choices=StatementStatus.choices, default=StatementStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=StatementStatus.values), name="lobbying_statement_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("lobbying:statement", args=[self.slug])


class SignerKind(models.TextChoices):
    ORGANISATION = "organisation", "An organisation"
    INDIVIDUAL = "individual", "An individual"


class SignatureState(models.TextChoices):
    PENDING = "pending", "Waiting for verification"
    SHOWN = "shown", "Shown"
    REJECTED = "rejected", "Rejected"


class Signature(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="signatures")
    kind = models.CharField(max_length=12, choices=SignerKind.choices)
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, blank=True)
    organisation = models.CharField(max_length=160, blank=True)
    email = models.EmailField(max_length=254, help_text="For verification only; never shown.")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logo = models.FileField(upload_to="lobbying/logos/%Y/", blank=True)
    logo_type = models.CharField(max_length=40, blank=True)
    # Set by staff when the signer is a sitting MP: they are then left out of "email every MP not signed".
    mp_constituency_code = models.CharField(max_length=9, blank=True)
    state = models.CharField(max_length=8, choices=SignatureState.choices, default=SignatureState.PENDING)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    consent_wording = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint("statement", Lower("email"), "kind", name="lobbying_one_signature_per_email"),
            models.CheckConstraint(condition=Q(kind__in=SignerKind.values), name="lobbying_signature_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=SignatureState.values), name="lobbying_signature_state_valid"),
            models.CheckConstraint(
                condition=~Q(kind=SignerKind.ORGANISATION) | ~Q(organisation=""),
                name="lobbying_organisation_signature_names_it",
            ),
        ]
        indexes = [models.Index(fields=["statement", "state"])]

    def __str__(self) -> str:
        return self.organisation if self.kind == SignerKind.ORGANISATION else self.name
