"""Consent recorded by hand (a phone call, a paper form, a letter), and a person's consent history: for a
phonebank contact, the organisers of its campaign (and staff); for a member, staff. The admins' erasure
policy page is here too."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from leveller.accounts.models import Member
from leveller.core.access import require_admin, require_staff
from leveller.core.page_errors import reported
from leveller.privacy import consent, policy
from leveller.privacy.actions import consent as consent_actions
from leveller.privacy.actions import policy as policy_actions
from leveller.privacy.models import MessagesOnErasure
from leveller.privacy.purposes import PURPOSES, Method, Purpose

METHOD_CHOICES = [(m, Method(m).label) for m in consent_actions.BY_HAND_METHODS]


def parse_when(value: str) -> dt.datetime | None:
    """A datetime-local field (the organiser's own time zone); empty means now."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("Give the date and time as shown, e.g. 2026-05-03 14:30.") from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _record_from_post(request, **subject) -> bool:
    data = request.POST
    try:
        with reported(request) as outcome:
            consent_actions.record_by_hand(
                actor=request.user,
                purpose=data.get("purpose", ""),
                granted=data.get("decision") == "granted",
                method=data.get("method", ""),
                wording=data.get("wording", ""),
                source=data.get("source", ""),
                recorded_at=parse_when(data.get("when", "")),
                **subject,
            )
    except ValueError:
        messages.error(request, "Choose one of the purposes listed.")
        return False
    if not outcome.ok:
        return False
    messages.success(request, "Recorded.")
    return True


def _form_context(request) -> dict:
    return {
        "purposes": [(p, Purpose(p).label, d.wording) for p, d in PURPOSES.items()],
        "methods": METHOD_CHOICES,
        "values": request.POST if request.method == "POST" else {},
    }


def _contact(request, contact_id: int):
    from leveller.phonebank.models import Contact

    contact = get_object_or_404(Contact.objects.select_related("campaign"), pk=contact_id)
    if not consent.may_manage_contact(request.user, contact):
        raise Http404("No such contact.")  # callers and others do not learn the contact exists
    return contact


@login_required
@require_http_methods(["GET", "POST"])
def contact_consent(request, contact_id: int):
    contact = _contact(request, contact_id)
    if request.method == "POST" and _record_from_post(request, contact=contact):
        return redirect("privacy:contact_consent", contact_id=contact.pk)
    return render(
        request,
        "privacy/consent_record.html",
        {
            **_form_context(request),
            "subject_name": contact.name or contact.phone_e164,
            "subject_kind": "contact",
            "contact": contact,
            "current": consent.contact_current(contact),
            "history": consent.history(contact=contact),
            "back": ("privacy:campaign_consents", contact.campaign_id),
        },
    )


@login_required
@require_GET
def campaign_consents(request, campaign_id: int):
    """Find a contact on a campaign's list (by name or number) to record what they said."""
    from leveller.phonebank import access
    from leveller.phonebank.models import Campaign

    campaign = get_object_or_404(Campaign, pk=campaign_id)
    if not access.is_organiser_of(request.user, campaign):
        raise Http404("No such campaign.")
    q = request.GET.get("q", "").strip()[:100]
    found = []
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        match = Q(name__icontains=q) | (Q(phone_e164__contains=digits) if len(digits) >= 4 else Q(pk__in=[]))
        found = list(campaign.contacts.filter(match).order_by("name", "id")[:50])
    return render(request, "privacy/campaign_consents.html", {"campaign": campaign, "q": q, "found": found})


@login_required
@require_http_methods(["GET", "POST"])
def member_consent(request, member_id: int):
    require_staff(request.user)
    member = get_object_or_404(Member, pk=member_id)
    if request.method == "POST" and _record_from_post(request, member=member):
        return redirect("privacy:member_consent", member_id=member.pk)
    return render(
        request,
        "privacy/consent_record.html",
        {
            **_form_context(request),
            "subject_name": member.display_name,
            "subject_kind": "member",
            "member": member,
            "current": consent.current(member),
            "history": consent.history(member=member),
            "back": ("accounts:profile", member.pk) if member.is_active else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_page(request):
    require_admin(request.user)
    if request.method == "POST":
        with reported(request, denied=True) as outcome:
            policy_actions.set_messages_on_erasure(
                actor=request.user, choice=request.POST.get("messages_on_erasure", "")
            )
        if outcome.ok:
            messages.success(request, "Saved.")
        return redirect("privacy:policy")
    return render(request, "privacy/policy.html", {"policy": policy.current(), "choices": MessagesOnErasure.choices})
