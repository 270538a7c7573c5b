"""Editors' pages: dashboard, compose (ordered sections with htmx), preview, schedule/publish, send progress,
subscribers and import, the question of the month."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from leveller.core.page_errors import reported
from leveller.newsletter import content, emails, sending
from leveller.newsletter.access import require_editor
from leveller.newsletter.actions import issues as issue_actions
from leveller.newsletter.actions import voices
from leveller.newsletter.forms import (
    ImageForm,
    IssueForm,
    NewSectionForm,
    ScheduleForm,
    SectionForm,
)
from leveller.newsletter.models import (
    DeliveryState,
    Issue,
    Question,
    Section,
    Subscriber,
)


def editor_page(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_editor(request.user)
        return view(request, *args, **kwargs)

    return wrapper


@editor_page
def dashboard(request):
    issues = Issue.objects.annotate(
        recipients=Count("deliveries"),
        delivered=Count("deliveries", filter=Q(deliveries__state=DeliveryState.SENT)),
        bounced=Count("deliveries", filter=Q(deliveries__state=DeliveryState.BOUNCED)),
    ).order_by("-created_at")[:100]
    unsubscribed = dict(
        Subscriber.objects.filter(unsubscribed_after__isnull=False)
        .values_list("unsubscribed_after")
        .annotate(n=Count("id"))
        .order_by()
    )
    for issue in issues:
        issue.unsubscribed = unsubscribed.get(issue.pk, 0)
    subscribers = dict(Subscriber.objects.values_list("status").annotate(n=Count("id")).order_by())
    return render(
        request,
        "newsletter/manage/dashboard.html",
        {"issues": issues, "subscribers": subscribers, "question": voices.open_question(), "form": IssueForm()},
    )


@editor_page
@require_POST
def issue_new(request):
    form = IssueForm(request.POST)
    if form.is_valid():
        with reported(request) as outcome:
            issue = issue_actions.create_issue(actor=request.user, **form.cleaned_data)
        if outcome.ok:
            return redirect("newsletter:compose", issue.pk)
    else:
        messages.error(request, "Give the issue a title.")
    return redirect("newsletter:dashboard")


def _issue(request, issue_id: int) -> Issue:
    require_editor(request.user)
    return get_object_or_404(Issue, pk=issue_id)


def _compose_context(issue: Issue, **extra) -> dict:
    sections = list(issue.sections.select_related("question").order_by("position", "id"))
    for section in sections:
        section.answers = content.chosen_answers(section)
    return {
        "issue": issue,
        "sections": sections,
        "new_section_form": NewSectionForm(),
        "image_form": ImageForm(),
        "schedule_form": ScheduleForm(),
        "images": issue.images.all(),
        "groups": content.spotlight_choices(),
        "questions": Question.objects.exclude(status="draft")[:20],
        "site_url": settings.SITE_URL,
        **extra,
    }


@editor_page
@require_http_methods(["GET", "POST"])
def compose(request, issue_id: int):
    issue = _issue(request, issue_id)
    form = IssueForm(request.POST or None, initial={"title": issue.title, "summary": issue.summary})
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form, field="title") as outcome:
            issue_actions.update_issue(actor=request.user, issue=issue, **form.cleaned_data)
        if outcome.ok:
            messages.success(
                request, "Saved." + (" The email already sent is unchanged." if issue.is_published else "")
            )
            return redirect("newsletter:compose", issue.pk)
    return render(request, "newsletter/manage/compose.html", _compose_context(issue, form=form))


def _sections_fragment(request, issue: Issue, **extra):
    return render(request, "newsletter/manage/_sections.html", _compose_context(issue, **extra))


@editor_page
@require_POST
def section_add(request, issue_id: int):
    issue = _issue(request, issue_id)
    form = NewSectionForm(request.POST)
    error = ""
    if form.is_valid():
        with reported(request, flash=False) as outcome:
            issue_actions.add_section(actor=request.user, issue=issue, kind=form.cleaned_data["kind"])
        error = outcome.text or error
    else:
        error = "Choose a kind of section."
    if request.htmx:
        return _sections_fragment(request, issue, section_error=error)
    if error:
        messages.error(request, error)
    return redirect("newsletter:compose", issue.pk)


def _section(request, section_id: int) -> Section:
    require_editor(request.user)
    return get_object_or_404(Section.objects.select_related("issue"), pk=section_id)


@editor_page
@require_POST
def section_save(request, section_id: int):
    section = _section(request, section_id)
    form = SectionForm(request.POST)
    error, saved = "", False
    if form.is_valid():
        data = form.cleaned_data
        question = Question.objects.filter(pk=data["question_id"]).first() if data["question_id"] else None
        with reported(request, flash=False) as outcome:
            issue_actions.update_section(
                actor=request.user,
                section=section,
                heading=data["heading"],
                body=data["body"],
                group_id=data["group_id"] if "group_id" in request.POST else None,
                question=question,
            )
            saved = True
        error = outcome.text
    else:
        error = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
    if request.htmx:
        section.refresh_from_db()
        section.answers = content.chosen_answers(section)
        context = _compose_context(
            section.issue,
            section=section,
            error=error,
            saved=saved,
            draft_heading=request.POST.get("heading"),
            draft_body=request.POST.get("body"),
        )
        return render(request, "newsletter/manage/_section.html", context)
    if error:
        messages.error(request, error)
    return redirect("newsletter:compose", section.issue_id)


@editor_page
@require_POST
def section_move(request, section_id: int):
    section = _section(request, section_id)
    with reported(request, flash=not request.htmx) as outcome:
        issue_actions.move_section(actor=request.user, section=section, direction=request.POST.get("direction", ""))
    if request.htmx:
        return _sections_fragment(request, section.issue, moved=section.pk, section_error=outcome.text)
    return redirect("newsletter:compose", section.issue_id)


@editor_page
@require_POST
def section_remove(request, section_id: int):
    section = _section(request, section_id)
    issue = section.issue
    issue_actions.remove_section(actor=request.user, section=section)
    if request.htmx:
        return _sections_fragment(request, issue)
    return redirect("newsletter:compose", issue.pk)


@editor_page
@require_POST
def image_upload(request, issue_id: int):
    issue = _issue(request, issue_id)
    form = ImageForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        with reported(request, flash=False) as outcome:
            issue_actions.add_image(
                actor=request.user, issue=issue, upload=form.cleaned_data["image"], alt=form.cleaned_data["alt"]
            )
        error = outcome.text
    else:
        error = "Choose a picture and describe it."
    if request.htmx:
        return render(
            request,
            "newsletter/manage/_images.html",
            {"issue": issue, "images": issue.images.all(), "image_form": ImageForm(), "image_error": error},
        )
    if error:
        messages.error(request, error)
    return redirect("newsletter:compose", issue.pk)


@editor_page
def preview(request, issue_id: int):
    issue = _issue(request, issue_id)
    return render(
        request,
        "newsletter/issue.html",
        {"issue": issue, "blocks": content.blocks(issue), "preview": True, "is_editor": True},
    )


@editor_page
def preview_email(request, issue_id: int):
    issue = _issue(request, issue_id)
    if issue.is_published and issue.email_html:
        subject, html, text = issue.email_subject, issue.email_html, issue.email_text
    else:
        subject, html, text = emails.render_snapshot(issue)
    fake = Issue(pk=issue.pk, email_subject=subject, email_html=html, email_text=text)
    message = emails.Personaliser.for_issue(fake).message(
        subscriber_id=0, email=request.user.email, name=request.user.display_name
    )
    return render(
        request,
        "newsletter/manage/preview_email.html",
        {
            "issue": issue,
            "message": message,
            "html": message.alternatives[0][0],
            "text": message.body,
            "list_unsubscribe": message.extra_headers["List-Unsubscribe"],
        },
    )


@editor_page
@require_POST
def send_test(request, issue_id: int):
    issue = _issue(request, issue_id)
    issue_actions.send_test(actor=request.user, issue=issue)
    messages.success(request, f"A preview is on its way to {request.user.email}.")
    return redirect("newsletter:preview_email", issue.pk)


@editor_page
@require_POST
def publish(request, issue_id: int):
    issue = _issue(request, issue_id)
    with reported(request) as outcome:
        issue_actions.publish_issue(actor=request.user, issue=issue, email=request.POST.get("email", "1") == "1")
    if not outcome.ok:
        return redirect("newsletter:compose", issue.pk)
    messages.success(request, "Published.")
    return redirect("newsletter:progress", issue.pk)


@editor_page
@require_POST
def schedule(request, issue_id: int):
    issue = _issue(request, issue_id)
    if request.POST.get("cancel"):
        issue_actions.unschedule_issue(actor=request.user, issue=issue)
        messages.success(request, "No longer scheduled: it is a draft again.")
        return redirect("newsletter:compose", issue.pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a date and time to publish.")
        return redirect("newsletter:compose", issue.pk)
    with reported(request) as outcome:
        issue_actions.schedule_issue(actor=request.user, issue=issue, publish_at=form.cleaned_data["publish_at"])
    if outcome.ok:
        local = timezone.localtime(issue.publish_at)
        messages.success(request, f"Scheduled for {local:%-d %B %Y at %H:%M}.")
    return redirect("newsletter:compose", issue.pk)


def _progress_context(issue: Issue) -> dict:
    counts = sending.counts(issue.pk)
    done = counts["recipients"] - counts["pending"] - counts["sending"]
    stalled = (
        issue.send_status in {"sending", "paused"}
        and counts["pending"] > 0
        and (issue.send_lease_until is None or issue.send_lease_until < timezone.now())
    )
    return {
        "issue": issue,
        "counts": counts,
        "done": done,
        "percent": round(100 * done / counts["recipients"]) if counts["recipients"] else 100,
        "unsubscribed": Subscriber.objects.filter(unsubscribed_after=issue).count(),
        "stalled": stalled,
        "failures": issue.deliveries.exclude(last_error="").select_related("subscriber").order_by("-id")[:20],
    }


@editor_page
def progress(request, issue_id: int):
    issue = _issue(request, issue_id)
    template = "newsletter/manage/_progress.html" if request.htmx else "newsletter/manage/progress.html"
    return render(request, template, _progress_context(issue))


@editor_page
@require_POST
def resume(request, issue_id: int):
    issue = _issue(request, issue_id)
    if request.POST.get("unknown"):
        count = issue_actions.resend_unknown(actor=request.user, issue=issue)
        messages.success(request, f"Resending to {count} recipients whose message was interrupted.")
    else:
        issue_actions.resume_send(actor=request.user, issue=issue)
        messages.success(request, "Sending resumed.")
    return redirect("newsletter:progress", issue.pk)
