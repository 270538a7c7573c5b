"""The editors' people pages, as an editor uses them: subscribers searched, filtered and paged, lists imported
with clear refusals; the question of the month asked, opened, closed and its answers chosen. Members and staff
who are not editors get 403 and see no subscriber."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leveller.newsletter.actions import voices
from leveller.newsletter.models import Answer, AnswerStatus, Question, QuestionStatus, Subscriber
from tests.newsletter.conftest import add_subscribers, make_issue

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return html.unescape(response.content.decode())


def csv_file(body: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("list.csv", body.encode(), "text/csv")


@pytest.fixture
def question(editor):
    return voices.create_question(actor=editor, text="What first brought you to organising?", open_now=True)


@pytest.fixture
def answer(question, member):
    return voices.submit_answer(actor=member, question=question, body="A rent rise.", show_name=True, show_group=False)


# --- who may see the people pages ---------------------------------------------------------------------------


def test_members_and_staff_who_are_not_editors_see_no_subscriber(client, member, staff, question, answer):
    add_subscribers(2)
    urls = ["/newsletter/manage/subscribers/", "/newsletter/manage/questions/",
            f"/newsletter/manage/questions/{question.pk}/"]  # fmt: skip
    for who in (member, staff):
        client.force_login(who)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 403, url
            assert "reader0@example.net" not in text(response) and "A rent rise." not in text(response)
        assert client.post(f"/newsletter/manage/answers/{answer.pk}/", {"status": "chosen"}).status_code == 403
        response = client.post(
            "/newsletter/manage/subscribers/import/",
            {"file": csv_file("email,consent_date\nsneaky@example.net,2024-01-01\n")},
        )
        assert response.status_code == 403
        assert client.post("/newsletter/manage/questions/", {"text": "Mine?"}).status_code == 403
    assert not Subscriber.objects.filter(email="sneaky@example.net").exists()
    assert Answer.objects.get(pk=answer.pk).status == AnswerStatus.SUBMITTED
    assert Question.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/newsletter/manage/subscribers/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_admins_are_editors_too(client, admin):
    client.force_login(admin)
    assert client.get("/newsletter/manage/subscribers/").status_code == 200


# --- subscribers ------------------------------------------------------------------------------------------


def test_an_editor_searches_subscribers_by_email_name_or_postcode(client, editor):
    add_subscribers(3)
    [ada] = add_subscribers(1, prefix="ada")
    Subscriber.objects.filter(pk=ada.pk).update(email="ada@example.org", name="Ada Lovelace", postcode="N1 9GU")
    client.force_login(editor)
    page = text(client.get("/newsletter/manage/subscribers/"))
    assert "4 subscribers." in page and "reader2@example.net" in page
    for query in ("ADA@", "lovelace", "n1 9gu"):
        page = text(client.get("/newsletter/manage/subscribers/", {"q": query}))
        assert "1 subscriber." in page and "ada@example.org" in page and "reader0@example.net" not in page, query
    page = text(client.get("/newsletter/manage/subscribers/", {"q": "nobody-at-all"}))
    assert "No subscribers match." in page


def test_an_editor_filters_by_status_and_an_unknown_status_shows_everyone(client, editor):
    add_subscribers(2)
    Subscriber.objects.create(email="gone@example.org", status="unsubscribed")
    Subscriber.objects.create(email="bouncy@example.org", status="bouncing", bounce_reason="550 no such user")
    client.force_login(editor)
    page = text(client.get("/newsletter/manage/subscribers/", {"status": "bouncing"}))
    assert "1 subscriber." in page and "bouncy@example.org" in page and "(550 no such user)" in page
    assert "gone@example.org" not in page
    page = text(client.get("/newsletter/manage/subscribers/", {"status": "everything"}))
    assert "4 subscribers." in page


def test_a_long_list_is_paged_fifty_at_a_time(client, editor):
    add_subscribers(51)
    client.force_login(editor)
    first = text(client.get("/newsletter/manage/subscribers/"))
    assert "Page 1 of 2" in first and "Next" in first
    second = text(client.get("/newsletter/manage/subscribers/", {"page": "2"}))
    assert "Page 2 of 2" in second and "Previous" in second and second.count("@example.net</td>") == 1
    assert "Page 2 of 2" in text(client.get("/newsletter/manage/subscribers/", {"page": "99"}))


def test_an_import_without_a_file_is_explained_and_adds_no_one(client, editor):
    client.force_login(editor)
    response = client.post("/newsletter/manage/subscribers/import/", {}, follow=True)
    assert "Choose a CSV file to import." in text(response)
    response = client.post(
        "/newsletter/manage/subscribers/import/", {"file": SimpleUploadedFile("x.csv", b"", "text/csv")}, follow=True
    )
    assert "Choose a CSV file to import." in text(response)
    assert not Subscriber.objects.exists()


def test_a_file_without_the_needed_columns_is_refused_with_what_is_missing(client, editor):
    client.force_login(editor)
    response = client.post(
        "/newsletter/manage/subscribers/import/", {"file": csv_file("email,name\nada@example.net,Ada\n")}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/newsletter/manage/subscribers/"
    assert "The first line must name the columns; missing: consent_at." in text(response)
    assert not Subscriber.objects.exists()


def test_the_import_only_takes_posts(client, editor):
    client.force_login(editor)
    assert client.get("/newsletter/manage/subscribers/import/").status_code == 405


# --- the question of the month ----------------------------------------------------------------------------


def test_an_editor_asks_a_question_and_opens_it_at_once(client, editor, question):
    client.force_login(editor)
    response = client.post(
        "/newsletter/manage/questions/", {"text": "What should we   campaign on next?", "intro": "", "open_now": "on"}
    )
    new = Question.objects.get(text="What should we campaign on next?")
    assert response.status_code == 302 and response["Location"] == f"/newsletter/manage/questions/{new.pk}/"
    question.refresh_from_db()
    assert new.status == QuestionStatus.OPEN and question.status == QuestionStatus.CLOSED


def test_a_question_saved_without_opening_waits_as_a_draft(client, editor):
    client.force_login(editor)
    client.post("/newsletter/manage/questions/", {"text": "Later?", "intro": "Think about it."})
    assert Question.objects.get().status == QuestionStatus.DRAFT


def test_the_questions_page_lists_each_with_its_answers(client, editor, question, answer):
    client.force_login(editor)
    page = text(client.get("/newsletter/manage/questions/"))
    assert "What first brought you to organising?</a> — Open for answers, 1 answer" in page


def test_a_question_without_words_is_explained_and_the_introduction_kept(client, editor):
    client.force_login(editor)
    response = client.post("/newsletter/manage/questions/", {"text": "   ", "intro": "My careful introduction"})
    assert response.status_code == 200
    page = text(response)
    assert "This field is required." in page and "My careful introduction" in page
    assert not Question.objects.exists()


def test_an_editor_closes_and_reopens_a_question(client, editor, question):
    client.force_login(editor)
    url = f"/newsletter/manage/questions/{question.pk}/"
    assert client.post(url, {"action": "close"})["Location"] == url
    question.refresh_from_db()
    assert question.status == QuestionStatus.CLOSED
    assert "Open for answers" in text(client.get(url))
    client.post(url, {"action": "open"})
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN


def test_a_missing_question_or_answer_is_a_404(client, editor):
    client.force_login(editor)
    assert client.get("/newsletter/manage/questions/999999/").status_code == 404
    assert client.post("/newsletter/manage/answers/999999/", {"status": "chosen"}).status_code == 404


def test_an_editor_reads_answers_and_filters_them_by_status(client, editor, question, answer, outsider):
    other = voices.submit_answer(actor=outsider, question=question, body="My neighbours.", show_name=False,
                                 show_group=False)  # fmt: skip
    voices.set_answer_status(actor=editor, answer=other, status=AnswerStatus.SHORTLISTED)
    client.force_login(editor)
    url = f"/newsletter/manage/questions/{question.pk}/"
    page = text(client.get(url))
    assert "A rent rise." in page and "My neighbours." in page and "Mo Member" in page
    page = text(client.get(url, {"status": "shortlisted"}))
    assert "My neighbours." in page and "A rent rise." not in page
    assert "No answers here yet." in text(client.get(url, {"status": "chosen"}))


def test_an_editor_chooses_an_answer_from_the_page(client, editor, question, answer):
    client.force_login(editor)
    response = client.post(f"/newsletter/manage/answers/{answer.pk}/", {"status": "chosen"})
    assert response.status_code == 302 and response["Location"] == f"/newsletter/manage/questions/{question.pk}/"
    assert Answer.objects.get(pk=answer.pk).status == AnswerStatus.CHOSEN


def test_choosing_with_htmx_swaps_in_the_answer_with_its_new_status(client, editor, answer):
    client.force_login(editor)
    response = client.post(f"/newsletter/manage/answers/{answer.pk}/", {"status": "declined"}, headers=HTMX)
    page = text(response)
    assert response.status_code == 200 and "<html" not in page
    assert f'id="answer-{answer.pk}"' in page and "Not chosen" in page
    assert Answer.objects.get(pk=answer.pk).status == AnswerStatus.DECLINED


def test_an_unknown_status_is_explained_on_the_page_and_with_htmx(client, editor, answer):
    client.force_login(editor)
    response = client.post(f"/newsletter/manage/answers/{answer.pk}/", {"status": "famous"}, follow=True)
    assert "Unknown status 'famous'." in text(response)
    response = client.post(f"/newsletter/manage/answers/{answer.pk}/", {"status": "famous"}, headers=HTMX)
    assert "Unknown status 'famous'." in text(response) and 'role="alert"' in text(response)
    assert Answer.objects.get(pk=answer.pk).status == AnswerStatus.SUBMITTED


def test_an_answer_printed_in_a_published_issue_cannot_be_declined(client, editor, answer):
    issue = make_issue(editor)
    Answer.objects.filter(pk=answer.pk).update(status=AnswerStatus.CHOSEN, printed_in=issue)
    client.force_login(editor)
    response = client.post(f"/newsletter/manage/answers/{answer.pk}/", {"status": "declined"}, headers=HTMX)
    assert "This answer is already printed in a published issue." in text(response)
    assert Answer.objects.get(pk=answer.pk).status == AnswerStatus.CHOSEN
