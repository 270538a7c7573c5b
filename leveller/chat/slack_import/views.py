"""Manage → Import from Slack: upload an export, read its dry-run report, start it, watch it, read the result."""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from leveller.chat.actions import slack_import as slack_import_actions
from leveller.chat.slack_import.models import SlackImportRun
from leveller.core.page_errors import reported


class UploadForm(forms.Form):
    export = forms.FileField(label="Slack export (.zip)", help_text="From Slack: Settings → Import/Export Data.")
    invite = forms.BooleanField(required=False, label="Email new members a link to claim their account")
    default_channels = forms.BooleanField(required=False, label="Make Slack's #general a default channel")


def _admin(request):
    slack_import_actions.require_importer(request.user)
    return request.user


@login_required
def index(request):
    actor = _admin(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form, field="export") as outcome:
            run = slack_import_actions.upload_export(
                actor=actor,
                upload=form.cleaned_data["export"],
                invite=form.cleaned_data["invite"],
                default_channels=form.cleaned_data["default_channels"],
            )
        if outcome.ok:
            return redirect("chat:slack_import_run", run.pk)
    runs = SlackImportRun.objects.select_related("started_by")[:50]
    return render(request, "chat/slack_import/index.html", {"form": form, "runs": runs},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
def run_view(request, run_id: int):
    _admin(request)
    run = get_object_or_404(SlackImportRun, pk=run_id)
    return render(request, "chat/slack_import/run.html", {"run": run})


@login_required
@require_POST
def start(request, run_id: int):
    actor = _admin(request)
    run = get_object_or_404(SlackImportRun, pk=run_id)
    with reported(request, denied=True):
        slack_import_actions.start_import(actor=actor, run=run, invite=request.POST.get("invite") == "on")
    return redirect("chat:slack_import_run", run.pk)


@login_required
@require_POST
def invite(request, run_id: int):
    actor = _admin(request)
    run = get_object_or_404(SlackImportRun, pk=run_id)
    sent = slack_import_actions.invite_imported(actor=actor)
    flash.success(request, f"Sent {sent} claim-your-account invitations.")
    return redirect("chat:slack_import_run", run.pk)
