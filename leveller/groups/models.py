"""Groups: local (covering UK postcode districts, or a town abroad), regional, campaign action, online-only
and alumni groups; their members, organisers, districts and the messages organisers send them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    LOCAL = "local", "Local group"
    REGIONAL = "regional", "Regional group"
    CAMPAIGN = "campaign", "Campaign action group"
    ONLINE = "online", "Online-only group"
    ALUMNI = "alumni", "Alumni group"
    ABROAD = "abroad", "Group abroad"


class GroupStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    ARCHIVED = "archived", "Archived"


class Role(models.TextChoices):
    ORGANISER = "organiser", "Organiser"
    MEMBER = "member", "Member"


class GroupQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=GroupStatus.APPROVED)

    def of_kind(self, *kinds: str):
        return self.filter(kind__in=kinds)

    def for_member(self, member):
        """Groups the member belongs to (any status)."""
        if member is None or not getattr(member, "pk", None):
            return self.none()
        return self.filter(memberships__member=member)

    def organised_by(self, member):
        if member is None or not getattr(member, "pk", None):
            return self.none()
        return self.filter(memberships__member=member, memberships__role=Role.ORGANISER)

    def visible_to(self, member):
        """Approved groups for everyone; staff also see proposals and archives; proposers see their own."""
        if member is not None and getattr(member, "is_authenticated", False):
            if member.is_staff_member:
                return self.all()
            return self.filter(Q(status=GroupStatus.APPROVED) | Q(proposed_by=member)).distinct()
        return self.approved()

    def with_member_counts(self):
        return self.annotate(member_count=models.Count("memberships", distinct=True))


class Group(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LOCAL)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        limit_choices_to={"kind": Kind.REGIONAL},
        help_text="The regional group a local group belongs to.",
    )
    campaign = models.CharField(max_length=120, blank=True, help_text="The campaign of an action group.")
    description = models.TextField(blank=True, max_length=5000)
    meeting_pattern = models.CharField(max_length=200, blank=True, help_text="e.g. 'First Tuesday, 7pm, online'")
    country = models.CharField(max_length=2, default="GB", help_text="ISO 3166-1 alpha-2 code")
    town = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=GroupStatus.choices, default=GroupStatus.PROPOSED)
    channel = models.ForeignKey("chat.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposal_note = models.TextField(blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["country", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="group_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=GroupStatus.values), name="group_status_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="group_name_not_blank"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=models.F("id")), name="group_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("groups:detail", args=[self.slug])

    @property
    def is_approved(self) -> bool:
        return self.status == GroupStatus.APPROVED

    @property
    def is_abroad(self) -> bool:
        return self.kind == Kind.ABROAD or (self.country or "GB") != "GB"


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "-role", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="group_membership_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="group_membership_role_valid"),
        ]
        indexes = [models.Index(fields=["group", "joined_at"])]

    def __str__(self) -> str:
        return f"{self.member} in {self.group} ({self.role})"

    @property
    def is_organiser(self) -> bool:
        return self.role == Role.ORGANISER


class GroupDistrict(models.Model):
    """A UK postcode district (outward code, e.g. "NW10") a group covers."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="districts")
    outcode = models.CharField(max_length=4, db_index=True)

    class Meta:
        ordering = ["outcode"]
        constraints = [
            models.UniqueConstraint(fields=["group", "outcode"], name="group_district_unique"),
            models.CheckConstraint(condition=~Q(outcode=""), name="group_district_not_blank"),
        ]

    def __str__(self) -> str:
        return self.outcode


class GroupMessage(models.Model):
    """A message an organiser sent to their group (to its channel and/or by email). Also the rate limit's log."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(max_length=150, blank=True)
    text = models.TextField(max_length=10000)
    to_channel = models.BooleanField(default=False)
    by_email = models.BooleanField(default=False)
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["group", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.subject or self.text[:40]} → {self.group}"
