"""Who may do what with the newsletter. Editors: members with the editor role, and admins."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from leveller.accounts.models import Role
from leveller.core.access import require_member
from leveller.newsletter.models import Issue


def is_editor(member) -> bool:
    return bool(
        member is not None
        and getattr(member, "is_authenticated", False)
        and member.is_active
        and (member.is_admin or member.has_role(Role.EDITOR))
    )


def require_editor(actor):
    require_member(actor)
    if not is_editor(actor):
        raise PermissionDenied("Only newsletter editors can do that.")
    return actor


def issue_for_editor(actor, issue_id: int) -> Issue:
    """Drafts are private: anyone but an editor gets 404 for a draft, 403 for a published issue."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or (not is_editor(actor) and not issue.is_published):
        raise Http404("No such issue.")
    require_editor(actor)
    return issue
