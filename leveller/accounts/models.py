"""The member record: one row per person, shared by every domain."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    STAFF = "staff", "Staff"
    EDITOR = "editor", "Editor"
    ORGANISER = "organiser", "Organiser"
    MEMBER = "member", "Member"
    GUEST = "guest", "Guest"


class Status(models.TextChoices):
    MEMBER = "member", "Member"
    SUPPORTER = "supporter", "Supporter"
    LAPSED = "lapsed", "Lapsed"


TIME_ZONE_CHOICES = sorted(zoneinfo.available_timezones())


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_role(self, *roles: str):
        return self.filter(role_rows__role__in=roles).distinct()

    def search_names(self, text: str):
        """By name only: for pickers every member uses, which must not reveal emails or membership numbers."""
        text = text.strip()
        return self.filter(display_name__icontains=text) if text else self

    def search(self, text: str):
        """By name, email or membership number: for staff, who may see them."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(display_name__icontains=text)
            | models.Q(email__icontains=text)
            | models.Q(membership_number__iexact=text)
        )


class MemberManager(BaseUserManager.from_queryset(MemberQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **fields):
        email = normalise_email(email)
        member = self.model(email=email, **fields)
        if password:
            member.set_password(password)
        else:
            member.set_unusable_password()
        member.save(using=self._db)
        return member

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("display_name", email.split("@")[0])
        member = self.create_user(email, password, is_staff=True, is_superuser=True, **fields)
        MemberRole.objects.get_or_create(member=member, role=Role.ADMIN)
        return member


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


class Member(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254)
    display_name = models.CharField(max_length=120)
    pronouns = models.CharField(max_length=40, blank=True)
    phone = models.CharField("phone (E.164)", max_length=20, blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    country = models.CharField(max_length=2, default="GB", help_text="ISO 3166-1 alpha-2 code")
    time_zone = models.CharField(max_length=64, default="Europe/London")
    membership_number = models.CharField(max_length=40, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.MEMBER)
    joined_on = models.DateField(default=timezone.localdate)
    bio = models.TextField(blank=True, max_length=2000)
    avatar = models.CharField(
        max_length=120,
        blank=True,
        help_text="The profile picture's file in the default storage (accounts/avatars.py), or empty for initials.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = MemberManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="member_email_unique_ci"),
            models.UniqueConstraint(fields=["membership_number"], name="member_number_unique"),
            models.CheckConstraint(condition=~models.Q(email=""), name="member_email_not_blank"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email

    @property
    def roles(self) -> frozenset[str]:
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.role_rows.values_list("role", flat=True)) if self.pk else frozenset()
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMIN)

    @property
    def is_staff_member(self) -> bool:
        """Admins and staff: the organisation's employees and officers."""
        return self.is_admin or self.has_role(Role.STAFF)

    @property
    def is_organiser(self) -> bool:
        return self.is_staff_member or self.has_role(Role.ORGANISER)

    @property
    def is_guest(self) -> bool:
        return self.has_role(Role.GUEST) and not self.has_role(Role.MEMBER, Role.ORGANISER, Role.STAFF, Role.ADMIN)

    @property
    def avatar_url(self) -> str:
        """Where the picture is served (behind a login), or "" when the member has none. No query."""
        from leveller.accounts.avatars import url_for

        return url_for(self)

    @property
    def initials(self) -> str:
        parts = [p for p in self.display_name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or self.email[:1].upper()


class MemberRole(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="role_rows")
    role = models.CharField(max_length=12, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "role"], name="member_role_unique")]

    def __str__(self) -> str:
        return f"{self.member} is {self.role}"


class MemberTag(models.Model):
    """A label staff put on a member (e.g. "delegate", "young-members"); votes can limit their electorate by it."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.SlugField(max_length=40)

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["member", "tag"], name="member_tag_unique")]

    def __str__(self) -> str:
        return f"{self.member} tagged {self.tag}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Invitation(models.Model):
    """A single-use, expiring link that lets an invited member set their password."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.member.email}"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now() and self.member.is_active


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 hash is stored; the secret is shown once."""

    PREFIX = "lvl_"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, default="API token")
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="First characters, to recognise the token.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def new_secret() -> str:
        return ApiToken.PREFIX + secrets.token_urlsafe(32)


class EmailChange(models.Model):
    """A pending change of email address, confirmed from the new address."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.member_id} -> {self.new_email}"


class TwoFactorPolicy(models.Model):
    """Which roles must sign in with a second factor (one row; accounts/two_factor.py reads it through the cache).
    The devices themselves are django-otp's: a TOTP device (an authenticator app) and a static device (recovery
    codes) per enrolled member."""

    required_roles = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Two-factor required for {', '.join(self.required_roles) or 'nobody'}"
