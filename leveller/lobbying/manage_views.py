"""Organisers' and staff pages: campaigns (create, edit, publish, moderate, results, CSV) and statements
(create, open, verify signatures, the follow-up campaign to MPs who have not signed)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from leveller.core.access import require_organiser, require_staff
from leveller.core.page_errors import reported
from leveller.lobbying import access, results
from leveller.lobbying.actions import campaigns as campaign_actions
from leveller.lobbying.actions import letters as letter_actions
from leveller.lobbying.actions import statements as statement_actions
from leveller.lobbying.forms import CampaignForm, StatementForm
from leveller.lobbying.models import Letter, LetterState, Signature, SignatureState, StatementStatus

DEFAULT_TEMPLATE = """Dear {mp_name},

I am writing to you as your constituent in {constituency}.

{personal_paragraph}

I would be grateful for your reply.

Yours sincerely,
{member_name}
{member_town}"""


def _posted_id(request, name: str) -> int:
    """The id a form posted (a letter's, a signature's): anything but a whole number finds nothing, a 404."""
    value = request.POST.get(name, "")
    if not (value.isascii() and value.isdigit()):
        raise Http404(f"No such {name}.")
    return int(value)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    require_organiser(request.user)
    form = CampaignForm(request.POST or None, initial={"template": DEFAULT_TEMPLATE, "targets": "own_mp",
                                                       "own_mp_only": True})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form) as outcome:
            campaign = campaign_actions.create_campaign(actor=request.user, **form.action_fields())
        if outcome.ok:
            messages.success(request, "Campaign saved as a draft. Publish it when it is ready.")
            return redirect("lobbying:results", slug=campaign.slug)
    return render(request, "lobbying/manage/campaign_form.html", {"form": form, "campaign": None})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, slug: str):
    campaign = access.managed_campaign(request.user, slug)
    initial = {f: getattr(campaign, f) for f in campaign_actions.EDITABLE}
    initial["target_codes"] = " ".join(campaign.target_codes)
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form) as outcome:
            campaign_actions.update_campaign(actor=request.user, campaign=campaign, **form.action_fields())
        if outcome.ok:
            messages.success(request, "Campaign saved.")
            return redirect("lobbying:results", slug=campaign.slug)
    return render(request, "lobbying/manage/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@require_POST
def campaign_status(request, slug: str):
    campaign = access.managed_campaign(request.user, slug)
    action = request.POST.get("action", "")
    with reported(request):
        if action == "close":
            campaign_actions.close_campaign(actor=request.user, campaign=campaign)
        elif action == "retry":
            count = letter_actions.retry_failed(actor=request.user, campaign=campaign)
            messages.success(request, f"{count} letters queued again.")
        else:
            campaign_actions.set_status(actor=request.user, campaign=campaign, status=action)
    return redirect("lobbying:results", slug=campaign.slug)


@login_required
def campaign_results(request, slug: str):
    campaign = access.managed_campaign(request.user, slug)
    summary = results.summarise(campaign)
    return render(
        request,
        "lobbying/manage/results.html",
        {
            "campaign": campaign,
            "summary": summary,
            "chart_seats": results.bar_chart(summary.by_constituency, title="Letters sent, by constituency"),
            "chart_parties": results.bar_chart(summary.by_party, title="Letters sent, by the MP's party"),
            "pending": Letter.objects.filter(campaign=campaign, state=LetterState.MODERATION).count(),
            "state_counts": [
                (label, summary.states[value])
                for value, label in LetterState.choices
                if value != LetterState.SENT and summary.states.get(value)
            ],
            "public_url": settings.SITE_URL + campaign.get_absolute_url(),
            "now": timezone.now(),
        },
    )


@login_required
def campaign_csv(request, slug: str):
    campaign = access.managed_campaign(request.user, slug)
    response = HttpResponse(results.csv_export(campaign), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-letters.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def moderation(request, slug: str):
    campaign = access.managed_campaign(request.user, slug)
    if request.method == "POST":
        letter = get_object_or_404(Letter, pk=_posted_id(request, "letter"), campaign=campaign)
        with reported(request):
            letter_actions.moderate_letter(actor=request.user, letter=letter,
                                           approve=request.POST.get("decision") == "approve",
                                           note=request.POST.get("note", ""))  # fmt: skip
        return redirect("lobbying:moderation", slug=campaign.slug)
    waiting = Letter.objects.filter(campaign=campaign, state=LetterState.MODERATION).order_by("created_at")
    return render(request, "lobbying/manage/moderation.html", {"campaign": campaign, "letters": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def statement_new(request):
    require_staff(request.user)
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form) as outcome:
            statement = statement_actions.create_statement(actor=request.user, **form.cleaned_data)
        if outcome.ok:
            return redirect("lobbying:statement_manage", slug=statement.slug)
    return render(request, "lobbying/manage/statement_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def statement_manage(request, slug: str):
    statement = access.managed_statement(request.user, slug)
    if request.method == "POST":
        action = request.POST.get("action", "")
        with reported(request):
            if action in ("verify", "reject"):
                signature = get_object_or_404(Signature, pk=_posted_id(request, "signature"), statement=statement)
                statement_actions.verify_signature(actor=request.user, signature=signature, approve=action == "verify",
                                                   mp_constituency_code=request.POST.get("mp_code", ""))  # fmt: skip
            elif action == "follow_up":
                campaign = statement_actions.follow_up_campaign(actor=request.user, statement=statement,
                                                                site_url=settings.SITE_URL)  # fmt: skip
                messages.success(request, "A draft letter campaign to the MPs who have not signed is ready.")
                return redirect("lobbying:campaign_edit", slug=campaign.slug)
            elif action in StatementStatus.values:
                statement_actions.set_statement_status(actor=request.user, statement=statement, status=action)
        return redirect("lobbying:statement_manage", slug=statement.slug)
    signatures = statement.signatures.order_by("state", "created_at")
    return render(
        request,
        "lobbying/manage/statement.html",
        {
            "statement": statement,
            "pending": signatures.filter(state=SignatureState.PENDING),
            "shown": signatures.filter(state=SignatureState.SHOWN),
            "rejected": signatures.filter(state=SignatureState.REJECTED).count(),
            "unsigned": len(statement_actions.unsigned_mps(statement)),
            "campaigns": statement.follow_up_campaigns.all(),
        },
    )
