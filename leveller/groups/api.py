"""Groups API at /api/v1/groups. The finder is public (no login); everything else needs a member."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from leveller.accounts.models import Member
from leveller.accounts.tokens import member_for_token
from leveller.core.access import require_member, require_staff
from leveller.groups import finder
from leveller.groups.access import managed_group, visible_group
from leveller.groups.actions import groups as group_actions
from leveller.groups.activity import activity_for
from leveller.groups.models import Group, GroupMembership, Kind
from leveller.groups.serialise import group_detail, group_summary

router = Router()
PREFIX = "/groups"


class FindQuery(Schema):
    postcode: str = ""
    country: str = ""


class ParentOut(Schema):
    id: int
    name: str
    slug: str


class GroupOut(Schema):
    """A group as listed; `distance_km` only when the finder measured it (absent, not null, otherwise)."""

    id: int
    name: str
    slug: str
    kind: str
    url: str
    description: str
    meeting_pattern: str
    campaign: str
    country: str
    country_name: str
    town: str
    districts: list[str]
    parent: ParentOut | None
    member_count: int | None
    distance_km: float | None = None


class GroupDetailOut(GroupOut):
    """One group; `organisers`, `my_role` and `channel_id` only for a signed-in viewer."""

    status: str
    organisers: list[str] | None = None
    my_role: str | None = None
    channel_id: int | None = None


class FindOut(Schema):
    district: str | None
    country: str | None
    local: list[GroupOut]
    regional: list[GroupOut]
    nearby: list[GroupOut]
    online: list[GroupOut]


class GroupsOut(Schema):
    groups: list[GroupOut]


class GroupDetailsOut(Schema):
    groups: list[GroupDetailOut]


class MembershipOut(Schema):
    group: int
    role: str | None


class GroupMemberOut(Schema):
    id: int
    display_name: str
    role: str
    joined_at: str


class GroupMembersOut(Schema):
    members: list[GroupMemberOut]


class RemovedOut(Schema):
    removed: int


class GroupMessageOut(Schema):
    id: int
    recipients: int
    to_channel: bool
    by_email: bool


class ActivityOut(Schema):
    member_count: int
    organiser_count: int
    new_joiners: int
    events_held: int | None
    calls_made: int | None
    new_joiner_days: int


def _listed(groups) -> list[dict]:
    return [group_summary(g) for g in groups]


def _optional_caller(request):
    """The member behind a Bearer token or session, if any: the finder is public but uses a caller's profile."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return member_for_token(header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated and user.is_active else None


@router.get(
    "/find",
    auth=None,
    response=FindOut,
    exclude_unset=True,
    summary="Groups covering a UK postcode, its regional groups and the nearest others",
)
def find(request, filters: Query[FindQuery]):
    """`postcode` is a full postcode ("NW10 3LN") or a district ("NW10"); members abroad pass a two-letter
    `country` code (or put it in `postcode`). 400 with a message for an invalid or unknown postcode."""
    query = filters.postcode or filters.country or finder.default_query_for(_optional_caller(request))
    result = finder.find(query)
    return {
        "district": result.district,
        "country": result.country,
        "local": [g.as_dict() for g in result.local],
        "regional": [g.as_dict() for g in result.regional],
        "nearby": [g.as_dict() for g in result.nearby],
        "online": [g.as_dict() for g in result.online],
    }


class ListQuery(Schema):
    kind: str = ""
    q: str = ""
    mine: bool = False


@router.get(
    "", response=GroupsOut, exclude_unset=True, summary="Approved groups (filter by kind, a name search, or only yours)"
)
def list_groups(request, filters: Query[ListQuery]):
    groups = Group.objects.approved().with_member_counts().select_related("parent").prefetch_related("districts")
    groups = groups.order_by("name", "id")
    if filters.kind:
        groups = groups.filter(kind=filters.kind)
    if filters.q:
        groups = groups.filter(name__icontains=filters.q.strip())
    if filters.mine:
        groups = groups.filter(memberships__member=request.auth)
    return {"groups": _listed(groups[:500])}


class ProposeIn(Schema):
    name: str
    kind: str = Kind.LOCAL
    description: str = ""
    meeting_pattern: str = ""
    districts: list[str] = []
    parent_id: int | None = None
    campaign: str = ""
    country: str = "GB"
    town: str = ""
    note: str = ""


@router.post("", response={201: GroupDetailOut}, exclude_unset=True, summary="Propose a new group (staff approve it)")
def propose(request, data: ProposeIn):
    fields = data.dict()
    parent_id = fields.pop("parent_id")
    parent = visible_group(request.auth, pk=parent_id) if parent_id else None
    group = group_actions.propose_group(actor=request.auth, parent=parent, **fields)
    return Status(201, group_detail(group, viewer=request.auth))


@router.get(
    "/proposals", response=GroupDetailsOut, exclude_unset=True, summary="Proposed groups awaiting a decision (staff)"
)
def proposals(request):
    require_staff(request.auth)
    groups = Group.objects.filter(status="proposed").select_related("parent").prefetch_related("districts")
    return {"groups": [group_detail(g, viewer=request.auth) for g in groups]}


@router.get("/{group_id}", response=GroupDetailOut, exclude_unset=True, summary="One group")
def detail(request, group_id: int):
    return group_detail(visible_group(request.auth, pk=group_id), viewer=request.auth)


class DecisionIn(Schema):
    note: str = ""


@router.post(
    "/{group_id}/approve", response=GroupDetailOut, exclude_unset=True, summary="Approve a proposed group (staff)"
)
def approve(request, group_id: int, data: DecisionIn):
    require_staff(request.auth)
    group = get_object_or_404(Group, pk=group_id)
    return group_detail(
        group_actions.approve_group(actor=request.auth, group=group, note=data.note), viewer=request.auth
    )


@router.post(
    "/{group_id}/reject",
    response=GroupDetailOut,
    exclude_unset=True,
    summary="Reject a proposed group with a note (staff)",
)
def reject(request, group_id: int, data: DecisionIn):
    require_staff(request.auth)
    group = get_object_or_404(Group, pk=group_id)
    return group_detail(
        group_actions.reject_group(actor=request.auth, group=group, note=data.note), viewer=request.auth
    )


@router.post("/{group_id}/membership", response=MembershipOut, summary="Join a group")
def join(request, group_id: int):
    group = visible_group(request.auth, pk=group_id)
    membership = group_actions.join_group(actor=request.auth, group=group)
    return {"group": group.pk, "role": membership.role}


@router.delete("/{group_id}/membership", response=MembershipOut, summary="Leave a group")
def leave(request, group_id: int):
    group = visible_group(request.auth, pk=group_id)
    group_actions.leave_group(actor=request.auth, group=group)
    return {"group": group.pk, "role": None}


def _member_row(membership: GroupMembership) -> dict:
    return {
        "id": membership.member_id,
        "display_name": membership.member.display_name,
        "role": membership.role,
        "joined_at": membership.joined_at.isoformat(),
    }


@router.get("/{group_id}/members", response=GroupMembersOut, summary="The group's members (organisers and staff)")
def members(request, group_id: int):
    group = managed_group(request.auth, pk=group_id)
    rows = group.memberships.filter(member__is_active=True).select_related("member")
    return {"members": [_member_row(m) for m in rows]}


class MemberIn(Schema):
    member_id: int
    role: str = "member"


@router.post(
    "/{group_id}/members", response=GroupMemberOut, summary="Add a member, or set their role (organisers and staff)"
)
def add_member(request, group_id: int, data: MemberIn):
    group = managed_group(request.auth, pk=group_id)
    member = get_object_or_404(Member.objects.active(), pk=data.member_id)
    if GroupMembership.objects.filter(group=group, member=member).exists():
        membership = group_actions.set_group_role(actor=request.auth, group=group, member=member, role=data.role)
    else:
        membership = group_actions.add_group_member(actor=request.auth, group=group, member=member, role=data.role)
    return _member_row(membership)


@router.delete("/{group_id}/members/{member_id}", response=RemovedOut, summary="Remove a member (organisers and staff)")
def remove_member(request, group_id: int, member_id: int):
    group = managed_group(request.auth, pk=group_id)
    member = get_object_or_404(Member, pk=member_id)
    group_actions.remove_group_member(actor=request.auth, group=group, member=member)
    return {"removed": member_id}


class GroupMessageIn(Schema):
    text: str
    subject: str = ""
    to_channel: bool = True
    by_email: bool = False


@router.post(
    "/{group_id}/messages", response={201: GroupMessageOut}, summary="Message the group (organisers and staff)"
)
def message(request, group_id: int, data: GroupMessageIn):
    group = managed_group(request.auth, pk=group_id)
    sent = group_actions.message_group(actor=request.auth, group=group, **data.dict())
    return Status(
        201, {"id": sent.pk, "recipients": sent.recipients, "to_channel": sent.to_channel, "by_email": sent.by_email}
    )


@router.get(
    "/{group_id}/activity",
    response=ActivityOut,
    summary="Members, new joiners, events held and calls made (organisers)",
)
def activity(request, group_id: int):
    require_member(request.auth)
    group = managed_group(request.auth, pk=group_id)
    return activity_for(group).__dict__
