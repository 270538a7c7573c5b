"""The question of the month: members answer in up to 200 words; editors choose; answers print with consent."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leveller.newsletter.actions import issues as issue_actions
from leveller.newsletter.actions import voices
from leveller.newsletter.models import Answer, AnswerStatus
from tests.newsletter.conftest import make_issue


@pytest.fixture
def question(editor):
    return voices.create_question(actor=editor, text="What first brought you to organising?", open_now=True)


def test_an_answer_over_200_words_is_refused_with_a_clear_message_and_the_text_is_kept(member, client, question):
    client.force_login(member)
    long_answer = " ".join(["word"] * 201)
    page = client.post("/newsletter/question/", {"body": long_answer, "show_name": "on"})
    body = page.content.decode()
    assert "Your answer is 201 words long; the limit is 200. Please cut 1 word" in body
    assert long_answer in body  # nothing lost
    assert not Answer.objects.exists()
    client.post("/newsletter/question/", {"body": " ".join(["word"] * 200)})
    assert Answer.objects.get().words == 200


def test_words_are_counted_on_the_server_however_they_are_spaced(member, question):
    text = "one\ttwo\n\nthree   four — five"
    answer = voices.submit_answer(actor=member, question=question, body=text, show_name=False, show_group=False)
    assert answer.words == 6


def test_name_and_group_are_printed_only_with_consent(member, organiser, question):
    anonymous = voices.submit_answer(actor=member, question=question, body="Rent.", show_name=False, show_group=True)
    named = voices.submit_answer(actor=organiser, question=question, body="Work.", show_name=True, show_group=False)
    assert anonymous.byline == "A member"
    assert named.byline == "Olu Organiser"


def test_the_local_group_is_printed_when_the_member_agrees(member, question):
    groups = pytest.importorskip("leveller.groups.models")
    group = groups.Group.objects.create(name="Moss Side Tenants", slug="moss-side", status="approved")
    groups.GroupMembership.objects.create(group=group, member=member)
    answer = voices.submit_answer(actor=member, question=question, body="Rent.", show_name=True, show_group=True)
    assert answer.byline == "Mo Member, Moss Side Tenants"


def test_chosen_answers_drop_into_the_next_issues_members_answer_section(
    smtp, editor, member, question, client, run_on_commit
):
    answer = voices.submit_answer(
        actor=member, question=question, body="My landlord.", show_name=True, show_group=False
    )
    declined = voices.submit_answer(
        actor=editor, question=question, body="Not this one.", show_name=True, show_group=False
    )
    voices.set_answer_status(actor=editor, answer=answer, status=AnswerStatus.SHORTLISTED)
    voices.set_answer_status(actor=editor, answer=answer, status=AnswerStatus.CHOSEN)
    voices.set_answer_status(actor=editor, answer=declined, status=AnswerStatus.DECLINED)
    issue = make_issue(editor)
    section = issue_actions.add_section(actor=editor, issue=issue, kind="answers")
    assert section.question == question and question.text in section.heading
    with run_on_commit():
        issue_actions.publish_issue(actor=editor, issue=issue)
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "My landlord." in page and "Mo Member" in page and "Not this one." not in page
    assert Answer.objects.get(pk=answer.pk).printed_in == issue
    with pytest.raises(ValidationError):
        voices.submit_answer(actor=member, question=question, body="Changed", show_name=True, show_group=False)


def test_only_editors_choose_answers_and_closed_questions_take_no_answers(member, editor, question, client):
    answer = voices.submit_answer(actor=member, question=question, body="Hi", show_name=False, show_group=False)
    with pytest.raises(PermissionDenied):
        voices.set_answer_status(actor=member, answer=answer, status=AnswerStatus.CHOSEN)
    client.force_login(member)
    assert client.post(f"/newsletter/manage/answers/{answer.pk}/", {"status": "chosen"}).status_code == 403
    assert client.get(f"/newsletter/manage/questions/{question.pk}/").status_code == 403
    voices.close_question(actor=editor, question=question)
    with pytest.raises(ValidationError, match="no longer open"):
        voices.submit_answer(actor=member, question=question, body="Late", show_name=False, show_group=False)


def test_opening_a_question_closes_the_one_before(editor, question):
    second = voices.create_question(actor=editor, text="What should we campaign on next?", open_now=True)
    question.refresh_from_db()
    assert question.status == "closed" and voices.open_question() == second
