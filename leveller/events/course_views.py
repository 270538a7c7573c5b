"""Course pages: the programme, the application form, and staff review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from leveller.core.access import require_staff
from leveller.core.page_errors import reported
from leveller.events import access
from leveller.events.actions import courses as courses_actions
from leveller.events.forms import ApplicationForm, CourseForm, DecisionForm
from leveller.events.models import ApplicationStatus, Course, CourseApplication, Event
from leveller.events.presenters import when


@login_required
def course_list(request):
    courses = Course.objects.all()
    mine = {a.course_id: a for a in CourseApplication.objects.filter(member=request.user)}
    rows = [{"course": c, "application": mine.get(c.pk)} for c in courses]
    return render(request, "events/courses.html", {"rows": rows})


def _course_context(request, course: Course, form=None) -> dict:
    application = CourseApplication.objects.filter(course=course, member=request.user).first()
    sessions = Event.objects.visible_to(request.user).filter(course=course).order_by("starts_at")
    can_apply = course.applications_open and (application is None or application.status == ApplicationStatus.WITHDRAWN)
    return {
        "course": course,
        "application": application,
        "attended": courses_actions.sessions_attended(course, request.user.pk) if application else 0,
        "sessions": [{"event": s, "when": when(s, request.user)} for s in sessions],
        "form": form or (ApplicationForm(questions=course.questions) if can_apply else None),
        "pending_count": course.applications.filter(status=ApplicationStatus.PENDING).count()
        if request.user.is_staff_member
        else None,
    }


@login_required
def course_detail(request, slug: str):
    course = access.visible_course(request.user, slug)
    return render(request, "events/course.html", _course_context(request, course))


@login_required
@require_POST
def course_apply(request, slug: str):
    course = access.visible_course(request.user, slug)
    form = ApplicationForm(request.POST, questions=course.questions)
    if form.is_valid():
        with reported(request, form=form) as outcome:
            courses_actions.apply_to_course(actor=request.user, course=course, answers=form.answers())
        if outcome.ok:
            messages.success(request, "Thank you: your application is in. We'll email you when it has been read.")
            return redirect(course)
    return render(request, "events/course.html", _course_context(request, course, form), status=400)


@login_required
@require_POST
def course_withdraw(request, slug: str):
    course = access.visible_course(request.user, slug)
    application = CourseApplication.objects.filter(course=course, member=request.user).first()
    if application is not None:
        courses_actions.withdraw_application(actor=request.user, application=application)
        messages.success(request, "Your application is withdrawn.")
    return redirect(course)


@login_required
@require_http_methods(["GET", "POST"])
def course_new(request):
    require_staff(request.user)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form) as outcome:
            course = courses_actions.create_course(
                actor=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                questions=form.question_list(),
                completion_threshold=form.cleaned_data["completion_threshold"],
            )
        if outcome.ok:
            messages.success(request, "The course is created. Now add its sessions.")
            return redirect(course)
    return render(request, "events/course_form.html", {"form": form})


@login_required
def course_review(request, slug: str):
    require_staff(request.user)
    course = access.visible_course(request.user, slug)
    applications = course.applications.select_related("member", "decided_by").order_by("status", "submitted_at")
    rows = [
        {"application": a, "attended": courses_actions.sessions_attended(course, a.member_id), "form": DecisionForm()}
        for a in applications
    ]
    return render(request, "events/course_review.html", {"course": course, "rows": rows})


@login_required
@require_POST
def application_decide(request, application_id: int):
    application = access.reviewable_application(request.user, application_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or decline.")
    else:
        with reported(request, flash=False) as outcome:
            courses_actions.decide_application(
                actor=request.user,
                application=application,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
            )
        if not outcome.ok:
            messages.error(request, f"{application.member}: {outcome.text}")
        else:
            verb = "accepted" if form.cleaned_data["decision"] == "accept" else "declined"
            messages.success(request, f"{application.member} is {verb} and has been emailed.")
    return redirect("events:course_review", application.course.slug)
