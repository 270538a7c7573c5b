"""The course pages as people use them: a member applies, sees where their application stands and withdraws; staff
create a course, review applications and decide them. Bad input gets a clear error and keeps what was typed; members
never reach the staff pages."""

from __future__ import annotations

import html

import pytest

from leveller.events.actions import courses as course_actions
from leveller.events.models import ApplicationStatus, Course, CourseApplication, Rsvp, RsvpStatus

QUESTIONS = ["Why do you want to stand?", "Which ward?"]


@pytest.fixture
def course(staff, make_event):
    course = course_actions.create_course(
        actor=staff, title="Future Councillors", description="Six evenings on standing.", questions=QUESTIONS
    )
    make_event(course=course, title="Workshop 1", hours=24, capacity=20)
    return course


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_member_sees_the_course_list_with_where_their_application_stands(client, course, member, staff):
    closed = course_actions.create_course(actor=staff, title="Closed course", applications_open=False)
    client.force_login(member)
    page = text(client.get("/courses/"))
    assert "Future Councillors" in page and "Applications open" in page and "Applications closed" in page
    assert "Create a course" not in page
    course_actions.apply_to_course(actor=member, course=course, answers=["To serve", "Harlesden"])
    assert "Your application: Awaiting a decision" in text(client.get("/courses/"))
    assert closed.title in text(client.get("/courses/"))


def test_a_member_applies_through_the_form_and_is_thanked(client, course, member, mailoutbox, run_on_commit):
    client.force_login(member)
    form = text(client.get(f"/courses/{course.slug}/"))
    assert "Why do you want to stand?" in form and "Workshop 1" in form and "Review applications" not in form
    with run_on_commit():
        response = client.post(
            f"/courses/{course.slug}/apply/", {"answer_0": "To serve my ward", "answer_1": "Harlesden"}, follow=True
        )
    page = text(response)
    assert "Thank you: your application is in." in page and "Awaiting a decision" in page
    application = CourseApplication.objects.get(course=course, member=member)
    assert application.answers == [
        {"question": "Why do you want to stand?", "answer": "To serve my ward"},
        {"question": "Which ward?", "answer": "Harlesden"},
    ]
    assert [m.to for m in mailoutbox] == [[member.email]]


def test_an_unanswered_question_is_flagged_and_the_other_answer_is_kept(client, course, member):
    client.force_login(member)
    response = client.post(f"/courses/{course.slug}/apply/", {"answer_0": "To serve my ward", "answer_1": ""})
    assert response.status_code == 400
    assert "This field is required." in text(response) and "To serve my ward" in text(response)
    assert not CourseApplication.objects.exists()


def test_applying_twice_from_a_stale_tab_is_refused_with_a_reason(client, course, member):
    course_actions.apply_to_course(actor=member, course=course, answers=["To serve", "Harlesden"])
    client.force_login(member)
    response = client.post(f"/courses/{course.slug}/apply/", {"answer_0": "Again", "answer_1": "Again"})
    assert response.status_code == 400 and "You have already applied to this course." in text(response)
    assert CourseApplication.objects.get().answers[0]["answer"] == "To serve"


def test_a_member_withdraws_and_can_then_apply_again(client, course, member):
    course_actions.apply_to_course(actor=member, course=course, answers=["To serve", "Harlesden"])
    client.force_login(member)
    response = client.post(f"/courses/{course.slug}/withdraw/", follow=True)
    assert "Your application is withdrawn." in text(response)
    assert CourseApplication.objects.get().status == ApplicationStatus.WITHDRAWN
    assert "Send my application" in text(response)
    response = client.post(f"/courses/{course.slug}/withdraw/", follow=True)  # nothing left to withdraw
    assert response.status_code == 200


def test_withdrawing_without_an_application_changes_nothing(client, course, outsider):
    client.force_login(outsider)
    response = client.post(f"/courses/{course.slug}/withdraw/", follow=True)
    assert response.status_code == 200 and "Your application is withdrawn." not in text(response)
    assert not CourseApplication.objects.exists()


def test_an_unknown_course_is_a_404(client, member):
    client.force_login(member)
    assert client.get("/courses/no-such-course/").status_code == 404
    assert client.post("/courses/no-such-course/apply/", {}).status_code == 404


def test_staff_create_a_course_and_are_sent_to_it(client, staff):
    client.force_login(staff)
    assert client.get("/courses/new/").status_code == 200
    response = client.post(
        "/courses/new/",
        {
            "title": "Organising 101",
            "description": "Basics",
            "questions": "Why?\n\nWhere?\n",
            "completion_threshold": "2",
        },
        follow=True,
    )
    assert "The course is created. Now add its sessions." in text(response)
    course = Course.objects.get(title="Organising 101")
    assert course.questions == ["Why?", "Where?"] and course.completion_threshold == 2
    assert course.alumni_group.name == "Organising 101 alumni"


def test_a_course_with_too_long_a_question_is_refused_and_the_form_kept(client, staff):
    client.force_login(staff)
    response = client.post(
        "/courses/new/",
        {"title": "Organising 101", "questions": "x" * 600, "completion_threshold": "1"},
    )
    assert response.status_code == 200
    assert "Keep each question under 500 characters." in text(response) and "Organising 101" in text(response)
    assert not Course.objects.exists()


def test_members_cannot_create_courses_or_review_and_decide_applications(client, course, member, outsider):
    application = course_actions.apply_to_course(actor=member, course=course, answers=["To serve", "Harlesden"])
    client.force_login(outsider)
    assert client.get("/courses/new/").status_code == 403
    assert client.post("/courses/new/", {"title": "Mine", "completion_threshold": "1"}).status_code == 403
    assert client.get(f"/courses/{course.slug}/applications/").status_code == 403
    response = client.post(f"/courses/applications/{application.pk}/decide/", {"decision": "accept"})
    assert response.status_code == 404 and "To serve" not in text(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert not Course.objects.filter(title="Mine").exists()


def test_staff_review_answers_and_accept_an_applicant_onto_every_session(client, course, member, staff):
    application = course_actions.apply_to_course(actor=member, course=course, answers=["To serve", "Harlesden"])
    client.force_login(staff)
    assert "Review applications (1 waiting)" in text(client.get(f"/courses/{course.slug}/"))
    review = text(client.get(f"/courses/{course.slug}/applications/"))
    assert "Mo Member" in review and "Which ward?" in review and "Harlesden" in review
    response = client.post(
        f"/courses/applications/{application.pk}/decide/", {"decision": "accept", "note": "Welcome!"}, follow=True
    )
    assert "Mo Member is accepted and has been emailed." in text(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED and application.decided_by == staff
    assert Rsvp.objects.filter(member=member, event__course=course, status=RsvpStatus.GOING).count() == 1
    client.force_login(member)
    page = text(client.get(f"/courses/{course.slug}/"))
    assert "Note from the organisers: Welcome!" in page and "Sessions attended: 0 of 1 needed" in page


def test_declining_without_a_note_is_explained_and_the_application_waits(client, course, member, staff):
    application = course_actions.apply_to_course(actor=member, course=course, answers=["To serve", "Harlesden"])
    client.force_login(staff)
    url = f"/courses/applications/{application.pk}/decide/"
    response = client.post(url, {"decision": "decline", "note": ""}, follow=True)
    assert "Mo Member: Add a note for the applicant saying why." in text(response)
    response = client.post(url, {"decision": "maybe"}, follow=True)
    assert "Choose accept or decline." in text(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    response = client.post(url, {"decision": "decline", "note": "Full this year"}, follow=True)
    assert "Mo Member is declined and has been emailed." in text(response)
    assert client.post("/courses/applications/999999/decide/", {"decision": "accept"}).status_code == 404
