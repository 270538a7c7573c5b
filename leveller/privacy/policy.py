"""Admins' data-protection settings. Today one: what happens to an erased member's messages.

- `on_request` (the default): kept for the others in the conversation, signed "Former member", unless the
  member asked for what they wrote to be deleted;
- `keep`: always kept, signed "Former member" (a request to delete them is recorded but not carried out);
- `delete`: always deleted (the text is blanked; the message shows as deleted where a conversation needs it).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.core import audit
from leveller.privacy.models import MessagesOnErasure, PrivacyPolicy


def current() -> PrivacyPolicy:
    return PrivacyPolicy.objects.filter(pk=1).first() or PrivacyPolicy(pk=1)


def delete_content(*, asked: bool) -> bool:
    """Whether an erasure deletes what the member wrote, given whether they (or staff for them) asked."""
    choice = current().messages_on_erasure
    if choice == MessagesOnErasure.DELETE:
        return True
    if choice == MessagesOnErasure.KEEP:
        return False
    return asked


def member_may_choose() -> bool:
    """Whether the erasure form offers "delete what I wrote too" (only when the answer would change anything)."""
    return current().messages_on_erasure == MessagesOnErasure.ON_REQUEST


@transaction.atomic
def set_messages_on_erasure(*, actor, choice: str) -> PrivacyPolicy:
    if not getattr(actor, "is_admin", False):
        raise PermissionDenied("Only admins can change the data-protection policy.")
    if choice not in MessagesOnErasure.values:
        raise ValidationError(f"Choose one of {', '.join(MessagesOnErasure.values)}.")
    policy, _ = PrivacyPolicy.objects.select_for_update().get_or_create(pk=1)
    before = policy.messages_on_erasure
    policy.messages_on_erasure, policy.updated_by, policy.updated_at = choice, actor, timezone.now()
    policy.save()
    audit.record(
        actor=actor,
        action="privacy.policy_changed",
        summary=f"messages on erasure: {before} -> {choice}",
        data={"messages_on_erasure": choice, "before": before},
    )
    return policy
