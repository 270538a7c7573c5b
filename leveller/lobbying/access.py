"""Who may see and do what in lobbying. Campaign and statement managers: their creator, and staff.
A letter is seen by its writer and by the campaign's managers only; everyone else gets 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from leveller.core.access import require_organiser
from leveller.lobbying.models import Campaign, CampaignStatus, Letter, Statement, StatementStatus


def _authenticated(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def may_manage_campaign(actor, campaign: Campaign) -> bool:
    return _authenticated(actor) and (
        actor.is_staff_member or (actor.is_organiser and campaign.created_by_id == actor.pk)
    )


def visible_campaign(actor, slug: str) -> Campaign:
    """A published campaign for anyone (the action page is public); drafts for their managers only."""
    campaign = Campaign.objects.filter(slug=slug).select_related("statement").first()
    if campaign is None or (campaign.status == CampaignStatus.DRAFT and not may_manage_campaign(actor, campaign)):
        raise Http404("No such campaign.")
    return campaign


def managed_campaign(actor, slug: str) -> Campaign:
    campaign = visible_campaign(actor, slug)
    require_organiser(actor)
    if not may_manage_campaign(actor, campaign):
        raise PermissionDenied("Only the campaign's organisers and staff can do that.")
    return campaign


def readable_letter(actor, letter_id: int) -> Letter:
    letter = Letter.objects.select_related("campaign").filter(pk=letter_id).first()
    if letter is None or not _authenticated(actor):
        raise Http404("No such letter.")
    if letter.writer_id != actor.pk and not may_manage_campaign(actor, letter.campaign):
        raise Http404("No such letter.")
    return letter


def own_letter(actor, letter_id: int) -> Letter:
    letter = Letter.objects.select_related("campaign").filter(pk=letter_id).first()
    if letter is None or not _authenticated(actor) or letter.writer_id != actor.pk:
        raise Http404("No such letter.")
    return letter


def may_manage_statement(actor, statement: Statement) -> bool:
    return _authenticated(actor) and actor.is_staff_member


def visible_statement(actor, slug: str) -> Statement:
    statement = Statement.objects.filter(slug=slug).first()
    if statement is None or (statement.status == StatementStatus.DRAFT and not may_manage_statement(actor, statement)):
        raise Http404("No such statement.")
    return statement


def managed_statement(actor, slug: str) -> Statement:
    statement = visible_statement(actor, slug)
    require_organiser(actor)
    if not may_manage_statement(actor, statement):
        raise PermissionDenied("Only staff can verify signatures and manage statements.")
    return statement
