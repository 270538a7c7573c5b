"""Groups' part of members' data rights."""

from __future__ import annotations

from leveller.groups.models import Group, GroupDistrict, GroupMembership, GroupMessage
from leveller.privacy.registry import declare, eraser, exporter

declare(
    Group,
    what="Groups: name, area, description, who proposed and approved it",
    why="Local and campaign organising",
    basis="Legitimate interests",
    kept="Kept while the group exists",
    who="Members (approved groups); staff (proposals)",
)
declare(
    GroupDistrict,
    what="The postcode districts a group covers",
    why="Finding the local group",
    basis="Legitimate interests",
    kept="As long as the group",
    who="Everyone",
)
declare(
    GroupMembership,
    what="Which members belong to which group, and who organises it (may reveal political opinions)",
    why="Local organising",
    basis="Legitimate interests; Article 9(2)(d)",
    kept="Until they leave or are erased",
    who="The group's members and organisers; staff",
    special=True,
)
declare(
    GroupMessage,
    what="Messages organisers sent to their group",
    why="Telling a group's members about its work",
    basis="Legitimate interests",
    kept="Kept; on erasure the sender is 'Former member' (or the message is deleted if they asked)",
    who="The group's members",
)


@exporter("groups", title="Groups you belong to", order=40)
def export_groups(member):
    rows = GroupMembership.objects.filter(member=member).values("group__name", "role", "joined_at")
    for row in rows.order_by("id").iterator():
        yield {"group": row["group__name"], "role": row["role"], "joined_at": row["joined_at"]}


@exporter("group_messages", title="Messages you sent to groups", order=41)
def export_group_messages(member):
    rows = GroupMessage.objects.filter(sender=member).values("group__name", "subject", "text", "sent_at")
    for row in rows.order_by("id").iterator():
        yield {
            "group": row["group__name"],
            "subject": row["subject"],
            "text": row["text"],
            "created_at": row["sent_at"],
        }


@eraser("groups", order=120)
def erase_groups(member, *, delete_content: bool, identity) -> dict:
    counts = {"group memberships": GroupMembership.objects.filter(member=member).delete()[0]}
    if delete_content:
        counts["group messages"] = GroupMessage.objects.filter(sender=member).delete()[0]
    return counts
