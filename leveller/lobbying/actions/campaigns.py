"""Creating, editing, publishing and closing letter campaigns (organisers and staff)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from leveller.core import audit
from leveller.core.access import require_organiser
from leveller.lobbying import geography, letters_text
from leveller.lobbying.access import may_manage_campaign
from leveller.lobbying.models import Campaign, CampaignStatus, Targets

EDITABLE = {
    "title",
    "ask",
    "subject",
    "template",
    "personal_prompt",
    "targets",
    "target_parties",
    "target_codes",
    "own_mp_only",
    "moderated",
    "opens_at",
    "closes_at",
}


def _unique_slug(title: str, *, exclude: int | None = None) -> str:
    base = slugify(title)[:70] or "campaign"
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exclude(pk=exclude).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean(fields: dict, campaign: Campaign) -> dict:
    errors: dict[str, str] = {}
    fields = dict(fields)
    for name in ("title", "ask", "subject"):
        if name in fields:
            fields[name] = " ".join((fields[name] or "").split()) if name != "ask" else (fields[name] or "").strip()
            if not fields[name]:
                errors[name] = f"The campaign needs a {name}."
    for name in ("template", "subject"):
        if name in fields and name not in errors:
            try:
                fields[name] = letters_text.check_template(fields[name], field=name)
            except ValidationError as error:
                errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    if "template" in fields and "template" not in errors and not fields["template"]:
        errors["template"] = "Write the letter template."
    targets = fields.get("targets", campaign.targets)
    if targets not in Targets.values:
        errors["targets"] = "Choose who the letters go to: own_mp, parties or list."
    if "target_parties" in fields:
        known = set(geography.parties())
        fields["target_parties"] = sorted({p.strip() for p in fields["target_parties"] or [] if p.strip()})
        wrong = [p for p in fields["target_parties"] if p not in known]
        if wrong:
            errors["target_parties"] = f"No sitting MP is in the party {wrong[0]!r}."
    if "target_codes" in fields:
        fields["target_codes"] = sorted({c.strip().upper() for c in fields["target_codes"] or [] if c.strip()})
        wrong = [c for c in fields["target_codes"] if geography.constituency(c) is None]
        if wrong:
            errors["target_codes"] = f"{wrong[0]} is not a constituency code (such as E14001063)."
    parties = fields.get("target_parties", campaign.target_parties)
    codes = fields.get("target_codes", campaign.target_codes)
    if targets == Targets.PARTIES and not parties and "target_parties" not in errors:
        errors["target_parties"] = "Choose at least one party."
    if targets == Targets.LIST and not codes and "target_codes" not in errors:
        errors["target_codes"] = "List at least one constituency."
    if targets == Targets.OWN_MP:
        fields["own_mp_only"] = True
    opens = fields.get("opens_at", campaign.opens_at)
    closes = fields.get("closes_at", campaign.closes_at)
    if opens is not None and closes is not None and closes <= opens:
        errors["closes_at"] = "The campaign must close after it opens."
    if "opens_at" in fields and fields["opens_at"] is None:
        fields["opens_at"] = timezone.now()
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def create_campaign(*, actor, title: str, ask: str, subject: str, template: str, **fields) -> Campaign:
    require_organiser(actor)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"unknown campaign fields: {sorted(unknown)}")
    campaign = Campaign(created_by=actor)
    fields = _clean({"title": title, "ask": ask, "subject": subject, "template": template, **fields}, campaign)
    for key, value in fields.items():
        setattr(campaign, key, value)
    campaign.slug = _unique_slug(campaign.title)
    campaign.save()
    audit.record(actor=actor, action="lobbying.campaign_created", target=campaign, summary=campaign.title)
    return campaign


@transaction.atomic
def update_campaign(*, actor, campaign: Campaign, **fields) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not may_manage_campaign(actor, campaign):
        raise PermissionDenied("Only the campaign's organisers and staff can change it.")
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"unknown campaign fields: {sorted(unknown)}")
    fields = _clean(fields, campaign)
    for key, value in fields.items():
        setattr(campaign, key, value)
    campaign.updated_at = timezone.now()
    campaign.save()
    audit.record(actor=actor, action="lobbying.campaign_updated", target=campaign, summary=", ".join(sorted(fields)))
    return campaign


@transaction.atomic
def set_status(*, actor, campaign: Campaign, status: str) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not may_manage_campaign(actor, campaign):
        raise PermissionDenied("Only the campaign's organisers and staff can change it.")
    if status not in CampaignStatus.values:
        raise ValidationError(f"Unknown status {status!r}: use draft, published or archived.")
    campaign.status = status
    campaign.updated_at = timezone.now()
    campaign.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=f"lobbying.campaign_{status}", target=campaign, summary=campaign.title)
    return campaign


@transaction.atomic
def close_campaign(*, actor, campaign: Campaign, at: dt.datetime | None = None) -> Campaign:
    return update_campaign(actor=actor, campaign=campaign, closes_at=at or timezone.now())


def target_constituencies(campaign: Campaign) -> list[geography.Constituency]:
    """The seats whose MPs this campaign writes to (every seat for an own-MP campaign)."""
    seats = geography.all_constituencies()
    if campaign.targets == Targets.PARTIES:
        parties = set(campaign.target_parties)
        return [c for c in seats if c.mp and c.mp.party in parties]
    if campaign.targets == Targets.LIST:
        codes = set(campaign.target_codes)
        return [c for c in seats if c.code in codes]
    return seats


def is_target(campaign: Campaign, seat: geography.Constituency) -> bool:
    if campaign.targets == Targets.PARTIES:
        return bool(seat.mp and seat.mp.party in campaign.target_parties)
    if campaign.targets == Targets.LIST:
        return seat.code in campaign.target_codes
    return True
