"""Member voices: the question of the month, members' answers (at most 200 words) and the editors' choice.

Every change here is an action (keyword-only, actor first, atomic), like issues.py.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.core import audit
from leveller.core.access import require_member
from leveller.groups.models import GroupMembership, Kind
from leveller.newsletter.access import require_editor
from leveller.newsletter.models import Answer, AnswerStatus, Question, QuestionStatus

MAX_WORDS = 200
WORD = re.compile(r"\S+")


def local_group_name(member) -> str:
    """The name of the member's (first) local group, else of any group, or ''."""
    groups = [m.group for m in GroupMembership.objects.filter(member=member).select_related("group")]
    local = [group for group in groups if group.kind == Kind.LOCAL]
    return (local or groups)[0].name if groups else ""


def count_words(text: str) -> int:
    """Words are runs of non-space characters: what a reader (and a word processor) would count."""
    return len(WORD.findall(text or ""))


def open_question() -> Question | None:
    return Question.objects.filter(status=QuestionStatus.OPEN).first()


@transaction.atomic
def create_question(*, actor, text: str, intro: str = "", open_now: bool = False) -> Question:
    require_editor(actor)
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError("Write the question.")
    if len(text) > 300:
        raise ValidationError("Keep the question under 300 characters.")
    question = Question.objects.create(text=text, intro=(intro or "").strip()[:2000], created_by=actor)
    audit.record(actor=actor, action="newsletter.question_created", target=question, summary=text)
    if open_now:
        open_for_answers(actor=actor, question=question)
    return question


@transaction.atomic
def open_for_answers(*, actor, question: Question) -> Question:
    """Opens this question; the one open before it (if any) closes."""
    require_editor(actor)
    now = timezone.now()
    Question.objects.filter(status=QuestionStatus.OPEN).exclude(pk=question.pk).update(
        status=QuestionStatus.CLOSED, closed_at=now
    )
    question.status, question.opened_at, question.closed_at = QuestionStatus.OPEN, now, None
    question.save(update_fields=["status", "opened_at", "closed_at"])
    audit.record(actor=actor, action="newsletter.question_opened", target=question)
    return question


@transaction.atomic
def close_question(*, actor, question: Question) -> Question:
    require_editor(actor)
    if question.status == QuestionStatus.OPEN:
        question.status, question.closed_at = QuestionStatus.CLOSED, timezone.now()
        question.save(update_fields=["status", "closed_at"])
    return question


@transaction.atomic
def submit_answer(*, actor, question: Question, body: str, show_name: bool, show_group: bool) -> Answer:
    """A member's answer (a second submission replaces the first while the question is open)."""
    require_member(actor)
    if question.status != QuestionStatus.OPEN:
        raise ValidationError("This question is no longer open for answers.")
    body = (body or "").strip()
    words = count_words(body)
    if words == 0:
        raise ValidationError("Write your answer first.")
    if words > MAX_WORDS:
        over = words - MAX_WORDS
        raise ValidationError(
            f"Your answer is {words} words long; the limit is {MAX_WORDS}. Please cut {over} "
            f"word{'s' if over != 1 else ''} and send it again: your text is kept below."
        )
    answer = Answer.objects.select_for_update().filter(question=question, member=actor).first()
    if answer is not None and answer.status == AnswerStatus.CHOSEN:
        raise ValidationError("The editors have already chosen your answer for the newsletter, so it cannot change.")
    if answer is None:
        answer = Answer(question=question, member=actor)
    answer.body, answer.words = body, words
    answer.show_name, answer.show_group = bool(show_name), bool(show_group)
    answer.group_name = local_group_name(actor) if show_group else ""
    answer.updated_at = timezone.now()
    answer.save()
    return answer


@transaction.atomic
def withdraw_answer(*, actor, answer: Answer) -> None:
    if answer.member_id != actor.pk:
        raise PermissionDenied("You can only withdraw your own answer.")
    if answer.printed_in_id or answer.status == AnswerStatus.CHOSEN:
        raise ValidationError("The editors have already chosen this answer for the newsletter.")
    if answer.question.status != QuestionStatus.OPEN:
        raise ValidationError("This question is closed, so answers can no longer be withdrawn here: ask the editors.")
    answer.delete()


@transaction.atomic
def set_answer_status(*, actor, answer: Answer, status: str) -> Answer:
    """Editors shortlist, choose or decline answers. Chosen answers print in the next issue's members answer
    section."""
    require_editor(actor)
    if status not in AnswerStatus.values:
        raise ValidationError(f"Unknown status {status!r}.")
    if answer.printed_in_id and status != AnswerStatus.CHOSEN:
        raise ValidationError("This answer is already printed in a published issue.")
    answer.status = status
    answer.save(update_fields=["status"])
    audit.record(actor=actor, action=f"newsletter.answer_{status}", target=answer.question, data={"answer": answer.pk})
    return answer
