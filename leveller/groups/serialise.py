"""Public shapes of groups for the API and the finder: no member data beyond a count and, for logged-in
members, organisers' names."""

from __future__ import annotations

from django.urls import reverse

from leveller.groups import countries
from leveller.groups.models import Group, GroupMembership, Role


def group_summary(group: Group, *, distance_km: float | None = None) -> dict:
    data = {
        "id": group.pk,
        "name": group.name,
        "slug": group.slug,
        "kind": group.kind,
        "url": reverse("groups:detail", args=[group.slug]),
        "description": group.description[:280],
        "meeting_pattern": group.meeting_pattern,
        "campaign": group.campaign,
        "country": group.country,
        "country_name": countries.name_for(group.country),
        "town": group.town,
        "districts": sorted(d.outcode for d in group.districts.all()),
        "parent": (
            {"id": group.parent.pk, "name": group.parent.name, "slug": group.parent.slug} if group.parent_id else None
        ),
        "member_count": getattr(group, "member_count", None),
    }
    if distance_km is not None:
        data["distance_km"] = distance_km
    return data


def group_detail(group: Group, *, viewer=None) -> dict:
    data = group_summary(group)
    data["description"] = group.description
    data["status"] = group.status
    signed_in = viewer is not None and getattr(viewer, "is_authenticated", False)
    if signed_in:
        organisers = GroupMembership.objects.filter(group=group, role=Role.ORGANISER, member__is_active=True)
        data["organisers"] = [m.member.display_name for m in organisers.select_related("member")]
        mine = GroupMembership.objects.filter(group=group, member=viewer).first()
        data["my_role"] = mine.role if mine else None
        data["channel_id"] = group.channel_id if mine or viewer.is_staff_member else None
    return data
