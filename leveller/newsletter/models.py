"""The newsletter: issues made of ordered sections, subscribers with recorded consent, one delivery row per
recipient per issue (what makes a send resumable without a second copy), and the question of the month."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class IssueStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"


class SendStatus(models.TextChoices):
    NONE = "none", "Not emailed"
    SENDING = "sending", "Sending"
    PAUSED = "paused", "Paused"
    DONE = "done", "Sent"


class IssueQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=IssueStatus.PUBLISHED, published_at__isnull=False)


class Issue(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One or two sentences for the archive and sharing."
    )
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.DRAFT)
    publish_at = models.DateTimeField(null=True, blank=True, help_text="When a scheduled issue is published.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The email as it was at publication: later edits change the web copy only.
    email_subject = models.CharField(max_length=200, blank=True)
    email_html = models.TextField(blank=True)
    email_text = models.TextField(blank=True)
    send_status = models.CharField(max_length=10, choices=SendStatus.choices, default=SendStatus.NONE)
    send_started_at = models.DateTimeField(null=True, blank=True)
    send_finished_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=500, blank=True)
    # One sender at a time: a worker holds the lease while it sends and renews it as it goes.
    send_lease_until = models.DateTimeField(null=True, blank=True)
    send_lease_owner = models.CharField(max_length=64, blank=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=IssueStatus.values), name="newsletter_issue_status_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="newsletter_issue_title_not_blank"),
            models.CheckConstraint(
                condition=~Q(status=IssueStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="newsletter_published_issue_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        year = (self.published_at or self.created_at).year
        return reverse("newsletter:issue", args=[year, self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == IssueStatus.PUBLISHED


class SectionKind(models.TextChoices):
    TEXT = "text", "Article"
    ROUNDUP = "roundup", "News round-up"
    ANSWERS = "answers", "Members answer"
    SPOTLIGHT = "spotlight", "Group spotlight"
    FREE = "free", "Free section"


class Section(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=SectionKind.choices, default=SectionKind.TEXT)
    heading = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True, max_length=50_000, help_text="Markdown.")
    # Members answer: the question whose chosen answers this section prints.
    question = models.ForeignKey("Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Group spotlight: the group (kept by id and name so the newsletter does not depend on the groups app).
    group_id_ref = models.PositiveIntegerField(null=True, blank=True)
    group_name = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["issue", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SectionKind.values), name="newsletter_section_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.heading or self.get_kind_display()


class Image(models.Model):
    """An uploaded picture. Public once its issue is published; until then editors only."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to="newsletter/%Y/%m/")
    alt = models.CharField("description (alt text)", max_length=300)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issue", "id"]

    def __str__(self) -> str:
        return self.alt

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("newsletter:image", args=[self.pk, self.filename])

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Awaiting confirmation"
    SUBSCRIBED = "subscribed", "Subscribed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    BOUNCING = "bouncing", "Bouncing"


class SubscriberQuerySet(models.QuerySet):
    def receiving(self):
        return self.filter(status=SubscriberStatus.SUBSCRIBED)


class Subscriber(models.Model):
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=120, blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_subscriptions",
    )
    status = models.CharField(max_length=12, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    # Consent: when, how, and the exact wording the person agreed to.
    requested_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=40, blank=True)
    consent_wording = models.TextField(blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_after = models.ForeignKey(Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.CharField(max_length=300, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_unique_ci"),
            models.CheckConstraint(condition=~Q(email=""), name="newsletter_subscriber_email_not_blank"),
            models.CheckConstraint(
                condition=Q(status__in=SubscriberStatus.values), name="newsletter_subscriber_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=SubscriberStatus.SUBSCRIBED) | Q(consent_at__isnull=False),
                name="newsletter_subscribed_has_consent",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.email

    @property
    def greeting_name(self) -> str:
        return (self.name or "").split(" ")[0] or "friend"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    BOUNCED = "bounced", "Bounced"
    UNKNOWN = "unknown", "Interrupted (not resent)"
    SKIPPED = "skipped", "Skipped (unsubscribed)"


class Delivery(models.Model):
    """One recipient of one issue. Its state is committed before and after each SMTP call, so a sender that
    stops at any moment can be resumed without anyone getting a second copy (see docs/newsletter.md)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletter_one_delivery_per_recipient"),
            models.CheckConstraint(condition=Q(state__in=DeliveryState.values), name="newsletter_delivery_state_valid"),
        ]
        indexes = [models.Index(fields=["issue", "state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.issue_id} -> {self.subscriber_id}: {self.state}"


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for answers"
    CLOSED = "closed", "Closed"


class Question(models.Model):
    """The question of the month. At most one is open at a time."""

    text = models.CharField(max_length=300)
    intro = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=8, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="newsletter_question_text_not_blank"),
            models.UniqueConstraint(fields=["status"], condition=Q(status="open"), name="newsletter_one_open_question"),
        ]

    def __str__(self) -> str:
        return self.text


class AnswerStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    SHORTLISTED = "shortlisted", "Shortlisted"
    CHOSEN = "chosen", "Chosen"
    DECLINED = "declined", "Not chosen"


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="newsletter_answers")
    body = models.TextField(max_length=5000)
    words = models.PositiveSmallIntegerField(default=0)
    show_name = models.BooleanField(default=False)
    show_group = models.BooleanField(default=False)
    group_name = models.CharField(max_length=120, blank=True, help_text="The member's local group when they answered.")
    status = models.CharField(max_length=12, choices=AnswerStatus.choices, default=AnswerStatus.SUBMITTED)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    printed_in = models.ForeignKey(Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "member"], name="newsletter_one_answer_per_member"),
            models.CheckConstraint(condition=Q(status__in=AnswerStatus.values), name="newsletter_answer_status_valid"),
            models.CheckConstraint(condition=Q(words__lte=200), name="newsletter_answer_at_most_200_words"),
        ]

    def __str__(self) -> str:
        return f"{self.member} on {self.question}"

    @property
    def byline(self) -> str:
        """What is printed under the answer: only what the member agreed to show."""
        name = self.member.display_name if self.show_name else "A member"
        if self.show_group and self.group_name:
            return f"{name}, {self.group_name}"
        return name
