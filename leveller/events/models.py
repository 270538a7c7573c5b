"""Events, their RSVPs and waitlists, reminders, calendar feeds, and courses (series of sessions)."""

from __future__ import annotations

import secrets
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone


class EventType(models.TextChoices):
    TALK = "talk", "Political education talk"
    SKILLSHARE = "skillshare", "Skillshare"
    TRAINING = "training", "Training"
    PHONEBANK = "phonebank", "Phonebank session"
    MEETING = "meeting", "Meeting"
    SOCIAL = "social", "Social"
    ACTION = "action", "Action"
    RALLY = "rally", "Rally"


class EventStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Not approved"
    CANCELLED = "cancelled", "Cancelled"


class Audience(models.TextChoices):
    MEMBERS = "members", "All members"
    GROUP = "group", "Members of the hosting group"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Every month (same weekday, e.g. second Tuesday)"


class Series(models.Model):
    """Repeating events: each occurrence is a real Event row (editable on its own) pointing here."""

    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "series"
        constraints = [models.CheckConstraint(condition=Q(frequency__in=Frequency.values), name="series_freq_valid")]

    def __str__(self) -> str:
        return f"Series {self.pk} ({self.frequency})"


def _group_member_q(member, prefix: str = "") -> Q:
    from leveller.groups.models import GroupMembership

    mine = GroupMembership.objects.filter(group=OuterRef(f"{prefix}group"), member=member)
    return Q(Exists(mine))


def _group_organiser_q(member, prefix: str = "") -> Q:
    from leveller.groups.models import GroupMembership, Role

    mine = GroupMembership.objects.filter(group=OuterRef(f"{prefix}group"), member=member, role=Role.ORGANISER)
    return Q(Exists(mine))


class EventQuerySet(models.QuerySet):
    def visible_to(self, member):
        """Published events the member may see; plus, for hosts and approvers, pending and rejected ones."""
        if member is None or not getattr(member, "is_authenticated", False) or not member.is_active:
            return self.none()
        if member.is_staff_member:
            return self.all()
        audience_ok = Q(audience=Audience.MEMBERS) | _group_member_q(member)
        published = Q(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED]) & audience_ok
        mine = Q(created_by=member) | _group_organiser_q(member)
        return self.filter(published | mine)

    def listed(self):
        return self.filter(status=EventStatus.PUBLISHED)

    def upcoming(self, now=None):
        return self.filter(ends_at__gt=now or timezone.now())

    def awaiting_approval_by(self, member):
        pending = self.filter(status=EventStatus.PENDING)
        if member.is_staff_member:
            return pending
        return pending.filter(_group_organiser_q(member))

    def going_for(self, member):
        return self.filter(rsvps__member=member, rsvps__status="going")


class Event(models.Model):
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True, max_length=10000)
    type = models.CharField(max_length=12, choices=EventType.choices, default=EventType.MEETING)
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.MEMBERS)
    group = models.ForeignKey(
        "groups.Group",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text="The hosting group or campaign action group; empty for a national event.",
    )
    starts_at = models.DateTimeField(help_text="UTC")
    ends_at = models.DateTimeField(help_text="UTC")
    time_zone = models.CharField(max_length=64, default="Europe/London")
    online = models.BooleanField(default=False)
    online_url = models.URLField("joining link", blank=True, max_length=500)
    in_person = models.BooleanField(default=True)
    venue = models.CharField(max_length=150, blank=True)
    address = models.TextField(blank=True, max_length=500)
    postcode = models.CharField(max_length=12, blank=True)
    outcode = models.CharField(max_length=4, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty for no limit.")
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    course = models.ForeignKey(
        "events.Course", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)
    cancel_reason = models.TextField(blank=True, max_length=2000)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: bumped on each change.")

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["group", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=EventType.values), name="event_type_valid"),
            models.CheckConstraint(condition=Q(status__in=EventStatus.values), name="event_status_valid"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="event_audience_valid"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(condition=Q(online=True) | Q(in_person=True), name="event_has_a_place"),
            models.CheckConstraint(condition=~Q(title=""), name="event_title_not_blank"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="event_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    @property
    def ics_url(self) -> str:
        return reverse("events:ics", args=[self.pk])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def is_national(self) -> bool:
        return self.group_id is None

    @property
    def host_name(self) -> str:
        return self.group.name if self.group_id else settings.SITE_NAME

    @property
    def local_starts_at(self):
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_ends_at(self):
        return timezone.localtime(self.ends_at, self.zone)


class RsvpStatus(models.TextChoices):
    GOING = "going", "Going"
    WAITLISTED = "waitlisted", "On the waitlist"
    CANCELLED = "cancelled", "Cancelled"


class Rsvp(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_rsvps")
    status = models.CharField(max_length=10, choices=RsvpStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now, help_text="Waitlist order: first queued, first promoted.")
    going_since = models.DateTimeField(null=True, blank=True, help_text="When this RSVP last got a place.")
    attended = models.BooleanField(null=True, blank=True, help_text="Set by the host; empty until taken.")

    class Meta:
        ordering = ["queued_at", "id"]
        indexes = [models.Index(fields=["event", "status", "queued_at"]), models.Index(fields=["member", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="rsvp_one_per_member"),
            models.CheckConstraint(condition=Q(status__in=RsvpStatus.values), name="rsvp_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.status} {self.event}"


class ReminderSlot(models.TextChoices):
    DAY = "24h", "24 hours before"
    HOUR = "1h", "1 hour before"


class ReminderSent(models.Model):
    """One row per reminder emailed: the unique constraint is what makes the sweep idempotent."""

    rsvp = models.ForeignKey(Rsvp, on_delete=models.CASCADE, related_name="reminders")
    slot = models.CharField(max_length=4, choices=ReminderSlot.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rsvp", "slot"], name="reminder_once_per_slot"),
            models.CheckConstraint(condition=Q(slot__in=ReminderSlot.values), name="reminder_slot_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.slot} reminder for {self.rsvp_id}"


class CalendarFeed(models.Model):
    """A member's private calendar feed. The token is a read-only capability; regenerating replaces it."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.member_id}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def path(self) -> str:
        return reverse("events:feed", args=[self.token])


class Course(models.Model):
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    description = models.TextField(blank=True, max_length=10000)
    questions = models.JSONField(default=list, blank=True, help_text="The application form: a list of questions.")
    applications_open = models.BooleanField(default=True)
    completion_threshold = models.PositiveIntegerField(
        default=1, help_text="Sessions a participant must attend to complete the course."
    )
    alumni_group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="alumni_of_courses"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="course_title_not_blank"),
            models.CheckConstraint(condition=Q(completion_threshold__gte=1), name="course_threshold_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:course", args=[self.slug])


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "Awaiting a decision"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class CourseApplication(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="applications")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_applications")
    answers = models.JSONField(default=list, help_text="[{question, answer}] as asked at the time.")
    status = models.CharField(max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=2000, help_text="Sent to the applicant with the decision.")
    completed_at = models.DateTimeField(null=True, blank=True, help_text="When the participant graduated.")

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "member"], name="course_application_once"),
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.course} ({self.status})"
