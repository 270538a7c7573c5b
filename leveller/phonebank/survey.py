"""Survey questions (single choice, multiple choice, free text, 1-5 scale) and checking a caller's answers.

A question may carry `show_if: {"question": <earlier id>, "answer": <value>}`: it is asked only when the
earlier question got that answer (or, for multiple choice, included it). Answers to questions that were not
shown are dropped; answers to unknown questions or with values outside the choices are refused.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

KINDS = {
    "single_choice": "Single choice",
    "multiple_choice": "Multiple choice",
    "text": "Free text",
    "scale": "Scale 1-5",
}
ALIASES = {
    "single": "single_choice",
    "choice": "single_choice",
    "multiple": "multiple_choice",
    "free_text": "text",
    "rating": "scale",
}
QUESTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_QUESTIONS = 40
MAX_TEXT_ANSWER = 2000


def clean_questions(raw) -> list[dict]:
    """Validate and normalise a list of questions, or raise ValidationError naming the bad one."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationError("Questions must be a list.")
    if len(raw) > MAX_QUESTIONS:
        raise ValidationError(f"A survey can have at most {MAX_QUESTIONS} questions.")
    cleaned: list[dict] = []
    seen: dict[str, dict] = {}
    for position, item in enumerate(raw, start=1):
        cleaned.append(_clean_question(item, position, seen))
        seen[cleaned[-1]["id"]] = cleaned[-1]
    return cleaned


def _clean_question(item, position: int, earlier: dict[str, dict]) -> dict:
    if not isinstance(item, dict):
        raise ValidationError(f"Question {position} must be an object with id, text and kind.")
    qid = str(item.get("id") or f"q{position}").strip()
    if not QUESTION_ID.match(qid):
        raise ValidationError(f"Question {position}: the id {qid!r} may use only letters, digits, - and _.")
    if qid in earlier:
        raise ValidationError(f"Question {position}: the id {qid!r} is used twice.")
    text = str(item.get("text") or "").strip()
    if not text:
        raise ValidationError(f"Question {position} ({qid}) has no text.")
    kind = ALIASES.get(str(item.get("kind") or "").strip(), str(item.get("kind") or "").strip())
    if kind not in KINDS:
        raise ValidationError(f"Question {position} ({qid}): kind must be one of {', '.join(KINDS)}.")
    question = {"id": qid, "text": text[:500], "kind": kind}
    if kind in ("single_choice", "multiple_choice"):
        choices = [str(c).strip()[:200] for c in (item.get("choices") or []) if str(c).strip()]
        if len(choices) < 2:
            raise ValidationError(f"Question {position} ({qid}) needs at least two choices.")
        if len(set(choices)) != len(choices):
            raise ValidationError(f"Question {position} ({qid}) lists a choice twice.")
        question["choices"] = choices
    show_if = item.get("show_if")
    if show_if:
        question["show_if"] = _clean_condition(show_if, position, qid, earlier)
    return question


def _clean_condition(show_if, position: int, qid: str, earlier: dict[str, dict]) -> dict:
    if not isinstance(show_if, dict) or "question" not in show_if:
        raise ValidationError(f"Question {position} ({qid}): show_if needs a question and an answer.")
    parent_id = str(show_if["question"])
    parent = earlier.get(parent_id)
    if parent is None:
        raise ValidationError(f"Question {position} ({qid}) can only depend on an earlier question.")
    answer = show_if.get("answer")
    if parent["kind"] in ("single_choice", "multiple_choice") and answer not in parent["choices"]:
        raise ValidationError(f"Question {position} ({qid}): {answer!r} is not a choice of {parent_id}.")
    if parent["kind"] == "scale":
        answer = _scale(answer, parent_id)
    return {"question": parent_id, "answer": answer}


def _scale(value, qid: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"The answer to {qid} must be a whole number from 1 to 5.") from None
    if not 1 <= number <= 5:
        raise ValidationError(f"The answer to {qid} must be from 1 to 5.")
    return number


def is_shown(question: dict, answers: dict) -> bool:
    condition = question.get("show_if")
    if not condition:
        return True
    given = answers.get(condition["question"])
    if isinstance(given, list):
        return condition["answer"] in given
    return given is not None and given == condition["answer"]


def clean_answers(questions: list[dict], raw) -> dict:
    """Check answers against the questions; drop blanks and answers to questions that were not shown."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise ValidationError("Answers must be an object of question id to answer.")
    known = {q["id"] for q in questions}
    unknown = sorted(str(k) for k in raw if str(k) not in known)
    if unknown:
        raise ValidationError(f"There is no question {unknown[0]!r} in this survey.")
    answers: dict = {}
    for question in questions:
        value = raw.get(question["id"])
        if value in (None, "", []) or not is_shown(question, answers):
            continue
        answers[question["id"]] = _clean_answer(question, value)
    return answers


def _clean_answer(question: dict, value):
    qid, kind = question["id"], question["kind"]
    if kind == "single_choice":
        if value not in question["choices"]:
            raise ValidationError(f"{value!r} is not one of the choices for {qid!r}.")
        return value
    if kind == "multiple_choice":
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if v not in question["choices"]]
        if bad:
            raise ValidationError(f"{bad[0]!r} is not one of the choices for {qid!r}.")
        return [c for c in question["choices"] if c in values]
    if kind == "scale":
        return _scale(value, qid)
    if not isinstance(value, str):
        raise ValidationError(f"The answer to {qid!r} must be text.")
    if len(value) > MAX_TEXT_ANSWER:
        raise ValidationError(f"The answer to {qid!r} is longer than {MAX_TEXT_ANSWER} characters.")
    return value.strip()
