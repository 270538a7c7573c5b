"""A member's own profile picture: set it, remove it (leveller/accounts/avatars.py does the pictures)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from leveller.accounts import avatars
from leveller.accounts.models import Member
from leveller.core import audit
from leveller.realtime.publish import publish


def _require_member(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied("Log in to change your picture.")


def _replace(*, actor: Member, name: str) -> Member:
    """Point the member at `name` ("" for none), audit and announce it; the old file goes once this commits.
    (Should the write fail after a new file was stored, that file stays unused: nothing serves a name that
    no member row holds.)"""
    member = Member.objects.select_for_update().get(pk=actor.pk)
    old = member.avatar
    if old == name:
        return member
    member.avatar = actor.avatar = name
    member.save(update_fields=["avatar"])
    audit.record(
        actor=actor, action="member.avatar_set" if name else "member.avatar_removed", target=member, summary=name
    )
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
    transaction.on_commit(lambda: avatars.discard(old))
    return member


@transaction.atomic
def set_avatar(*, actor: Member, upload) -> Member:
    """Check, clean and store `upload` as the actor's picture. A refused upload raises ValidationError and
    leaves the picture they had."""
    _require_member(actor)
    try:
        data = avatars.process(upload)
    except ValidationError as error:
        raise ValidationError({"picture": error.messages}) from None
    return _replace(actor=actor, name=avatars.store(actor.pk, data))


@transaction.atomic
def remove_avatar(*, actor: Member) -> Member:
    """Back to initials; the file is deleted."""
    _require_member(actor)
    return _replace(actor=actor, name="")
