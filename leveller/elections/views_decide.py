"""Member pages for deciding together: motions, seconding, amendments, scheduling, composites, discussion
channels, hustings questions, process timelines and one-click unsubscribe from vote emails."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from leveller.core import unsubscribe
from leveller.core.page_errors import reported
from leveller.elections import notify, textdiff
from leveller.elections.access import (
    election_question,
    motion_amendment,
    visible_election,
    visible_motion,
)
from leveller.elections.actions import amendments as amendment_actions
from leveller.elections.actions import deliberation as deliberation_actions
from leveller.elections.actions import mail as mail_actions
from leveller.elections.actions import motions as motion_actions
from leveller.elections.actions import processes as process_actions
from leveller.elections.actions.motions import can_schedule, current_process
from leveller.elections.models import (
    AmendmentState,
    Election,
    MailKind,
    MailOptOut,
    Motion,
    MotionState,
    Process,
    Threshold,
)

SECTIONS = (
    ("Seeking seconders", [MotionState.SEEKING_SECONDERS]),
    ("Eligible, waiting to be scheduled", [MotionState.ELIGIBLE]),
    ("Scheduled for a vote", [MotionState.SCHEDULED]),
    ("Decided", [MotionState.CARRIED, MotionState.LOST]),
    ("Withdrawn or composited", [MotionState.WITHDRAWN, MotionState.COMPOSITED]),
)


def _try(request, call, success: str) -> bool:
    with reported(request, denied=True) as outcome:
        call()
    if outcome.ok:
        messages.success(request, success)
    return outcome.ok


@login_required
def motion_list(request):
    motions = list(
        Motion.objects.visible_to(request.user).select_related("mover", "process").prefetch_related("seconders")
    )
    sections = [(title, [m for m in motions if m.state in states]) for title, states in SECTIONS]
    return render(
        request,
        "elections/motions.html",
        {"sections": sections, "process": current_process(), "processes": Process.objects.all()[:20]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def motion_new(request):
    process = current_process()
    slug = request.POST.get("process") or request.GET.get("process")
    if slug:
        process = Process.objects.filter(slug=slug).first()
    values = {k: request.POST.get(k, "") for k in ("title", "text", "supporting_statement")}
    errors: list[str] = []
    if request.method == "POST":
        with reported(request, denied=True, flash=False) as outcome:
            motion = motion_actions.propose_motion(actor=request.user, process=process, **values)
        errors = outcome.messages
        if outcome.ok:
            messages.success(request, f"Your motion is up. It needs {motion.seconders_needed} seconder(s).")
            return redirect(motion)
    status = 400 if errors else 200
    return render(
        request, "elections/motion_new.html", {"values": values, "errors": errors, "process": process}, status=status
    )


def _amendment_rows(motion: Motion, member) -> list[dict]:
    rows = []
    for n, amendment in enumerate(motion.amendments.select_related("mover", "election"), 1):
        seconders = [s.member for s in amendment.seconders.select_related("member")]
        deleted, inserted = textdiff.counts(amendment.base_text, amendment.text)
        rows.append(
            {
                "n": n,
                "amendment": amendment,
                "diff": textdiff.diff_html(amendment.base_text, amendment.text),
                "deleted": deleted,
                "inserted": inserted,
                "seconders": seconders,
                "seconded_by_me": any(m.pk == member.pk for m in seconders),
                "open": amendment.state in (AmendmentState.SEEKING_SECONDERS, AmendmentState.ELIGIBLE),
            }
        )
    return rows


@login_required
def motion_detail(request, pk):
    motion = visible_motion(request.user, pk)
    seconders = [s.member for s in motion.seconders.select_related("member")]
    revisions = list(motion.revisions.select_related("actor", "amendment"))
    history = []
    for before, after in zip([None, *revisions], revisions, strict=False):
        history.append({"revision": after, "diff": textdiff.diff_html(before.text, after.text) if before else None})
    context = {
        "motion": motion,
        "seconders": seconders,
        "seconded_by_me": any(m.pk == request.user.pk for m in seconders),
        "is_mover": motion.mover_id == request.user.pk,
        "open": motion.state in (MotionState.SEEKING_SECONDERS, MotionState.ELIGIBLE),
        "amendments": _amendment_rows(motion, request.user),
        "history": history,
        "original_diff": textdiff.diff_html(motion.original_text, motion.text)
        if motion.original_text != motion.text
        else None,
        "can_schedule": can_schedule(request.user, motion) and motion.state == MotionState.ELIGIBLE,
        "thresholds": Threshold.choices,
        "default_close": (timezone.localtime() + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "default_amendments_close": (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "composited_from": list(motion.composited_from.all()),
    }
    return render(request, "elections/motion.html", context)


@require_POST
@login_required
def motion_second(request, pk):
    motion = visible_motion(request.user, pk)
    _try(request, lambda: motion_actions.second_motion(actor=request.user, motion=motion), "You seconded this motion.")
    return redirect(motion)


@require_POST
@login_required
def motion_withdraw(request, pk):
    motion = visible_motion(request.user, pk)
    _try(
        request, lambda: motion_actions.withdraw_motion(actor=request.user, motion=motion), "You withdrew your motion."
    )
    return redirect(motion)


@login_required
@require_http_methods(["GET", "POST"])
def motion_amend(request, pk):
    motion = visible_motion(request.user, pk)
    text = request.POST.get("text", motion.text)
    reason = request.POST.get("reason", "")
    errors: list[str] = []
    preview = None
    if request.method == "POST":
        if request.POST.get("step") == "preview":
            preview = textdiff.diff_html(motion.text, text)
        else:
            with reported(request, denied=True, flash=False) as outcome:
                amendment_actions.propose_amendment(actor=request.user, motion=motion, text=text, reason=reason)
            errors = outcome.messages
            if outcome.ok:
                messages.success(request, "Your amendment is up for seconding.")
                return redirect(motion)
    context = {"motion": motion, "text": text, "reason": reason, "errors": errors, "preview": preview}
    return render(request, "elections/motion_amend.html", context, status=400 if errors else 200)


@require_POST
@login_required
def amendment_second(request, pk, amendment_pk):
    motion = visible_motion(request.user, pk)
    amendment = motion_amendment(motion, amendment_pk)
    _try(
        request,
        lambda: amendment_actions.second_amendment(actor=request.user, amendment=amendment),
        "You seconded the amendment.",
    )
    return redirect(motion)


@require_POST
@login_required
def amendment_accept(request, pk, amendment_pk):
    motion = visible_motion(request.user, pk)
    amendment = motion_amendment(motion, amendment_pk)
    _try(
        request,
        lambda: amendment_actions.accept_amendment(actor=request.user, amendment=amendment),
        "You accepted the amendment as friendly; the motion's text now includes it.",
    )
    return redirect(motion)


@require_POST
@login_required
def amendment_withdraw(request, pk, amendment_pk):
    motion = visible_motion(request.user, pk)
    amendment = motion_amendment(motion, amendment_pk)
    _try(
        request,
        lambda: amendment_actions.withdraw_amendment(actor=request.user, amendment=amendment),
        "Amendment withdrawn.",
    )
    return redirect(motion)


def _when(value: str):
    from django.utils.dateparse import parse_datetime

    parsed = parse_datetime(value or "")
    if parsed is None:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@require_POST
@login_required
def motion_schedule(request, pk):
    motion = visible_motion(request.user, pk)
    try:
        quorum = int(request.POST.get("quorum") or 0)
    except ValueError:
        quorum = -1
    if quorum < 0:
        messages.error(request, "The quorum must be a whole number (0 for none).")
        return redirect(motion)
    _try(
        request,
        lambda: motion_actions.schedule_motion(
            actor=request.user,
            motion=motion,
            voting_closes_at=_when(request.POST.get("voting_closes_at", "")),
            amendments_close_at=_when(request.POST.get("amendments_close_at", "")),
            quorum=quorum,
            threshold=request.POST.get("threshold") or Threshold.SIMPLE,
        ),
        "The motion is scheduled.",
    )
    return redirect(motion)


@login_required
@require_http_methods(["GET", "POST"])
def motion_composite(request):
    if not request.user.is_staff_member:
        raise PermissionDenied("Only staff can composite motions.")
    candidates = Motion.objects.filter(state__in=[MotionState.SEEKING_SECONDERS, MotionState.ELIGIBLE])
    chosen = [int(v) for v in request.POST.getlist("motions") if v.isdigit()]
    values = {"title": request.POST.get("title", ""), "text": request.POST.get("text", "")}
    errors: list[str] = []
    if request.method == "POST":
        with reported(request, flash=False) as outcome:
            composite = motion_actions.composite_motions(
                actor=request.user, motions=list(candidates.filter(pk__in=chosen)), **values
            )
        errors = outcome.messages
        if outcome.ok:
            messages.success(request, "Composite motion made; the originals link to it.")
            return redirect(composite)
    context = {"candidates": candidates, "chosen": chosen, "values": values, "errors": errors}
    return render(request, "elections/motion_composite.html", context, status=400 if errors else 200)


@require_POST
@login_required
def motion_discuss(request, pk):
    motion = visible_motion(request.user, pk)
    return _join(request, lambda: deliberation_actions.join_discussion(actor=request.user, motion=motion), motion)


@require_POST
@login_required
def election_discuss(request, pk):
    election = visible_election(request.user, pk)
    return _join(request, lambda: deliberation_actions.join_discussion(actor=request.user, election=election), election)


def _join(request, call, back):
    with reported(request, denied=True) as outcome:
        channel = call()
    if not outcome.ok:
        return redirect(back)
    return redirect(reverse("chat:channel", args=[channel.pk]))


@require_POST
@login_required
def hustings_ask(request, pk):
    election = visible_election(request.user, pk)
    text = request.POST.get("text", "")
    _try(
        request,
        lambda: deliberation_actions.ask_question(actor=request.user, election=election, text=text),
        "Your question is up; candidates can now answer it.",
    )
    return redirect(reverse("elections:detail", args=[election.pk]) + "#hustings")


@require_POST
@login_required
def hustings_answer(request, pk, question_pk):
    election = visible_election(request.user, pk)
    question = election_question(election, question_pk)
    text = request.POST.get("text", "")
    _try(
        request,
        lambda: deliberation_actions.answer_question(actor=request.user, question=question, text=text),
        "Your answer is published beside your statement.",
    )
    return redirect(reverse("elections:detail", args=[election.pk]) + f"#q-{question.pk}")


@require_POST
@login_required
def hustings_hide(request, pk, question_pk):
    election = visible_election(request.user, pk)
    question = election_question(election, question_pk)
    _try(
        request, lambda: deliberation_actions.hide_question(actor=request.user, question=question), "Question removed."
    )
    return redirect(reverse("elections:detail", args=[election.pk]) + "#hustings")


def _stage(name: str, starts, ends, now) -> dict:
    if starts is None and ends is None:
        status = "not scheduled"
    elif ends is not None and now >= ends:
        status = "done"
    elif starts is not None and now < starts:
        status = "to come"
    else:
        status = "now"
    return {"name": name, "starts": starts, "ends": ends, "status": status}


def process_stages(process: Process, now=None) -> list[dict]:
    now = now or timezone.now()
    p = process
    return [
        _stage("Proposals: members move and second motions", p.proposals_open_at, p.proposals_close_at, now),
        _stage("Amendments: members propose and second changes", p.proposals_open_at, p.amendments_close_at, now),
        _stage(
            "Deliberation: discussion and hustings",
            p.amendments_close_at or p.proposals_close_at,
            p.deliberation_close_at,
            now,
        ),
        _stage("Voting: amendments first, then the motions and elections", p.voting_opens_at, p.voting_closes_at, now),
        _stage(
            "Results published", p.results_at or p.voting_closes_at, None if p.results_at is None else p.results_at, now
        ),
    ]


@login_required
def process_detail(request, slug):
    process = Process.objects.filter(slug=slug).first()
    if process is None:
        raise Http404("No such process.")
    motions = list(process.motions.select_related("mover", "election").prefetch_related("seconders__member"))
    elections = list(
        Election.objects.visible_to(request.user).filter(process=process).order_by("voting_closes_at", "id")
    )
    context = {
        "process": process,
        "stages": process_stages(process),
        "motions": motions,
        "elections": elections,
        "accepting": process.accepting_motions(),
    }
    return render(request, "elections/process.html", context)


@csrf_exempt  # the signed token is the credential; mail providers POST here with no session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token: str):
    found = notify.read_unsubscribe(token)
    if found is None:
        return render(request, "elections/unsubscribe.html", {"invalid": True}, status=404)
    member_id, kind = found
    if request.method == "POST":
        mail_actions.set_mail_preference(actor=None, member_id=member_id, kind=kind, wanted=False)
        if unsubscribe.is_one_click(request):
            return HttpResponse("Unsubscribed.\n", content_type="text/plain")
        return render(request, "elections/unsubscribe.html", {"done": True, "label": MailKind(kind).label})
    already = MailOptOut.objects.filter(member_id=member_id, kind=kind).exists()
    return render(request, "elections/unsubscribe.html", {"label": MailKind(kind).label, "already": already})


@login_required
@require_http_methods(["GET", "POST"])
def mail_settings(request):
    if request.method == "POST":
        for kind in MailKind.values:
            wanted = request.POST.get(kind) == "1"
            mail_actions.set_mail_preference(actor=request.user, member_id=request.user.pk, kind=kind, wanted=wanted)
        messages.success(request, "Your vote email choices are saved.")
        return redirect("elections:mail_settings")
    off = set(MailOptOut.objects.filter(member=request.user).values_list("kind", flat=True))
    kinds = [{"kind": k, "label": label, "on": k not in off} for k, label in MailKind.choices]
    return render(request, "elections/mail_settings.html", {"kinds": kinds})


@login_required
@require_http_methods(["GET", "POST"])
def process_edit(request, slug=None):
    """Staff create a process, or change its stages and thresholds."""
    from leveller.elections.forms import ProcessForm

    if not request.user.is_staff_member:
        raise PermissionDenied("Only staff can set up processes.")
    process = Process.objects.filter(slug=slug).first() if slug else None
    if slug and process is None:
        raise Http404("No such process.")
    # The form only parses; the action saves (the instance is never saved by the form).
    form = ProcessForm(
        request.POST or None, instance=Process() if process is None else Process.objects.get(pk=process.pk)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        with reported(request, form=form, on_fields=False) as outcome:
            if process is None:
                title, new_slug = data.pop("title"), data.pop("slug")
                process = process_actions.create_process(actor=request.user, title=title, slug=new_slug, **data)
            else:
                data.pop("slug")
                process = process_actions.update_process(actor=request.user, process=process, **data)
        if outcome.ok:
            messages.success(request, "Process saved.")
            return redirect(process)
    status = 400 if request.method == "POST" else 200
    return render(request, "elections/process_edit.html", {"form": form, "process": process}, status=status)
