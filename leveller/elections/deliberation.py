"""What a vote's page shows of deliberation: the motion or amendment it decides (with its tracked changes),
the discussion channel, and the hustings (questions, and each candidate's answers beside their statement)."""

from __future__ import annotations

from leveller.elections import textdiff
from leveller.elections.models import Amendment, Election, Kind, Motion, State


def deliberation_context(election: Election, member) -> dict:
    motion = Motion.objects.filter(election=election).select_related("mover").first()
    amendment = Amendment.objects.filter(election=election).select_related("motion", "mover").first()
    context = {
        "motion": motion,
        "motion_seconders": [s.member for s in motion.seconders.select_related("member")] if motion else [],
        "amendment": amendment,
        "amendment_diff": textdiff.diff_html(amendment.base_text, amendment.text) if amendment else None,
        "amendment_seconders": [s.member for s in amendment.seconders.select_related("member")] if amendment else [],
        "hustings": election.kind == Kind.STV,
        "hustings_open": election.kind == Kind.STV and election.state in (State.NOMINATIONS, State.VOTING),
    }
    if election.kind != Kind.STV:
        return context
    questions = list(election.questions.filter(hidden=False).select_related("asked_by").prefetch_related("answers"))
    by_candidate: dict[int, list] = {}
    for question in questions:
        question.answer_list = list(question.answers.all())
        for answer in question.answer_list:
            by_candidate.setdefault(answer.candidate_id, []).append((question, answer))
    mine = election.candidates.filter(member=member).exclude(status="withdrawn").first() if member else None
    context.update(
        {
            "questions": questions,
            "answers_by_candidate": by_candidate,
            "answering_as": mine,
            "my_answers": {a.question_id: a.text for a in mine.answers.all()} if mine else {},
        }
    )
    return context
