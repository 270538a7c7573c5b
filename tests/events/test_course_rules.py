"""The rules of courses a member or staff member meets: what a course needs, who may apply and how, reapplying
after a withdrawal, withdrawing an accepted place (which gives the session places back), and no decision on a
withdrawn application. Each refusal says why and changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leveller.events.actions import courses as course_actions
from leveller.events.models import ApplicationStatus, Course, CourseApplication, Rsvp, RsvpStatus
from tests.support.personas import make_member

QUESTIONS = ["Why do you want to stand?", "Which ward?"]
ANSWERS = ["To serve my ward", "Harlesden"]


@pytest.fixture
def course(staff, make_event):
    course = course_actions.create_course(actor=staff, title="Future Councillors", questions=QUESTIONS)
    for n in (1, 2):
        make_event(course=course, title=f"Workshop {n}", hours=24 * n, capacity=20)
    return course


def test_a_course_needs_a_title_a_sensible_threshold_and_a_short_form(staff):
    with pytest.raises(ValidationError, match="Give the course a title"):
        course_actions.create_course(actor=staff, title="  ")
    with pytest.raises(ValidationError, match="attend at least one session"):
        course_actions.create_course(actor=staff, title="Organising", completion_threshold=0)
    with pytest.raises(ValidationError, match="at most 20 questions"):
        course_actions.create_course(actor=staff, title="Organising", questions=[f"Q{n}?" for n in range(21)])
    with pytest.raises(ValidationError, match="under 500 characters"):
        course_actions.create_course(actor=staff, title="Organising", questions=["x" * 501])
    assert not Course.objects.exists()


def test_only_staff_create_courses(member, organiser):
    for person in (member, organiser):
        with pytest.raises(PermissionDenied):
            course_actions.create_course(actor=person, title="My course")
    assert not Course.objects.exists()


def test_a_course_uses_an_existing_alumni_group_but_not_a_local_one(staff):
    from leveller.groups.actions import groups as group_actions

    alumni = group_actions.create_group(actor=staff, name="Councillor alumni", kind="alumni")
    local = group_actions.create_group(actor=staff, name="Brent Left", kind="local", districts=["NW10"])
    with pytest.raises(ValidationError, match="Choose a group of kind “alumni”"):
        course_actions.create_course(actor=staff, title="Organising", alumni_group=local)
    course = course_actions.create_course(actor=staff, title="Organising", alumni_group=alumni)
    assert course.alumni_group == alumni


def test_two_courses_with_the_same_title_get_different_addresses(staff):
    first = course_actions.create_course(actor=staff, title="Organising 101")
    second = course_actions.create_course(actor=staff, title="Organising 101", alumni_group=first.alumni_group)
    third = course_actions.create_course(actor=staff, title="Organising 101", alumni_group=first.alumni_group)
    assert [first.slug, second.slug, third.slug] == ["organising-101", "organising-101-2", "organising-101-3"]


def test_a_guest_cannot_apply_and_nobody_applies_to_a_closed_course(course, staff):
    guest = make_member("Gus Guest", "guest@example.org", roles=["guest"], password=None)
    with pytest.raises(PermissionDenied, match="Guests cannot apply to courses"):
        course_actions.apply_to_course(actor=guest, course=course, answers=ANSWERS)
    Course.objects.filter(pk=course.pk).update(applications_open=False)
    member = make_member("Mia Member", "mia@example.org", password=None)
    with pytest.raises(ValidationError, match="Applications for this course are closed"):
        course_actions.apply_to_course(actor=member, course=course, answers=ANSWERS)
    assert not CourseApplication.objects.exists()


def test_an_overlong_answer_is_refused(course, member):
    with pytest.raises(ValidationError, match="under 4000 characters"):
        course_actions.apply_to_course(actor=member, course=course, answers=["x" * 4001, "Harlesden"])
    assert not CourseApplication.objects.exists()


def test_a_withdrawn_applicant_reapplies_and_the_application_starts_afresh(course, member, staff):
    first = course_actions.apply_to_course(actor=member, course=course, answers=ANSWERS)
    course_actions.decide_application(actor=staff, application=first, accept=False, note="Try next year")
    course_actions.withdraw_application(actor=member, application=first)
    again = course_actions.apply_to_course(actor=member, course=course, answers=["Still keen", "Stonebridge"])
    assert again.pk == first.pk and CourseApplication.objects.count() == 1
    assert again.status == ApplicationStatus.PENDING and again.decided_by is None and again.note == ""
    assert again.answers[1] == {"question": "Which ward?", "answer": "Stonebridge"}


def test_only_the_applicant_withdraws_and_withdrawing_twice_is_harmless(course, member, outsider):
    application = course_actions.apply_to_course(actor=member, course=course, answers=ANSWERS)
    with pytest.raises(PermissionDenied, match="only withdraw your own application"):
        course_actions.withdraw_application(actor=outsider, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    course_actions.withdraw_application(actor=member, application=application)
    again = course_actions.withdraw_application(actor=member, application=application)
    assert again.status == ApplicationStatus.WITHDRAWN


def test_withdrawing_an_accepted_place_gives_the_session_places_back(course, member, staff):
    application = course_actions.apply_to_course(actor=member, course=course, answers=ANSWERS)
    course_actions.decide_application(actor=staff, application=application, accept=True)
    assert course_actions.participants_going(course).filter(member=member).count() == 2
    course_actions.withdraw_application(actor=member, application=application)
    assert not course_actions.participants_going(course).exists()
    assert set(Rsvp.objects.filter(member=member).values_list("status", flat=True)) == {RsvpStatus.CANCELLED}


def test_staff_cannot_decide_a_withdrawn_application(course, member, staff):
    application = course_actions.apply_to_course(actor=member, course=course, answers=ANSWERS)
    course_actions.withdraw_application(actor=member, application=application)
    with pytest.raises(ValidationError, match="The applicant withdrew this application"):
        course_actions.decide_application(actor=staff, application=application, accept=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN and application.decided_by is None
    assert not Rsvp.objects.filter(member=member).exists()
