"""Survey questions an organiser sets and the answers a caller records: every malformed question is refused with
a sentence naming it (and no campaign is saved); every answer outside the questions is refused and the contact
stays the caller's to record again; friendly kind names and conditions on a scale or multiple choice work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from leveller.phonebank import survey
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.models import Call, Campaign
from tests.phonebank.conftest import WEDNESDAY_AFTERNOON as NOW

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Rent strike ballot",
    "script": "Hello {first_name}!",
    "calling_hours": {"start": "00:00", "end": "23:59"},
    "max_attempts": 3,
    "retry_after_minutes": 120,
    "status": "draft",
}
YES_NO = {"id": "strike", "text": "Will you strike?", "kind": "single_choice", "choices": ["Yes", "No"]}


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([YES_NO] * 41, "at most 40 questions"),
        (["Will you strike?"], "Question 1 must be an object with id, text and kind."),
        ([{"id": "no spaces!", "text": "Hi?", "kind": "text"}], "may use only letters, digits, - and _"),
        ([YES_NO, YES_NO], "Question 2: the id 'strike' is used twice."),
        ([{"id": "blank", "text": "  ", "kind": "text"}], "Question 1 (blank) has no text."),
        ([{**YES_NO, "choices": ["Yes"]}], "Question 1 (strike) needs at least two choices."),
        ([{**YES_NO, "choices": ["Yes", "No", "Yes"]}], "Question 1 (strike) lists a choice twice."),
        ([YES_NO, {"text": "Why?", "kind": "text", "show_if": "strike"}], "show_if needs a question and an answer"),
        (
            [{"text": "Why?", "kind": "text", "show_if": {"question": "strike", "answer": "No"}}, YES_NO],
            "Question 1 (q1) can only depend on an earlier question.",
        ),
        (
            [YES_NO, {"text": "Why?", "kind": "text", "show_if": {"question": "strike", "answer": "Never"}}],
            "Question 2 (q2): 'Never' is not a choice of strike.",
        ),
        (
            [
                {"id": "mood", "text": "How angry?", "kind": "rating"},
                {"text": "Why so angry?", "kind": "text", "show_if": {"question": "mood", "answer": "very"}},
            ],
            "The answer to mood must be a whole number from 1 to 5.",
        ),
    ],
)
def test_a_malformed_question_is_refused_by_name_and_no_campaign_is_saved(api_client, organiser, questions, message):
    response = api_client(organiser).post("/api/v1/phonebank/campaigns", {**BODY, "questions": questions})
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]
    assert not Campaign.objects.exists()


def test_friendly_kind_names_and_no_questions_at_all_are_accepted():
    cleaned = survey.clean_questions(
        [
            {"text": "Pick one", "kind": "single", "choices": ["A", "B"]},
            {"text": "Pick some", "kind": "multiple", "choices": ["A", "B", " "]},
            {"text": "Tell us", "kind": "free_text"},
            {"text": "Rate us", "kind": "rating"},
        ]
    )
    assert [(q["id"], q["kind"]) for q in cleaned] == [
        ("q1", "single_choice"),
        ("q2", "multiple_choice"),
        ("q3", "text"),
        ("q4", "scale"),
    ]
    assert cleaned[1]["choices"] == ["A", "B"]
    assert survey.clean_questions(None) == [] and survey.clean_questions("") == []
    with pytest.raises(ValidationError, match="Questions must be a list"):
        survey.clean_questions({"id": "q1"})


SURVEY = [
    {"id": "issues", "text": "Which issues?", "kind": "multiple_choice", "choices": ["Rent", "Repairs"]},
    {
        "id": "repairs",
        "text": "What needs fixing?",
        "kind": "text",
        "show_if": {"question": "issues", "answer": "Repairs"},
    },
    {"id": "mood", "text": "How angry?", "kind": "scale"},
    {"id": "furious", "text": "Will you organise?", "kind": "text", "show_if": {"question": "mood", "answer": "5"}},
]


def test_conditions_on_a_multiple_choice_or_a_scale_show_the_follow_up_only_when_met():
    questions = survey.clean_questions(SURVEY)
    assert questions[3]["show_if"] == {"question": "mood", "answer": 5}
    shown = survey.clean_answers(
        questions, {"issues": "Repairs", "repairs": "  The damp  ", "mood": "5", "furious": "Yes"}
    )
    assert shown == {"issues": ["Repairs"], "repairs": "The damp", "mood": 5, "furious": "Yes"}
    hidden = survey.clean_answers(questions, {"issues": ["Rent"], "repairs": "Damp", "mood": 2, "furious": "Yes"})
    assert hidden == {"issues": ["Rent"], "mood": 2}
    assert survey.clean_answers(questions, None) == {} and survey.clean_answers(questions, "") == {}


@pytest.fixture
def held(make_campaign, member):
    campaign = make_campaign(contacts=1, questions=SURVEY)
    return call_actions.next_contact(actor=member, campaign=campaign, now=NOW)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (["Rent"], "Answers must be an object of question id to answer."),
        ({"pets": "Cat"}, "There is no question 'pets' in this survey."),
        ({"issues": ["Rent", "Parking"]}, "'Parking' is not one of the choices for 'issues'."),
        ({"mood": "cross"}, "The answer to mood must be a whole number from 1 to 5."),
        ({"issues": "Repairs", "repairs": 42}, "The answer to 'repairs' must be text."),
        ({"issues": "Repairs", "repairs": "x" * 2001}, "is longer than 2000 characters"),
    ],
)
def test_a_bad_answer_is_refused_and_the_contact_is_still_the_callers(member, held, answers, message):
    with pytest.raises(ValidationError) as refused:
        call_actions.record_outcome(actor=member, call=held, outcome="answered", answers=answers, now=NOW)
    assert message in " ".join(refused.value.messages)
    call = Call.objects.get(pk=held.pk)
    assert call.ended_at is None and call.answers in ({}, None)
    done = call_actions.record_outcome(
        actor=member, call=call, outcome="answered", answers={"mood": 3}, now=NOW + dt.timedelta(minutes=1)
    )
    assert done.answers == {"mood": 3}
