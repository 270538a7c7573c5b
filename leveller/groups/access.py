"""Access helpers for groups: return the group the actor may see or manage, or raise."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from leveller.groups.actions.groups import is_group_organiser
from leveller.groups.models import Group, GroupMembership


def visible_group(actor, *, slug: str | None = None, pk: int | None = None) -> Group:
    """Approved groups for anyone (even anonymous); proposals only for staff and their proposer."""
    lookup = {"slug": slug} if slug is not None else {"pk": pk}
    group = Group.objects.visible_to(actor).select_related("parent", "channel").filter(**lookup).first()
    if group is None:
        raise Http404("No such group.")
    return group


def managed_group(actor, *, slug: str | None = None, pk: int | None = None) -> Group:
    """A group the actor organises (or any, for staff). Others get 403; anonymous visitors 403 too."""
    group = visible_group(actor, slug=slug, pk=pk)
    if not is_group_organiser(actor, group):
        raise PermissionDenied("Only this group's organisers and staff can do that.")
    return group


def membership_of(actor, group: Group) -> GroupMembership | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return GroupMembership.objects.filter(group=group, member=actor).first()
