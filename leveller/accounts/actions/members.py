"""Every change to members and accounts. Views, the API, commands and tasks call these."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from leveller.accounts import hooks
from leveller.accounts.models import (
    ApiToken,
    EmailChange,
    Invitation,
    Member,
    MemberRole,
    Role,
    hash_secret,
    normalise_email,
)
from leveller.accounts.validation import (
    clean_country,
    clean_email,
    clean_phone,
    clean_postcode,
    clean_time_zone,
)
from leveller.core import audit
from leveller.core.mail import send_templated
from leveller.core.text import single_line, storable
from leveller.realtime.publish import control, publish

PROFILE_FIELDS = {
    "display_name",
    "pronouns",
    "phone",
    "postcode",
    "country",
    "time_zone",
    "membership_number",
    "status",
    "joined_on",
    "bio",
}


def _normalise(fields: dict, *, country: str) -> dict:
    """Every write of member fields goes through the same checks, whichever transport it came from."""
    fields = dict(fields)
    if "country" in fields:
        fields["country"] = country = clean_country(fields["country"])
    if "phone" in fields:
        fields["phone"] = clean_phone(fields["phone"], country)
    if "postcode" in fields:
        fields["postcode"] = clean_postcode(fields["postcode"], country)
    if "time_zone" in fields:
        fields["time_zone"] = clean_time_zone(fields["time_zone"])
    if "display_name" in fields:
        fields["display_name"] = single_line(fields["display_name"], "A name")
        if not fields["display_name"]:
            raise ValidationError("Your name cannot be empty.")
    for key in ("pronouns", "membership_number"):
        if isinstance(fields.get(key), str):
            fields[key] = single_line(fields[key], key.replace("_", " ").capitalize())
    if isinstance(fields.get("bio"), str):
        fields["bio"] = storable(fields["bio"], "The bio")
    return fields


def require_may_grant(actor, roles) -> None:
    """Roles are granted only by someone who holds them: admin only by admins, staff by staff or admins, and the
    other roles (organiser, editor, member, guest) by staff. `actor=None` is the command line (the operator)."""
    if actor is None:
        return
    roles = set(roles or ())
    if Role.ADMIN in roles and not actor.is_admin:
        raise PermissionDenied("Only admins can make admins.")
    if roles - {Role.MEMBER, Role.GUEST} and not actor.is_staff_member:
        raise PermissionDenied("Only staff and admins can grant roles.")


def _set_roles(member: Member, roles: list[str]) -> None:
    roles = sorted(set(roles))
    MemberRole.objects.filter(member=member).exclude(role__in=roles).delete()
    existing = set(MemberRole.objects.filter(member=member).values_list("role", flat=True))
    MemberRole.objects.bulk_create([MemberRole(member=member, role=r) for r in roles if r not in existing])
    member._roles_cache = frozenset(roles)
    # Admins get the whole Django admin; staff get into it with the permissions an admin grants them.
    is_superuser = Role.ADMIN in roles
    is_staff = is_superuser or Role.STAFF in roles
    if (member.is_staff, member.is_superuser) != (is_staff, is_superuser):
        member.is_staff, member.is_superuser = is_staff, is_superuser
        member.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def add_or_update_member(
    *,
    actor,
    email: str,
    display_name: str = "",
    roles: list[str] | None = None,
    password: str | None = None,
    **fields,
) -> tuple[Member, bool]:
    """Create a member, or update the one with this email. Used by the CLI, imports and invitations."""
    email = clean_email(email)
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"unknown member fields: {sorted(unknown)}")
    member = Member.objects.filter(email__iexact=email).first()
    created = member is None
    fields = _normalise(fields, country=fields.get("country") or (member.country if member else "GB"))
    if created:
        display_name = single_line(display_name, "A name")
        if not display_name:
            raise ValidationError("A new member needs a name.")
        hooks.before_member_created(actor=actor, email=email, phone=fields.get("phone") or "")
        member = Member(email=email, display_name=display_name, **fields)
        member.set_unusable_password()
    else:
        if display_name.strip():
            member.display_name = single_line(display_name, "A name")
        for key, value in fields.items():
            setattr(member, key, value)
    if password is not None:
        validate_password(password, member)
        member.set_password(password)
    member.full_clean(exclude=["password"], validate_constraints=False)
    member.save()
    if roles is not None or created:
        _set_roles(member, roles or [Role.MEMBER])
    if created:
        hooks.member_created(actor=actor, member=member)
    audit.record(
        actor=actor,
        action="member.created" if created else "member.updated",
        target=member,
        summary=member.email,
    )
    return member, created


@transaction.atomic
def add_members_in_bulk(*, actor, people: list[dict]) -> list[Member]:
    """Create many new members at once (imports): each dict has email, display_name and optional profile fields.
    The same checks as add_or_update_member, no passwords, the member role; hooks run once for the batch.
    Every email must be new (callers match existing members first)."""
    members = []
    for person in people:
        fields = dict(person)
        email, name = clean_email(fields.pop("email", "")), (fields.pop("display_name", "") or "").strip()
        unknown = set(fields) - PROFILE_FIELDS
        if unknown:
            raise ValueError(f"unknown member fields: {sorted(unknown)}")
        if not name:
            raise ValidationError(f"{email}: a new member needs a name.")
        fields = _normalise(fields, country=fields.get("country") or "GB")
        member = Member(email=email, display_name=name, **fields)
        member.set_unusable_password()
        member.full_clean(exclude=["password"], validate_constraints=False)
        members.append(member)
    if not members:
        return []
    Member.objects.bulk_create(members)
    MemberRole.objects.bulk_create([MemberRole(member=m, role=Role.MEMBER) for m in members])
    for member in members:
        member._roles_cache = frozenset([Role.MEMBER])
    hooks.members_created(actor=actor, members=members)
    for member in members:
        audit.record(actor=actor, action="member.created", target=member, summary=member.email)
    return members


def _new_invitation(*, actor, member: Member) -> str:
    secret = secrets.token_urlsafe(32)
    Invitation.objects.filter(member=member, used_at__isnull=True).update(expires_at=timezone.now())
    Invitation.objects.create(
        member=member,
        invited_by=actor if getattr(actor, "pk", None) else None,
        token_hash=hash_secret(secret),
        expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_DAYS),
    )
    link = settings.SITE_URL + reverse("accounts:accept_invitation", args=[secret])
    send_templated(
        to=member.email,
        template="accounts/email/invitation",
        context={"member": member, "link": link, "inviter": actor, "days": settings.INVITATION_DAYS},
    )
    return secret


@transaction.atomic
def invite_member(*, actor, email: str, display_name: str, roles: list[str] | None = None, **fields) -> Member:
    """Create the member and email them a single-use link to set a password.

    An invitation never changes an existing member: someone who never set a password gets a fresh link with
    their record (roles, name, email) untouched; anyone else already has an account and is not invited again."""
    if not actor.is_staff_member:
        raise PermissionDenied("Only staff and admins can invite members.")
    require_may_grant(actor, roles)
    existing = Member.objects.filter(email__iexact=clean_email(email)).first()
    if existing is not None:
        if existing.has_usable_password() or not existing.is_active:
            raise ValidationError(f"{existing.email} already has an account; change their roles on their record.")
        member = existing
    else:
        member, _ = add_or_update_member(actor=actor, email=email, display_name=display_name, roles=roles, **fields)
    _new_invitation(actor=actor, member=member)
    audit.record(actor=actor, action="member.invited", target=member, summary=member.email)
    return member


def invitation_for(secret: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("member").filter(token_hash=hash_secret(secret)).first()
    return invitation if invitation and invitation.usable else None


@transaction.atomic
def accept_invitation(*, secret: str, password: str) -> Member:
    invitation = (
        Invitation.objects.select_for_update().select_related("member").filter(token_hash=hash_secret(secret)).first()
    )
    if invitation is None or not invitation.usable:
        raise ValidationError("This invitation link has expired or was already used. Ask for a new one.")
    member = invitation.member
    validate_password(password, member)
    member.set_password(password)
    member.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit.record(actor=member, action="member.invitation_accepted", target=member)
    return member


@transaction.atomic
def update_profile(*, actor, member: Member, **fields) -> Member:
    if actor.pk != member.pk and not actor.is_staff_member:
        raise PermissionDenied("You can only change your own profile.")
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"unknown member fields: {sorted(unknown)}")
    if actor.pk == member.pk and not actor.is_staff_member:
        fields = {k: v for k, v in fields.items() if k not in {"membership_number", "status", "joined_on"}}
    fields = _normalise(fields, country=fields.get("country") or member.country)
    for key, value in fields.items():
        setattr(member, key, value)
    member.full_clean(exclude=["password"], validate_constraints=False)
    member.save()
    audit.record(actor=actor, action="member.profile_updated", target=member, data={"fields": sorted(fields)})
    publish(
        streams=[f"user-{member.pk}"],
        type="profile.updated",
        payload={
            "member_id": member.pk,
            "display_name": member.display_name,
            "pronouns": member.pronouns,
            "avatar_url": member.avatar_url or None,
        },
    )
    return member


@transaction.atomic
def set_roles(*, actor, member: Member, roles: list[str]) -> Member:
    if not actor.is_admin:
        raise PermissionDenied("Only admins can change roles.")
    if actor.pk == member.pk and Role.ADMIN not in roles:
        raise ValidationError("You cannot remove your own admin role; ask another admin.")
    _set_roles(member, roles)
    audit.record(actor=actor, action="member.roles_changed", target=member, data={"roles": sorted(roles)})
    return member


def clean_tag(tag: str) -> str:
    from django.utils.text import slugify

    cleaned = slugify(tag or "")[:40]
    if not cleaned:
        raise ValidationError("A tag needs letters or numbers, e.g. “delegate”.")
    return cleaned


@transaction.atomic
def set_tags(*, actor, member: Member, tags: list[str]) -> Member:
    """Staff set the labels on a member (electorates of votes can be limited to a tag)."""
    from leveller.accounts.models import MemberTag

    if actor is None or not actor.is_staff_member:
        raise PermissionDenied("Only staff can tag members.")
    wanted = {clean_tag(t) for t in tags}
    before = set(member.tag_rows.values_list("tag", flat=True))
    member.tag_rows.exclude(tag__in=wanted).delete()
    MemberTag.objects.bulk_create([MemberTag(member=member, tag=t) for t in wanted - before])
    if wanted != before:
        audit.record(actor=actor, action="member.tags_changed", target=member, data={"tags": sorted(wanted)})
    return member


@transaction.atomic
def request_email_change(*, actor, new_email: str) -> EmailChange:
    new_email = clean_email(new_email)
    if Member.objects.filter(email__iexact=new_email).exclude(pk=actor.pk).exists():
        # Say nothing that reveals another member's address: the link simply never confirms.
        raise ValidationError("That address cannot be used. Try another.")
    secret = secrets.token_urlsafe(32)
    change = EmailChange.objects.create(
        member=actor,
        new_email=new_email,
        token_hash=hash_secret(secret),
        expires_at=timezone.now() + dt.timedelta(days=2),
    )
    link = settings.SITE_URL + reverse("accounts:confirm_email", args=[secret])
    send_templated(to=new_email, template="accounts/email/confirm_email", context={"member": actor, "link": link})
    send_templated(
        to=actor.email, template="accounts/email/email_change_notice", context={"member": actor, "new": new_email}
    )
    return change


@transaction.atomic
def confirm_email_change(*, secret: str) -> Member:
    change = (
        EmailChange.objects.select_for_update()
        .select_related("member")
        .filter(token_hash=hash_secret(secret), confirmed_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if change is None:
        raise ValidationError("This confirmation link has expired or was already used.")
    if Member.objects.filter(email__iexact=change.new_email).exclude(pk=change.member_id).exists():
        raise ValidationError("That address is already in use.")
    member = change.member
    old = member.email
    member.email = normalise_email(change.new_email)
    member.save(update_fields=["email"])
    change.confirmed_at = timezone.now()
    change.save(update_fields=["confirmed_at"])
    audit.record(actor=member, action="member.email_changed", target=member, data={"from": old})
    return member


@transaction.atomic
def create_api_token(*, actor, member: Member, name: str = "API token") -> tuple[ApiToken, str]:
    """Returns the token row and its secret; the secret is never stored and cannot be shown again."""
    if actor.pk != member.pk and not actor.is_admin:
        raise PermissionDenied("You can only create tokens for yourself.")
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        member=member, name=(name or "API token")[:80], token_hash=hash_secret(secret), hint=secret[:10]
    )
    audit.record(actor=actor, action="token.created", target=member, summary=token.name)
    return token, secret


@transaction.atomic
def revoke_api_token(*, actor, token: ApiToken) -> ApiToken:
    if actor.pk != token.member_id and not actor.is_admin:
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoked", target=token.member, summary=token.name)
    return token


@transaction.atomic
def password_changed(*, actor, member: Member, how: str) -> int:
    """After a password reset or change: every API token stops working (whoever knew the old password may have
    made one), token-authenticated sockets close, and other sessions end (Django's session hash already sees to
    that). Returns how many tokens were revoked."""
    revoked = ApiToken.objects.filter(member=member, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        control(member.pk, "leveller.close")
    audit.record(actor=actor, action=f"member.password_{how}", target=member, data={"tokens_revoked": revoked})
    return revoked


@transaction.atomic
def deactivate_member(*, actor, member: Member, reason: str = "") -> Member:
    if not actor.is_staff_member:
        raise PermissionDenied("Only staff can deactivate members.")
    if member.pk == actor.pk:
        raise ValidationError("You cannot deactivate yourself.")
    if member.is_admin and not actor.is_admin:
        raise PermissionDenied("Only admins can deactivate an admin.")
    member.is_active = False
    member.save(update_fields=["is_active"])
    ApiToken.objects.filter(member=member, revoked_at__isnull=True).update(revoked_at=timezone.now())
    # Sessions end by themselves: ModelBackend refuses inactive members on their next request.
    control(member.pk, "leveller.close")
    audit.record(actor=actor, action="member.deactivated", target=member, summary=reason[:300])
    return member


@transaction.atomic
def reactivate_member(*, actor, member: Member) -> Member:
    if not actor.is_staff_member:
        raise PermissionDenied("Only staff can reactivate members.")
    member.is_active = True
    member.save(update_fields=["is_active"])
    audit.record(actor=actor, action="member.reactivated", target=member)
    return member
