"""Member pages: the list of votes, a vote's page, standing and nominating, the ballot, the results."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from leveller.core.page_errors import reported
from leveller.elections import exports
from leveller.elections.access import election_candidate, results_election, visible_election
from leveller.elections.actions import nominations as nomination_actions
from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import voting as voting_actions
from leveller.elections.actions.nominations import groups_for_nominating, qualifies
from leveller.elections.actions.voting import ballot_options, has_voted
from leveller.elections.ballots import ANSWERS, clean_choices, describe, ranking_from_ranks, ranks_from_form
from leveller.elections.charts import stage_charts
from leveller.elections.deliberation import deliberation_context
from leveller.elections.eligibility import describe_electorate, ineligibility_reason
from leveller.elections.forms import StandForm
from leveller.elections.models import Election, Kind, Nomination, Process, State, VoterRoll
from leveller.elections.results import decision_stages, result_context


@login_required
def election_list(request):
    elections = list(Election.objects.visible_to(request.user).annotate(turnout=Count("roll")))
    voted = set(VoterRoll.objects.filter(member=request.user).values_list("election_id", flat=True))
    sections = [
        ("Voting now", [e for e in elections if e.state == State.VOTING]),
        ("Nominations open", [e for e in elections if e.state == State.NOMINATIONS]),
        ("Results", [e for e in elections if e.state == State.PUBLISHED]),
        ("Closed, being counted", [e for e in elections if e.state in (State.CLOSED, State.COUNTED)]),
        ("Drafts (staff only)", [e for e in elections if e.state == State.DRAFT]),
    ]
    processes = Process.objects.all()[:5]
    return render(request, "elections/list.html", {"sections": sections, "voted": voted, "processes": processes})


def _nomination_rows(election, member):
    mine = set(
        Nomination.objects.filter(candidate__election=election, member=member).values_list("candidate_id", flat=True)
    )
    candidates = election.candidates.annotate(
        member_nominations=Count("nominations", filter=Q(nominations__member__isnull=False)),
    ).prefetch_related("nominations")
    return [
        {
            "candidate": c,
            "nominated_by_me": c.pk in mine,
            "groups": [n.group_name for n in c.nominations.all() if n.group_id],
            "qualifies": qualifies(c, election),
        }
        for c in candidates
    ]


@login_required
def election_detail(request, pk):
    election = visible_election(request.user, pk)
    context = {
        "election": election,
        "reason": ineligibility_reason(election, request.user),
        "voted": has_voted(election, request.user),
        "turnout": election.roll.count(),
        "rows": _nomination_rows(election, request.user),
        "rules": election.minimum_rules.all(),
        "my_candidacy": election.candidates.filter(member=request.user).first(),
        "nominating_groups": groups_for_nominating(request.user) if election.group_nominations else [],
        "electorate": describe_electorate(election),
        **deliberation_context(election, request.user),
    }
    return render(request, "elections/detail.html", context)


@login_required
def stand(request, pk):
    election = visible_election(request.user, pk)
    categories = list(election.minimum_rules.values_list("category", flat=True))
    form = StandForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form, denied=True, on_fields=False) as outcome:
            nomination_actions.stand(
                actor=request.user,
                election=election,
                statement=form.cleaned_data["statement"],
                tags=form.cleaned_data.get("tags", []),
            )
        if outcome.ok:
            messages.success(request, "You are standing. Members can now add their nominations.")
            return redirect("elections:detail", pk=election.pk)
    return render(
        request,
        "elections/stand.html",
        {"election": election, "form": form, "reason": ineligibility_reason(election, request.user)},
    )


def _act(request, election, action, success: str):
    with reported(request, denied=True) as outcome:
        action()
    if outcome.ok:
        messages.success(request, success)
    return redirect("elections:detail", pk=election.pk)


@require_POST
@login_required
def support(request, pk, candidate_pk):
    election = visible_election(request.user, pk)
    candidate = election_candidate(election, candidate_pk)
    return _act(
        request,
        election,
        lambda: nomination_actions.support(actor=request.user, candidate=candidate),
        f"You nominated {candidate.name}.",
    )


@require_POST
@login_required
def group_nominate(request, pk, candidate_pk):
    election = visible_election(request.user, pk)
    candidate = election_candidate(election, candidate_pk)
    try:
        group_id = int(request.POST.get("group", ""))
    except ValueError:
        messages.error(request, "Choose the group you are nominating for.")
        return redirect("elections:detail", pk=election.pk)
    return _act(
        request,
        election,
        lambda: nomination_actions.nominate_as_group(actor=request.user, candidate=candidate, group_id=group_id),
        f"Your group nominated {candidate.name}.",
    )


@require_POST
@login_required
def withdraw(request, pk, candidate_pk):
    election = visible_election(request.user, pk)
    candidate = election_candidate(election, candidate_pk)
    return _act(
        request,
        election,
        lambda: setup_actions.withdraw_candidate(actor=request.user, candidate=candidate),
        f"{candidate.name} has withdrawn.",
    )


def _private(response):
    add_never_cache_headers(response)
    return response


@login_required
def ballot(request, pk):
    """GET: the ballot paper. POST step=review: check it and show the confirmation; step=change: back to the
    paper with the choices kept; step=cast: store it and show the receipt (never in a URL)."""
    election = visible_election(request.user, pk)
    options = [c for c in ballot_options(election) if c.status == "standing"]
    context = {
        "election": election,
        "options": options,
        "reason": ineligibility_reason(election, request.user),
        "voted": has_voted(election, request.user),
        "open": election.voting_open_now(),
        "numbers": list(range(1, len(options) + 1)),
        "answers": ANSWERS,
        "errors": [],
        "ranks": {},
        "approved": set(),
        "answer": "",
    }
    if request.method != "POST" or context["reason"] or context["voted"] or not context["open"]:
        return _private(render(request, "elections/ballot.html", context))
    step = request.POST.get("step", "review")
    ranking: list[int] = []
    with reported(request, denied=True, flash=False) as outcome:
        if election.is_ranked:
            context["ranks"] = ranks_from_form(request.POST, options)
            ranking = ranking_from_ranks(context["ranks"], options)
        elif election.kind == Kind.APPROVAL:
            context["approved"] = {int(v) for v in request.POST.getlist("approve") if v.isdigit()}
        else:
            context["answer"] = request.POST.get("answer", "")
        if step == "cast":
            receipt = voting_actions.cast_ballot(
                actor=request.user,
                election=election,
                ranking=ranking,
                approvals=sorted(context["approved"]),
                answer=context["answer"],
            )
            return _private(render(request, "elections/receipt.html", {"election": election, "receipt": receipt}))
        choices, answer = clean_choices(
            election, options, ranking=ranking, approvals=context["approved"], answer=context["answer"]
        )
    if outcome.denied:
        context["reason"] = outcome.text
        return _private(render(request, "elections/ballot.html", context, status=403))
    if not outcome.ok:
        context["errors"] = outcome.messages
        context["voted"] = has_voted(election, request.user)
        return _private(render(request, "elections/ballot.html", context, status=400))
    if step == "change":
        return _private(render(request, "elections/ballot.html", context))
    context["summary"] = describe(election, options, choices, answer)
    context["unranked"] = [c for c in options if c.pk not in choices] if election.is_ranked else []
    return _private(render(request, "elections/confirm.html", context))


@login_required
def results(request, pk):
    election = results_election(request.user, pk)
    context = result_context(election)
    if election.kind in (Kind.STV, Kind.RANKED) and context.get("data"):
        context["charts"] = stage_charts(context["data"])
    context["decision_stages"] = decision_stages(election)
    return render(request, "elections/results.html", context)


@require_POST
@login_required
def check_receipt(request, pk):
    """Look a receipt up by POST, so the code never appears in a URL or an access log."""
    election = results_election(request.user, pk)
    code = request.POST.get("receipt", "")
    found = exports.find_receipt(election, code)
    context = result_context(election)
    if election.kind in (Kind.STV, Kind.RANKED) and context.get("data"):
        context["charts"] = stage_charts(context["data"])
    context["receipt_checked"] = code
    if found is not None:
        options = ballot_options(election)
        context["receipt_found"] = describe(election, options, found.choices, found.answer)
    return _private(render(request, "elections/results.html", context))


def _download(content: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def download_blt(request, pk):
    election = results_election(request.user, pk)
    if not election.is_ranked:
        raise PermissionDenied("Only ranked votes have a BLT file.")
    return _download(exports.blt_text(election), f"vote-{election.pk}.blt", "text/plain; charset=utf-8")


@login_required
def download_receipts(request, pk):
    election = results_election(request.user, pk)
    return _download(exports.receipts_csv(election), f"vote-{election.pk}-receipts.csv", "text/csv; charset=utf-8")


@login_required
def download_result(request, pk):
    election = results_election(request.user, pk)
    body = json.dumps(election.result.data, indent=2)
    return _download(body, f"vote-{election.pk}-result.json", "application/json")
