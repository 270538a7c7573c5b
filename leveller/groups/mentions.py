"""`@<group-slug>` in chat mentions a group's members (chat's register_group_mentions hook).

Who may use a group mention: the group's own members (organisers included) and staff. Anyone else's
`@brent` stays plain text and notifies nobody, so a stranger cannot ping hundreds of people. Only approved
groups can be mentioned, and bots and the system (author None) cannot mention groups. Chat then notifies
only the members who can read the channel the message is in.
"""

from __future__ import annotations

from django.db.models import Q
from django.template.defaultfilters import pluralize

from leveller.groups.models import Group, GroupMembership


def mentionable_groups(handles: set[str], *, author):
    """The approved groups named by these handles (slugs) that `author` may mention."""
    if author is None or not author.is_active or not handles:
        return Group.objects.none()
    groups = Group.objects.approved().filter(slug__in=handles)
    if not author.is_staff_member:
        groups = groups.filter(memberships__member=author)
    return groups


def resolve(handles: set[str], *, author) -> dict[str, list[int]]:
    """chat's group resolver: {slug: [active member ids]} for the groups `author` may mention."""
    groups = mentionable_groups(handles, author=author)
    found: dict[str, list[int]] = {slug: [] for slug in groups.values_list("slug", flat=True)}
    rows = GroupMembership.objects.filter(group__in=groups, member__is_active=True)
    for slug, member_id in rows.values_list("group__slug", "member_id"):
        found[slug].append(member_id)
    return found


def suggest(prefix: str, *, author) -> list[tuple[str, str]]:
    """chat's composer autocomplete: (slug, label) of groups `author` may mention whose slug or name starts so."""
    if author is None or not author.is_active:
        return []
    groups = Group.objects.approved().filter(Q(slug__startswith=prefix) | Q(name__istartswith=prefix))
    if not author.is_staff_member:  # a subquery, so the member count below counts every member
        groups = groups.filter(pk__in=GroupMembership.objects.filter(member=author).values("group_id"))
    rows = groups.with_member_counts().order_by("name")[:3]
    return [(g.slug, f"{g.name} (group, {g.member_count} member{pluralize(g.member_count)})") for g in rows]
