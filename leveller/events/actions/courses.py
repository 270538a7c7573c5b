"""Every change to courses and applications: apply, decide, RSVP the accepted, graduate the finishers."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from leveller.core import audit
from leveller.core.access import require_member, require_staff
from leveller.core.mail import send_templated
from leveller.events.models import ApplicationStatus, Course, CourseApplication, EventStatus, Rsvp, RsvpStatus
from leveller.realtime.publish import publish

MAX_QUESTIONS = 20
MAX_ANSWER = 4000


def _clean_questions(questions) -> list[str]:
    cleaned = [q.strip() for q in (questions or []) if isinstance(q, str) and q.strip()]
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError({"questions": f"An application form has at most {MAX_QUESTIONS} questions."})
    if any(len(q) > 500 for q in cleaned):
        raise ValidationError({"questions": "Keep each question under 500 characters."})
    return cleaned


def _unique_slug(title: str) -> str:
    base = slugify(title)[:140] or "course"
    slug, n = base, 2
    while Course.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_course(
    *,
    actor,
    title: str,
    description: str = "",
    questions=(),
    completion_threshold: int = 1,
    alumni_group=None,
    applications_open: bool = True,
) -> Course:
    """Staff create a course; without an alumni group given, one is created for its graduates."""
    require_staff(actor)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the course a title."})
    if completion_threshold < 1:
        raise ValidationError({"completion_threshold": "A participant must attend at least one session."})
    if alumni_group is not None and alumni_group.kind != "alumni":
        raise ValidationError({"alumni_group": "Choose a group of kind “alumni”."})
    if alumni_group is None:
        from leveller.groups.actions.groups import create_group

        alumni_group = create_group(
            actor=actor,
            name=f"{title} alumni",
            kind="alumni",
            description=f"Graduates of {title}.",
        )
    course = Course(
        title=title,
        slug=_unique_slug(title),
        description=description.strip(),
        questions=_clean_questions(questions),
        completion_threshold=completion_threshold,
        alumni_group=alumni_group,
        applications_open=applications_open,
        created_by=actor,
    )
    course.full_clean()
    course.save()
    audit.record(actor=actor, action="course.created", target=course, summary=title)
    return course


@transaction.atomic
def apply_to_course(*, actor, course: Course, answers: list[str]) -> CourseApplication:
    """A member applies, answering every question. Applying again after a withdrawal reopens the application."""
    require_member(actor)
    if getattr(actor, "is_guest", False):
        raise PermissionDenied("Guests cannot apply to courses.")
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not course.applications_open:
        raise ValidationError("Applications for this course are closed.")
    questions = course.questions or []
    answers = [(a or "").strip() for a in answers]
    if len(answers) != len(questions) or any(not a for a in answers):
        raise ValidationError("Answer every question on the form.")
    if any(len(a) > MAX_ANSWER for a in answers):
        raise ValidationError(f"Keep each answer under {MAX_ANSWER} characters.")
    pairs = [{"question": q, "answer": a} for q, a in zip(questions, answers, strict=True)]
    existing = CourseApplication.objects.select_for_update().filter(course=course, member=actor).first()
    if existing is not None and existing.status != ApplicationStatus.WITHDRAWN:
        raise ValidationError("You have already applied to this course.")
    if existing is None:
        application = CourseApplication.objects.create(course=course, member=actor, answers=pairs)
    else:
        existing.answers, existing.status, existing.submitted_at = pairs, ApplicationStatus.PENDING, timezone.now()
        existing.decided_by, existing.decided_at, existing.note = None, None, ""
        existing.save()
        application = existing
    audit.record(actor=actor, action="course.applied", target=course)
    send_templated(
        to=actor.email,
        template="events/email/application_received",
        context={"member": actor, "course": course, "link": settings.SITE_URL + course.get_absolute_url()},
    )
    return application


@transaction.atomic
def withdraw_application(*, actor, application: CourseApplication) -> CourseApplication:
    if application.member_id != actor.pk:
        raise PermissionDenied("You can only withdraw your own application.")
    application = CourseApplication.objects.select_for_update().get(pk=application.pk)
    if application.status == ApplicationStatus.WITHDRAWN:
        return application
    was_accepted = application.status == ApplicationStatus.ACCEPTED
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status"])
    if was_accepted:
        from leveller.events.actions.rsvps import cancel_rsvp

        for session in _upcoming_sessions(application.course):
            cancel_rsvp(actor=actor, event=session)
    audit.record(actor=actor, action="course.withdrawn", target=application.course)
    return application


def _upcoming_sessions(course: Course):
    return course.sessions.filter(status=EventStatus.PUBLISHED, ends_at__gt=timezone.now()).order_by("starts_at")


@transaction.atomic
def decide_application(*, actor, application: CourseApplication, accept: bool, note: str = "") -> CourseApplication:
    """Staff accept or decline, with a note emailed to the applicant. Accepting RSVPs them to every upcoming
    session (on the waitlist where a session is full)."""
    require_staff(actor)
    application = (
        CourseApplication.objects.select_for_update(of=("self",))
        .select_related("course", "member")
        .get(pk=application.pk)
    )
    if application.status == ApplicationStatus.WITHDRAWN:
        raise ValidationError("The applicant withdrew this application.")
    if not accept and not note.strip():
        raise ValidationError({"note": "Add a note for the applicant saying why."})
    application.status = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.DECLINED
    application.decided_by, application.decided_at, application.note = actor, timezone.now(), note.strip()[:2000]
    application.save(update_fields=["status", "decided_by", "decided_at", "note"])
    member = application.member
    sessions = []
    if accept:
        from leveller.events.actions.rsvps import rsvp

        sessions = [rsvp(actor=member, event=session) for session in _upcoming_sessions(application.course)]
    send_templated(
        to=member.email,
        template="events/email/application_decided",
        context={
            "member": member,
            "course": application.course,
            "accepted": accept,
            "note": application.note,
            "sessions": [r.event for r in sessions],
            "link": settings.SITE_URL + application.course.get_absolute_url(),
        },
    )
    audit.record(
        actor=actor,
        action="course.accepted" if accept else "course.declined",
        target=application.course,
        data={"member": member.pk},
    )
    publish(
        streams=[f"user-{member.pk}"],
        type="course.decided",
        payload={"course_id": application.course_id, "accepted": accept},
    )
    return application


def sessions_attended(course: Course, member_id: int) -> int:
    return Rsvp.objects.filter(
        event__course=course, event__status=EventStatus.PUBLISHED, member_id=member_id, attended=True
    ).count()


@transaction.atomic
def check_completion(*, actor, course: Course, member_ids: list[int]) -> list[CourseApplication]:
    """Graduate accepted participants who have attended enough sessions: they join the alumni group."""
    graduated = []
    applications = CourseApplication.objects.select_for_update().filter(
        course=course, member_id__in=member_ids, status=ApplicationStatus.ACCEPTED, completed_at__isnull=True
    )
    for application in applications.select_related("member"):
        if sessions_attended(course, application.member_id) < course.completion_threshold:
            continue
        application.completed_at = timezone.now()
        application.save(update_fields=["completed_at"])
        graduated.append(application)
        if course.alumni_group_id is not None:
            from leveller.groups.actions.groups import add_group_member

            add_group_member(actor=actor, group=course.alumni_group, member=application.member)
        send_templated(
            to=application.member.email,
            template="events/email/graduated",
            context={"member": application.member, "course": course},
        )
        audit.record(actor=actor, action="course.completed", target=course, data={"member": application.member_id})
    return graduated


def participants_going(course: Course):
    return Rsvp.objects.filter(event__course=course, status=RsvpStatus.GOING)
