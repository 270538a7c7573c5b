"""Accounts' part of members' data rights: the register, the profile in a copy, and the last erasure step."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from leveller.accounts import avatars
from leveller.accounts.models import ApiToken, EmailChange, Invitation, Member, MemberRole, Status, TwoFactorPolicy
from leveller.privacy.registry import declare, eraser, exporter, retention

declare(
    Member,
    what="Name, pronouns, email, phone, postcode, country, time zone, membership number and status, join date, "
    "a short 'about' text, a profile picture (optional, stored without its metadata), password hash",
    why="Running the membership: logging in, contacting members, local groups by postcode, elections",
    basis="Contract (membership); legitimate interests for supporters",
    kept="While a member; supporters inactive for the retention period are anonymised; erased on request",
    who="The member; staff and admins (contact details); other members see only name, pronouns, 'about' and the "
    "picture",
)
declare(
    MemberRole,
    what="A member's roles (admin, staff, organiser, member, guest)",
    why="Deciding who may do what",
    basis="Contract (membership)",
    kept="As long as the member record",
    who="Admins and staff",
)
declare(
    Invitation,
    what="A hash of a single-use invitation link, who invited whom and when",
    why="Letting an invited member set their password",
    basis="Contract (membership)",
    kept="Until erasure of the member",
    who="Nobody reads it; staff see that an invitation was sent",
)
declare(
    ApiToken,
    what="A hash of a personal API token, its name and when it was last used",
    why="Letting members' scripts act for them",
    basis="Contract (membership)",
    kept="Until revoked and the member is erased",
    who="The member",
)
declare(
    EmailChange,
    what="A requested new email address and a hash of its confirmation link",
    why="Confirming a change of address from the new address",
    basis="Contract (membership)",
    kept="Until erasure of the member",
    who="The member",
)

declare(
    TwoFactorPolicy,
    what="Which roles must use two-factor sign-in, and which admin last changed it",
    why="Protecting the accounts that see members' details",
    basis="Legitimate interests (security of the data)",
    kept="While the installation runs",
    who="Admins",
)


def _declare_two_factor_devices() -> None:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model, what in (
        (TOTPDevice, "The secret key of a member's authenticator app, when it last accepted a code, failed tries"),
        (StaticDevice, "That a member has recovery codes, failed tries"),
        (StaticToken, "A member's unused single-use recovery codes"),
    ):
        declare(
            model,
            what=what,
            why="Two-factor sign-in",
            basis="Contract (membership) and legitimate interests (security)",
            kept="Until the member turns it off, staff reset it, or the member is erased",
            who="Nobody reads it; staff see whether it is on",
        )


_declare_two_factor_devices()


@exporter("profile", title="Your profile", order=0, single=True)
def export_profile(member):
    yield {
        "id": member.pk,
        "email": member.email,
        "display_name": member.display_name,
        "pronouns": member.pronouns,
        "phone": member.phone,
        "postcode": member.postcode,
        "country": member.country,
        "time_zone": member.time_zone,
        "membership_number": member.membership_number,
        "status": member.status,
        "joined_on": member.joined_on,
        "bio": member.bio,
        "avatar_url": member.avatar_url or None,
        "is_active": member.is_active,
        "date_joined": member.date_joined,
        "last_login": member.last_login,
        "api_tokens": list(
            ApiToken.objects.filter(member=member).values("name", "hint", "created_at", "last_used_at", "revoked_at")
        ),
        "email_changes": list(
            EmailChange.objects.filter(member=member).values("new_email", "created_at", "confirmed_at")
        ),
        "invitations": list(Invitation.objects.filter(member=member).values("created_at", "expires_at", "used_at")),
        "two_factor": _two_factor_export(member),
    }


def _two_factor_export(member) -> dict:
    """Whether it is on and when the app was added (not the secret key or the codes: they would let a copy log in)."""
    from leveller.accounts import two_factor

    device = two_factor.app_device(member)
    return {
        "on": device is not None,
        "app_added_at": device.created_at if device else None,
        "recovery_codes_left": two_factor.codes_left(member),
    }


def _erase_two_factor(member) -> int:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=member).delete()[0] + StaticDevice.objects.filter(user=member).delete()[0]


@exporter("roles", title="Your roles", order=1)
def export_roles(member):
    yield from MemberRole.objects.filter(member=member).values("role").iterator()


@eraser("accounts.profile", order=900)
def erase_profile(member, *, delete_content: bool, identity) -> dict:
    """Last: the member row stays (what they wrote points at it) but says only "Former member"."""
    from leveller.privacy.erasure import FORMER_MEMBER, erased_email
    from leveller.realtime.publish import control

    counts = {
        "roles": MemberRole.objects.filter(member=member).delete()[0],
        "invitations": Invitation.objects.filter(member=member).delete()[0],
        "api tokens": ApiToken.objects.filter(member=member).delete()[0],
        "email changes": EmailChange.objects.filter(member=member).delete()[0],
        "two-factor devices": _erase_two_factor(member),
    }
    member.email = erased_email(member.pk)
    member.display_name = FORMER_MEMBER
    picture = member.avatar
    member.pronouns = member.phone = member.postcode = member.bio = member.avatar = ""
    member.membership_number = None
    member.status = Status.LAPSED
    member.is_active = member.is_staff = member.is_superuser = False
    member.last_login = None
    member.set_unusable_password()
    member.save()
    member.groups.clear()
    member.user_permissions.clear()
    member._roles_cache = frozenset()
    control(member.pk, "leveller.close")
    if picture:
        transaction.on_commit(lambda: avatars.discard(picture))
        counts["picture"] = 1
    counts["profile"] = 1
    return counts


@retention(
    "accounts.inactive_supporters",
    title="Inactive supporters anonymised",
    days=3 * 365,
    describe="Supporters (not members) who have not logged in for this long, nor joined in that time, are "
    "anonymised like an erasure (without the suppression list: they may be added again).",
)
def anonymise_inactive_supporters(*, days: int, now: dt.datetime, dry_run: bool) -> int:
    from django.db.models import Q

    from leveller.privacy.actions.erasure import erase_member
    from leveller.privacy.erasure import erased_email

    cutoff = now - dt.timedelta(days=days)
    stale = (
        Member.objects.filter(status=Status.SUPPORTER, is_staff=False, is_superuser=False, date_joined__lt=cutoff)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        .exclude(role_rows__role__in=["admin", "staff", "organiser"])
    )
    members = [m for m in stale.iterator() if m.email != erased_email(m.pk)]
    if dry_run:
        return len(members)
    for member in members:
        erase_member(actor=None, member=member, suppress=False)
    return len(members)


def _declare_tags() -> None:
    from leveller.accounts.models import MemberTag

    declare(
        MemberTag,
        what="Tags staff give a member (for example a caucus or a branch), used to define electorates",
        why="Deciding who may vote in which election",
        basis="Legitimate interests",
        kept="As long as the membership; removed on erasure",
        who="Staff; the member",
    )


_declare_tags()
