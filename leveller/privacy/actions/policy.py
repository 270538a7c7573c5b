"""Changing the admins' data-protection settings (reading them is leveller.privacy.policy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.core import audit
from leveller.privacy.models import MessagesOnErasure, PrivacyPolicy

if TYPE_CHECKING:
    from leveller.accounts.models import Member


@transaction.atomic
def set_messages_on_erasure(*, actor: Member, choice: str) -> PrivacyPolicy:
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
