"""The newsletter uses local groups when the groups app is there, and works without it."""

from __future__ import annotations


def _models():
    try:
        from leveller.groups.models import Group, GroupMembership
    except ImportError:  # the groups app is optional for the newsletter
        return None, None
    return Group, GroupMembership


def local_group_name(member) -> str:
    """The name of the member's (first) local group, or ''."""
    _group_model, membership_model = _models()
    if membership_model is None or member is None:
        return ""
    memberships = membership_model.objects.filter(member=member).select_related("group")
    local = [m.group for m in memberships if getattr(m.group, "kind", "local") == "local"]
    groups = local or [m.group for m in memberships]
    return groups[0].name if groups else ""


def spotlight_choices() -> list[tuple[int, str]]:
    """Approved groups an editor can put in the spotlight: (id, name)."""
    group_model, _ = _models()
    if group_model is None:
        return []
    queryset = group_model.objects.all()
    if hasattr(queryset, "approved"):
        queryset = queryset.approved()
    rows = queryset.order_by("name").values("id", "name", "kind")[:500]
    # Local groups first: the spotlight is usually on one.
    return [(r["id"], r["name"]) for r in sorted(rows, key=lambda r: (r["kind"] != "local", r["name"]))]


def group_url(group_id: int | None) -> str:
    group_model, _ = _models()
    if group_model is None or not group_id:
        return ""
    group = group_model.objects.filter(pk=group_id).first()
    try:
        return group.get_absolute_url() if group else ""
    except Exception:  # the groups app may not have its pages yet
        return ""
