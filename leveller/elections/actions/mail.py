"""Members choose which emails about votes they get (one-click unsubscribe, or their settings)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from leveller.accounts.models import Member
from leveller.elections.models import MailKind, MailOptOut


@transaction.atomic
def set_mail_preference(*, actor, member_id: int, kind: str, wanted: bool) -> bool:
    """Opt a member out of (or back into) one kind of vote email. `actor` is the member, or None for a signed
    one-click link (the token is the credential). False when there is no such member."""
    if actor is not None and actor.pk != member_id:
        raise PermissionDenied("Members change only their own email preferences.")
    if kind not in MailKind.values or not Member.objects.filter(pk=member_id).exists():
        return False
    if wanted:
        MailOptOut.objects.filter(member_id=member_id, kind=kind).delete()
    else:
        MailOptOut.objects.get_or_create(member_id=member_id, kind=kind)
    return True
