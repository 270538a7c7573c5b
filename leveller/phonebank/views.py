"""Phonebank pages: parse, authorise, call an action, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from leveller.core import clock
from leveller.core.access import require_organiser
from leveller.core.page_errors import reported
from leveller.phonebank import access, export, forms, hours, integrations, limits, phones, script, stats
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.actions import contacts as contact_actions
from leveller.phonebank.models import CampaignCaller, ImportStatus, Outcome


@login_required
def campaigns(request):
    visible, organised = access.campaigns_for(request.user)
    return render(request, "phonebank/campaigns.html", {"campaigns": visible, "organised": organised})


def _campaign_form_context(form, formset, campaign=None) -> dict:
    return {
        "form": form,
        "formset": formset,
        "campaign": campaign,
        "preview": script.preview(campaign) if campaign else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    require_organiser(request.user)
    form = forms.CampaignForm(request.POST or None)
    formset = forms.QuestionFormSet(request.POST or None, prefix="q")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with reported(request, form=form) as outcome:
            questions = forms.questions_from(formset, [])
            fields = form.action_fields()
            campaign = call_actions.create_campaign(actor=request.user, questions=questions, **fields)
        if outcome.ok:
            messages.success(request, f"“{campaign.name}” is set up. Now upload its contact list.")
            return redirect("phonebank:contacts", campaign.pk)
    return render(request, "phonebank/setup.html", _campaign_form_context(form, formset))


@login_required
@require_http_methods(["GET", "POST"])
def setup(request, campaign_id: int):
    campaign = access.campaign_for_organiser(request.user, campaign_id)
    initial = {
        field: getattr(campaign, field)
        for field in (
            "name",
            "goal",
            "script",
            "calling_start",
            "calling_end",
            "call_on_sundays",
            "max_attempts",
            "retry_after_minutes",
            "callers_mode",
            "caller_group_id",
            "status",
        )
    }
    initial["caller_emails"] = "\n".join(campaign.callers.values_list("email", flat=True))
    form = forms.CampaignForm(request.POST or None, initial=initial)
    formset = forms.QuestionFormSet(
        request.POST or None, prefix="q", initial=forms.question_initial(campaign.questions)
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with reported(request, form=form) as outcome:
            questions = forms.questions_from(formset, campaign.questions)
            call_actions.update_campaign(
                actor=request.user, campaign=campaign, questions=questions, **form.action_fields()
            )
        if outcome.ok:
            messages.success(request, "Campaign saved.")
            return redirect("phonebank:campaign", campaign.pk)
    return render(request, "phonebank/setup.html", _campaign_form_context(form, formset, campaign))


@login_required
def campaign(request, campaign_id: int):
    campaign = access.campaign_for_caller(request.user, campaign_id)
    row = CampaignCaller.objects.filter(campaign=campaign, member=request.user).first()
    return render(
        request,
        "phonebank/campaign.html",
        {
            "campaign": campaign,
            "is_organiser": access.is_organiser_of(request.user, campaign),
            "tally": stats.tally(campaign, request.user),
            "leaderboard": stats.leaderboard(campaign),
            "on_leaderboard": row.on_leaderboard if row else True,
            "hours": hours.describe(campaign),
            "chat_url": integrations.channel_url(campaign),
        },
    )


@login_required
@require_POST
def start_calling(request, campaign_id: int):
    campaign = access.campaign_for_caller(request.user, campaign_id)
    return _next_or_back(request, campaign)


def _next_or_back(request, campaign):
    try:
        with reported(request) as outcome:
            call = call_actions.next_contact(actor=request.user, campaign=campaign)
    except limits.Limited as limited:
        messages.error(request, limited.message)
        return redirect("phonebank:campaign", campaign.pk)
    if not outcome.ok:
        return redirect("phonebank:campaign", campaign.pk)
    if call is None:
        messages.info(request, _nobody_now(campaign))
        return redirect("phonebank:campaign", campaign.pk)
    return redirect("phonebank:call", call.pk)


@login_required
def call(request, call_id: int):
    call = access.call_for_caller(request.user, call_id)
    contact = call.contact
    if not call.is_open or contact.lease_call_id != call.pk:
        messages.info(request, "That call is finished. Its contact's details are no longer shown.")
        return redirect("phonebank:campaign", call.campaign_id)
    call_actions.record_view(actor=request.user, call=call)
    campaign = call.campaign
    return render(
        request,
        "phonebank/call.html",
        {
            "call": call,
            "campaign": campaign,
            "contact": contact,
            "phone_pretty": phones.pretty(contact.phone_e164),
            "tel_uri": phones.tel_uri(contact.phone_e164),
            "local_time": hours.local_time(contact.time_zone, clock.now()),
            "script_html": script.render_for(campaign, contact),
            "questions": campaign.questions,
            "outcomes": Outcome.choices,
            "tally": stats.tally(campaign, request.user),
            "errors": request.session.pop(f"pb-errors-{call.pk}", None),
        },
    )


def _answers_from(post, questions: list[dict]) -> dict:
    answers = {}
    for question in questions:
        key = f"answer-{question['id']}"
        answers[question["id"]] = post.getlist(key) if question["kind"] == "multiple_choice" else post.get(key, "")
    return answers


@login_required
@require_POST
def record_outcome(request, call_id: int):
    call = access.call_for_caller(request.user, call_id)
    outcome = request.POST.get("outcome", "")
    try:
        with reported(request, flash=False) as refusal:
            call_actions.record_outcome(
                actor=request.user,
                call=call,
                outcome=outcome,
                answers=_answers_from(request.POST, call.campaign.questions),
                callback_at=request.POST.get("callback_at") or None,
            )
    except call_actions.LeaseLost as lost:
        messages.error(request, lost.message)
        return redirect("phonebank:campaign", call.campaign_id)
    if not refusal.ok:  # shown on the call page, next to the answers
        request.session[f"pb-errors-{call.pk}"] = refusal.messages
        return redirect("phonebank:call", call.pk)
    messages.success(request, f"Saved: {dict(Outcome.choices)[outcome].lower()}.")
    if request.POST.get("then") == "stop":
        return redirect("phonebank:campaign", call.campaign_id)
    return _next_or_back(request, call.campaign)


@login_required
@require_POST
def release(request, call_id: int):
    call = access.call_for_caller(request.user, call_id)
    try:
        call_actions.release_call(actor=request.user, call=call)
    except limits.Limited as limited:
        messages.error(request, limited.message)
        return redirect("phonebank:call", call.pk)
    messages.info(
        request,
        "Released. They are kept for you for a few minutes (your next call is them again), then anyone can call"
        " them. Thank you for your time!",
    )
    return redirect("phonebank:campaign", call.campaign_id)


@login_required
@require_POST
def leaderboard(request, campaign_id: int):
    campaign = access.campaign_for_caller(request.user, campaign_id)
    visible = request.POST.get("visible") == "1"
    call_actions.set_leaderboard(actor=request.user, campaign=campaign, visible=visible)
    messages.success(request, "You are on the leaderboard." if visible else "You are hidden from the leaderboard.")
    return redirect("phonebank:campaign", campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def contacts(request, campaign_id: int):
    campaign = access.campaign_for_organiser(request.user, campaign_id)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with reported(request, form=form, field="file") as outcome:
            job = contact_actions.upload_contacts(
                actor=request.user,
                campaign=campaign,
                data=upload.read(),
                filename=upload.name,
                basis=form.cleaned_data["basis"] or "legitimate_interests",
                source=form.cleaned_data["source"],
                wording=form.cleaned_data["wording"],
            )
        if outcome.ok:
            if job.status == ImportStatus.DONE:
                messages.success(request, f"Loaded {job.loaded} contacts.")
            else:
                messages.info(request, f"Loading {job.total_rows:,} rows in the background: progress shows below.")
            return redirect("phonebank:contacts", campaign.pk)
    return render(
        request,
        "phonebank/contacts.html",
        {
            "campaign": campaign,
            "form": form,
            "jobs": campaign.imports.all()[:10],
        },
    )


@login_required
def imports_fragment(request, campaign_id: int):
    campaign = access.campaign_for_organiser(request.user, campaign_id)
    return render(request, "phonebank/_imports.html", {"campaign": campaign, "jobs": campaign.imports.all()[:10]})


@login_required
def dashboard(request, campaign_id: int):
    campaign = access.campaign_for_organiser(request.user, campaign_id)
    return render(
        request,
        "phonebank/dashboard.html",
        {
            "campaign": campaign,
            "stats": stats.campaign_stats(campaign, clock.now()),
            "alerts": limits.recent_alerts(campaign, clock.now()),
            "leaderboard": stats.leaderboard(campaign),
            "outcome_labels": dict(Outcome.choices),
        },
    )


@login_required
def dashboard_stats(request, campaign_id: int):
    campaign = access.campaign_for_organiser(request.user, campaign_id)
    return render(
        request,
        "phonebank/_stats.html",
        {
            "campaign": campaign,
            "stats": stats.campaign_stats(campaign, clock.now()),
            "alerts": limits.recent_alerts(campaign, clock.now()),
            "leaderboard": stats.leaderboard(campaign),
            "outcome_labels": dict(Outcome.choices),
        },
    )


@login_required
def export_csv(request, campaign_id: int):
    campaign = access.campaign_for_exporter(request.user, campaign_id)
    call_actions.record_export(actor=request.user, campaign=campaign)
    response = StreamingHttpResponse(export.rows(campaign), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-results.csv"'
    return response


def _nobody_now(campaign) -> str:
    """Why nobody can be called, and when calling reopens (in the caller's own time)."""
    opening = hours.next_opening(campaign, clock.now())
    if opening is None:
        return (
            "Nobody can be called right now: everyone is called or held by another caller. Thank you! Try again "
            "in a few minutes, when held calls are released or call-backs fall due."
        )
    local = timezone.localtime(opening)
    today = timezone.localdate()
    day = "today" if local.date() == today else "tomorrow" if local.date() == today + dt.timedelta(days=1) else None
    when = f"{local:%H:%M} {day}" if day else f"{local:%H:%M} on {local:%A %-d %B}"
    return (
        "Nobody can be called right now: it is outside every contact's calling hours. "
        f"Calling reopens at {when} (your time)."
    )
