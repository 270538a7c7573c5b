"""Who may take part: status "member", active, joined before the election's freeze date, and inside the vote's
electorate (every member, or members of given groups, with given tags or roles)."""

from __future__ import annotations

from django.db.models import Q

from leveller.accounts.models import Member, Status
from leveller.elections.models import Election
from leveller.groups.models import Group, GroupMembership


def electorate_group_names(election: Election) -> list[str]:
    if not election.electorate_groups:
        return list(election.electorate_groups)
    names = dict(Group.objects.filter(slug__in=election.electorate_groups).values_list("slug", "name"))
    return [names.get(slug, slug) for slug in election.electorate_groups]


def describe_electorate(election: Election) -> str:
    """The electorate in words, e.g. "members of North West (or its local groups), or members tagged delegate"."""
    parts = []
    if election.electorate_groups:
        parts.append("members of " + ", ".join(electorate_group_names(election)) + " (or groups within it)")
    if election.electorate_tags:
        parts.append("members tagged " + ", ".join(election.electorate_tags))
    if election.electorate_roles:
        parts.append("members with the role " + ", ".join(election.electorate_roles))
    return " or ".join(parts) if parts else "every member"


def _electorate_q(election: Election) -> Q | None:
    """A filter on Member for the electorate limits; None when there are none (every member)."""
    if not election.has_electorate_limits:
        return None
    q = Q(pk__in=[])
    if election.electorate_groups:
        in_group = Q(group__slug__in=election.electorate_groups) | Q(group__parent__slug__in=election.electorate_groups)
        q |= Q(pk__in=GroupMembership.objects.filter(in_group).values("member_id"))
    if election.electorate_tags:
        q |= Q(tag_rows__tag__in=election.electorate_tags)
    if election.electorate_roles:
        q |= Q(role_rows__role__in=election.electorate_roles)
    return q


def in_electorate(election: Election, member) -> bool:
    q = _electorate_q(election)
    return q is None or Member.objects.filter(q, pk=member.pk).exists()


def ineligibility_reason(election: Election, member) -> str | None:
    """None when the member may nominate and vote; otherwise a sentence saying why not."""
    if member is None or not getattr(member, "is_authenticated", False) or not member.is_active:
        return "Log in to take part."
    if member.status != Status.MEMBER:
        return "Only members whose membership is current can take part. Contact the membership team if this is wrong."
    if election.freeze_date and member.joined_on >= election.freeze_date:
        return (
            f"Only members who joined before {election.freeze_date:%-d %B %Y} can take part in this vote "
            f"(the freeze date). You joined on {member.joined_on:%-d %B %Y}."
        )
    if not in_electorate(election, member):
        return (
            f"This vote is for {describe_electorate(election)}, and you are not one of them, so you can follow it "
            "but not vote. If you should be (for example, you have moved into the area), ask your group's "
            "organiser or the membership team."
        )
    return None


def is_eligible(election: Election, member) -> bool:
    return ineligibility_reason(election, member) is None


def eligible_members(election: Election):
    members = Member.objects.filter(is_active=True, status=Status.MEMBER)
    if election.freeze_date:
        members = members.filter(joined_on__lt=election.freeze_date)
    q = _electorate_q(election)
    if q is not None:
        members = members.filter(pk__in=Member.objects.filter(q).values("pk"))
    return members
