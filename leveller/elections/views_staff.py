"""Staff pages: create a vote, change its settings, candidates and rules, move it along, read its audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from leveller.core.access import require_staff
from leveller.core.models import AuditEntry
from leveller.core.page_errors import reported
from leveller.elections.access import election_candidate, managed_election
from leveller.elections.actions import counting as counting_actions
from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.actions.setup import SETTINGS
from leveller.elections.actions.transitions import check_ballot_paper
from leveller.elections.forms import CandidateForm, MinimumRuleForm, SettingsForm
from leveller.elections.models import Election, MinimumRule, State


@login_required
def new(request):
    require_staff(request.user)
    form = SettingsForm(request.POST or None, instance=Election())
    if request.method == "POST" and form.is_valid():
        data = form.changed_settings()
        with reported(request, form=form, on_fields=False) as outcome:
            election = setup_actions.create_election(actor=request.user, **data)
        if outcome.ok:
            messages.success(request, "Created as a draft. Add candidates or proposals, then open it.")
            return redirect("elections:manage", pk=election.pk)
    return render(request, "elections/new.html", {"form": form})


def _manage_context(election, **extra) -> dict:
    trail = AuditEntry.objects.about(election).select_related("actor")[:200]
    return {
        "election": election,
        "settings_form": SettingsForm(initial=model_to_dict(election, fields=SETTINGS), instance=Election()),
        "candidate_form": CandidateForm(),
        "rule_form": MinimumRuleForm(),
        "candidates": election.candidates.all(),
        "rules": election.minimum_rules.all(),
        "problems": check_ballot_paper(election) if election.state in (State.DRAFT, State.NOMINATIONS) else [],
        "trail": trail,
        "turnout": election.roll.count(),
        **extra,
    }


@login_required
def manage(request, pk):
    election = managed_election(request.user, pk)
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=Election())
        if form.is_valid():
            with reported(request, form=form, on_fields=False) as outcome:
                setup_actions.update_election(actor=request.user, election=election, **form.changed_settings())
            if outcome.ok:
                messages.success(request, "Settings saved.")
                return redirect("elections:manage", pk=election.pk)
        return render(request, "elections/manage.html", _manage_context(election, settings_form=form), status=400)
    return render(request, "elections/manage.html", _manage_context(election))


@require_POST
@login_required
def add_candidate(request, pk):
    election = managed_election(request.user, pk)
    form = CandidateForm(request.POST)
    if form.is_valid():
        with reported(request, form=form, on_fields=False) as outcome:
            setup_actions.add_candidate(actor=request.user, election=election, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, f"Added {form.cleaned_data['name']}.")
            return redirect("elections:manage", pk=election.pk)
    return render(request, "elections/manage.html", _manage_context(election, candidate_form=form), status=400)


@login_required
def edit_candidate(request, pk, candidate_pk):
    election = managed_election(request.user, pk)
    candidate = election_candidate(election, candidate_pk)
    initial = {"name": candidate.name, "statement": candidate.statement, "tags": ", ".join(candidate.tags)}
    form = CandidateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form, on_fields=False) as outcome:
            setup_actions.update_candidate(actor=request.user, candidate=candidate, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, "Saved.")
            return redirect("elections:manage", pk=election.pk)
    context = {"election": election, "candidate": candidate, "form": form}
    return render(request, "elections/candidate_edit.html", context)


@require_POST
@login_required
def set_rule(request, pk):
    election = managed_election(request.user, pk)
    form = MinimumRuleForm(request.POST)
    if form.is_valid():
        with reported(request, form=form, on_fields=False) as outcome:
            setup_actions.set_minimum_rule(actor=request.user, election=election, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, "Minimum-representation rule saved.")
            return redirect("elections:manage", pk=election.pk)
    return render(request, "elections/manage.html", _manage_context(election, rule_form=form), status=400)


@require_POST
@login_required
def remove_rule(request, pk, rule_pk):
    election = managed_election(request.user, pk)
    rule = MinimumRule.objects.filter(election=election, pk=rule_pk).first()
    if rule is not None:
        with reported(request):
            setup_actions.remove_minimum_rule(actor=request.user, rule=rule)
    return redirect("elections:manage", pk=election.pk)


TRANSITIONS = {
    "open_nominations": (transition_actions.open_nominations, "Nominations are open."),
    "open_voting": (transition_actions.open_voting, "Voting is open."),
    "close_voting": (transition_actions.close_voting, "Voting has closed."),
    "publish_results": (transition_actions.publish_results, "Results are published."),
    "count": (counting_actions.count_election, "Counted."),
}


@require_POST
@login_required
def transition(request, pk):
    election = managed_election(request.user, pk)
    entry = TRANSITIONS.get(request.POST.get("to", ""))
    if entry is None:
        messages.error(request, "Unknown step.")
        return redirect("elections:manage", pk=election.pk)
    action, success = entry
    with reported(request, denied=True) as outcome:
        action(actor=request.user, election=election)
    if outcome.ok:
        messages.success(request, success)
    return redirect("elections:manage", pk=election.pk)
