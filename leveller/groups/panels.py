"""The home page panel (your groups) and who may watch a group's live membership stream."""

from __future__ import annotations

from django.template.loader import render_to_string

from leveller.groups.models import Group


def my_groups_panel(request):
    if not request.user.is_authenticated:
        return None
    groups = list(Group.objects.approved().filter(memberships__member=request.user).order_by("name")[:8])
    return render_to_string("groups/_home_panel.html", {"groups": groups}, request=request)


def may_watch_group(member, ident: str) -> bool:
    """`group-<id>` carries membership changes (member ids): organisers of that group and staff only."""
    from leveller.groups.actions.groups import is_group_organiser

    if not ident.isdigit():
        return False
    group = Group.objects.filter(pk=int(ident)).first()
    return group is not None and is_group_organiser(member, group)
