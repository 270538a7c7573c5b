import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from leveller.events.actions import courses as course_actions
from leveller.events.actions import rsvps as rsvp_actions
from leveller.events.models import Rsvp


@pytest.fixture
def course(staff, make_event):
    course = course_actions.create_course(
        actor=staff,
        title="Future Councillors' Programme",
        questions=["Why do you want to stand?", "Which ward?"],
        completion_threshold=2,
    )
    for n in range(1, 4):
        make_event(course=course, title=f"Workshop {n}", hours=24 * n, capacity=20)
    return course


def test_an_accepted_applicant_is_rsvpd_to_every_session_and_emailed(course, staff, member, mailoutbox, run_on_commit):
    application = course_actions.apply_to_course(actor=member, course=course, answers=["To win", "Harlesden"])
    with run_on_commit():
        course_actions.decide_application(actor=staff, application=application, accept=True, note="Welcome!")
    assert Rsvp.objects.filter(member=member, event__course=course, status="going").count() == 3
    decision = [m for m in mailoutbox if m.to == [member.email] and "place on" in m.subject]
    assert decision and "Welcome!" in decision[0].body and "Workshop 3" in decision[0].body


def test_declining_needs_a_note_and_sends_it(course, staff, member, mailoutbox, run_on_commit):
    application = course_actions.apply_to_course(actor=member, course=course, answers=["To win", "Harlesden"])
    with pytest.raises(ValidationError):
        course_actions.decide_application(actor=staff, application=application, accept=False)
    with run_on_commit():
        course_actions.decide_application(actor=staff, application=application, accept=False, note="Next cohort")
    assert any("Next cohort" in m.body for m in mailoutbox if m.to == [member.email])
    assert not Rsvp.objects.filter(member=member).exists()


def test_every_question_must_be_answered_and_only_once(course, member):
    with pytest.raises(ValidationError, match="Answer every question"):
        course_actions.apply_to_course(actor=member, course=course, answers=["To win", "  "])
    course_actions.apply_to_course(actor=member, course=course, answers=["To win", "Harlesden"])
    with pytest.raises(ValidationError, match="already applied"):
        course_actions.apply_to_course(actor=member, course=course, answers=["Again", "Again"])


def test_only_staff_decide(course, member, organiser):
    application = course_actions.apply_to_course(actor=member, course=course, answers=["a", "b"])
    with pytest.raises(PermissionDenied):
        course_actions.decide_application(actor=organiser, application=application, accept=True)


def test_attending_enough_sessions_graduates_into_the_alumni_group(course, staff, member, monkeypatch):
    from leveller.groups.models import GroupMembership

    application = course_actions.apply_to_course(actor=member, course=course, answers=["a", "b"])
    course_actions.decide_application(actor=staff, application=application, accept=True)
    sessions = list(course.sessions.order_by("starts_at"))
    later = timezone.now() + dt.timedelta(days=10)
    monkeypatch.setattr("leveller.core.clock.now", lambda: later)
    rsvp_actions.take_attendance(actor=staff, event=sessions[0], attended={member.pk: True})
    application.refresh_from_db()
    assert application.completed_at is None
    rsvp_actions.take_attendance(actor=staff, event=sessions[1], attended={member.pk: True})
    application.refresh_from_db()
    assert application.completed_at is not None
    assert course.alumni_group.kind == "alumni"
    assert GroupMembership.objects.filter(group=course.alumni_group, member=member).exists()


def test_review_page_is_for_staff_only(client, course, member, staff):
    client.force_login(member)
    assert client.get(f"/courses/{course.slug}/applications/").status_code == 403
    client.force_login(staff)
    assert client.get(f"/courses/{course.slug}/applications/").status_code == 200
