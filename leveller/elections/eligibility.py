"""Who may take part: status "member", active, and joined before the election's freeze date."""

from __future__ import annotations

from leveller.accounts.models import Member, Status
from leveller.elections.models import Election


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
    return None


def is_eligible(election: Election, member) -> bool:
    return ineligibility_reason(election, member) is None


def eligible_members(election: Election):
    members = Member.objects.filter(is_active=True, status=Status.MEMBER)
    if election.freeze_date:
        members = members.filter(joined_on__lt=election.freeze_date)
    return members
