"""Who may do what in the phonebank. Each helper returns the object the actor may use, or raises.

- A campaign's organisers are its creator, the organisers it names, and every staff member. They set it up,
  upload contacts, watch the dashboard and export results.
- Callers are the members the campaign allows (everyone, a group, or named callers), plus its organisers.
  A caller sees a contact's details only while holding it.
- Anyone else gets 404: they may not know the campaign exists.
"""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from django.http import Http404

from leveller.core import rawload
from leveller.core.access import require_member
from leveller.phonebank import integrations
from leveller.phonebank.models import Call, CallersMode, Campaign, CampaignStatus


def is_organiser_of(member, campaign: Campaign) -> bool:
    if not member.is_authenticated or not member.is_active:
        return False
    if member.is_staff_member or campaign.created_by_id == member.pk:
        return True
    return campaign.organisers.filter(pk=member.pk).exists()


def may_call(member, campaign: Campaign) -> bool:
    if not member.is_authenticated or not member.is_active:
        return False
    if campaign.status != CampaignStatus.DRAFT:
        if campaign.callers_mode == CallersMode.EVERYONE and not member.is_guest:
            return True
        if campaign.callers_mode == CallersMode.GROUP and integrations.in_group(member, campaign.caller_group_id):
            return True
        if campaign.callers_mode == CallersMode.NAMED and campaign.callers.filter(pk=member.pk).exists():
            return True
    return is_organiser_of(member, campaign)


def callers_to_tell(campaign: Campaign, *, besides=None) -> list[int]:
    """Whom "calling is open" goes to: the members who took the caller's role on. Those the campaign names, or,
    in a campaign open to every member or to a group, those who have called in it before and may still call
    (not every member of the organisation or the group for every campaign); active members only, and not
    `besides` (the organiser who opened it)."""
    from leveller.accounts.models import Member

    if campaign.callers_mode == CallersMode.NAMED:
        ids = set(campaign.callers.values_list("pk", flat=True))
    else:
        ids = set(campaign.caller_rows.values_list("member_id", flat=True))
        if campaign.callers_mode == CallersMode.GROUP:
            ids &= set(integrations.group_member_ids(campaign.caller_group_id))
    ids.discard(getattr(besides, "pk", None))
    members = Member.objects.active().filter(pk__in=ids).order_by("pk")
    if campaign.callers_mode == CallersMode.EVERYONE:
        return [m.pk for m in members if not m.is_guest]
    return [m.pk for m in members]


MAX_ID = 2**63 - 1  # BIGINT: a larger id cannot exist, and SQLite refuses to even compare it


def _as_id(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404("No such thing.") from None
    if not 0 < number <= MAX_ID:
        raise Http404("No such thing.")
    return number


def campaign_for_caller(actor, campaign_id) -> Campaign:
    require_member(actor)
    campaign = rawload.first(Campaign, "id = %s", [_as_id(campaign_id)])
    if campaign is None or not may_call(actor, campaign):
        raise Http404("No such campaign.")
    return campaign


def campaign_for_organiser(actor, campaign_id) -> Campaign:
    campaign = campaign_for_caller(actor, campaign_id)
    if not is_organiser_of(actor, campaign):
        raise PermissionDenied("Only this campaign's organisers and staff can do that.")
    return campaign


def campaign_for_exporter(actor, campaign_id) -> Campaign:
    """A campaign's results export exists only for its organisers: to anyone else, a caller too, it is a 404."""
    try:
        return campaign_for_organiser(actor, campaign_id)
    except PermissionDenied:
        raise Http404("No such export.") from None


def call_for_caller(actor, call_id) -> Call:
    """A call belongs to the caller who made it; to everyone else it does not exist."""
    require_member(actor)
    row = rawload.execute(_call_sql(), [_as_id(call_id), actor.pk]).fetchone()
    if row is None:
        raise Http404("No such call.")
    split = rawload.width(Call)
    call = rawload.build(Call, row[:split])
    call.campaign = rawload.build(Campaign, row[split:])
    return call


@functools.cache
def _call_sql() -> str:
    """A call with its campaign, in one query (the outcome API runs it for every call recorded)."""
    return (
        f"SELECT {rawload.columns(Call, 'k')}, {rawload.columns(Campaign, 'p')}"  # noqa: S608 - constant parts
        " FROM phonebank_call k JOIN phonebank_campaign p ON p.id = k.campaign_id WHERE k.id = %s AND k.caller_id = %s"
    )


def campaigns_for(member):
    """Campaigns a member may see on the list: those they organise, and live or paused ones they may call."""
    visible = []
    for campaign in Campaign.objects.exclude(status=CampaignStatus.FINISHED).select_related("created_by")[:500]:
        if may_call(member, campaign):
            visible.append(campaign)
    organised = set(Campaign.objects.organised_by(member).values_list("pk", flat=True))
    finished = Campaign.objects.filter(status=CampaignStatus.FINISHED, pk__in=organised)
    return visible + list(finished), organised


def may_watch(member, campaign_id: str) -> bool:
    """The `campaign-<id>` stream authoriser: only the campaign's organisers and staff see live progress."""
    try:
        campaign = Campaign.objects.get(pk=int(campaign_id))
    except (ValueError, Campaign.DoesNotExist):
        return False
    return is_organiser_of(member, campaign)
