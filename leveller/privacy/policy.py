"""Admins' data-protection settings, as read (actions/policy.py changes them). Today one: what happens to an
erased member's messages.

- `on_request` (the default): kept for the others in the conversation, signed "Former member", unless the
  member asked for what they wrote to be deleted;
- `keep`: always kept, signed "Former member" (a request to delete them is recorded but not carried out);
- `delete`: always deleted (the text is blanked; the message shows as deleted where a conversation needs it).
"""

from __future__ import annotations

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
