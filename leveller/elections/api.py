"""Elections, motions and primaries over JSON, at /api/v1/elections. Same actions and rules as the pages."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status

from leveller.core.models import AuditEntry
from leveller.core.openapi import Detail
from leveller.elections.access import (
    election_candidate,
    election_question,
    managed_election,
    results_election,
    visible_election,
)
from leveller.elections.actions import deliberation as deliberation_actions
from leveller.elections.actions import nominations as nomination_actions
from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.actions import voting as voting_actions
from leveller.elections.actions.voting import ballot_options, has_voted
from leveller.elections.eligibility import describe_electorate, ineligibility_reason
from leveller.elections.models import Election, Motion

elections_router = Router()
# Mounted at /api/v1 (leveller/api.py); votes under /elections, member motions under /motions.
PREFIX = ""


ERRORS = {400: Detail, 403: Detail, 404: Detail}


class Electorate(Schema):
    groups: list[str] = []
    tags: list[str] = []
    roles: list[str] = []


class CandidateOut(Schema):
    id: int
    name: str
    statement: str
    tags: list[str]
    status: str


class ElectionOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    state: str
    seats: int
    rules: str
    freeze_date: dt.date | None
    nominations_open_at: dt.datetime | None
    nominations_close_at: dt.datetime | None
    voting_opens_at: dt.datetime | None
    voting_closes_at: dt.datetime | None
    quorum: int
    threshold: str
    nomination_threshold: int
    minimum_rules: list[dict]
    candidates: list[CandidateOut]
    voting_open: bool
    you_can_vote: bool
    you_voted: bool
    why_not: str | None
    electorate: Electorate
    electorate_description: str
    email_members: bool
    motion: int | None


def _out(election: Election, member) -> dict:
    reason = ineligibility_reason(election, member)
    voted = has_voted(election, member)
    return {
        **{f: getattr(election, f) for f in ElectionOut.model_fields if hasattr(election, f) and f != "candidates"},
        "minimum_rules": [{"category": r.category, "minimum": r.minimum} for r in election.minimum_rules.all()],
        "candidates": list(election.candidates.all()),
        "voting_open": election.voting_open_now(),
        "you_can_vote": election.voting_open_now() and not reason and not voted,
        "you_voted": voted,
        "why_not": reason,
        "electorate": {
            "groups": election.electorate_groups,
            "tags": election.electorate_tags,
            "roles": election.electorate_roles,
        },
        "electorate_description": describe_electorate(election),
        "email_members": election.email_members,
        "motion": Motion.objects.filter(election=election).values_list("pk", flat=True).first(),
    }


def _fields(data: ElectionIn) -> dict:
    fields = data.dict(exclude_unset=True)
    electorate = fields.pop("electorate", None)
    if electorate is not None:
        for key in ("groups", "tags", "roles"):
            if key in electorate:
                fields[f"electorate_{key}"] = electorate[key] or []
    return fields


class ElectionIn(Schema):
    title: str | None = None
    kind: str | None = None
    description: str | None = None
    seats: int | None = None
    rules: str | None = None
    nomination_threshold: int | None = None
    group_nominations: bool | None = None
    freeze_date: dt.date | None = None
    nominations_open_at: dt.datetime | None = None
    nominations_close_at: dt.datetime | None = None
    voting_opens_at: dt.datetime | None = None
    voting_closes_at: dt.datetime | None = None
    quorum: int | None = None
    threshold: str | None = None
    electorate: Electorate | None = None
    email_members: bool | None = None


class BallotIn(Schema):
    ranking: list[int] | None = None
    approvals: list[int] | None = None
    answer: str | None = None


class ReceiptOut(Schema):
    receipt: str


class CandidateIn(Schema):
    name: str
    statement: str = ""
    tags: list[str] = []


class StandIn(Schema):
    statement: str
    tags: list[str] = []


class StateIn(Schema):
    to: str


class RuleIn(Schema):
    category: str
    minimum: int


@elections_router.get("", response=list[ElectionOut], summary="Votes you can see")
def list_elections(request):
    return [_out(e, request.auth) for e in Election.objects.visible_to(request.auth)]


@elections_router.post("", response={201: ElectionOut, **ERRORS}, summary="Create a draft vote (staff)")
def create(request, data: ElectionIn):
    fields = _fields(data)
    title = fields.pop("title", "") or ""
    kind = fields.pop("kind", None) or "stv"
    election = setup_actions.create_election(actor=request.auth, title=title, kind=kind, **fields)
    return Status(201, _out(election, request.auth))


@elections_router.get(
    "/{election_id}", response={200: ElectionOut, **ERRORS}, summary="One vote, its candidates and your status"
)
def detail(request, election_id: int):
    return _out(visible_election(request.auth, election_id), request.auth)


@elections_router.patch(
    "/{election_id}",
    response={200: ElectionOut, **ERRORS},
    summary="Change a vote's settings, electorate included (staff; audited)",
)
def update(request, election_id: int, data: ElectionIn):
    election = managed_election(request.auth, election_id)
    election = setup_actions.update_election(actor=request.auth, election=election, **_fields(data))
    return _out(election, request.auth)


@elections_router.post(
    "/{election_id}/candidates", response={201: CandidateOut, **ERRORS}, summary="Add a candidate or proposal (staff)"
)
def add_candidate(request, election_id: int, data: CandidateIn):
    election = managed_election(request.auth, election_id)
    return Status(201, setup_actions.add_candidate(actor=request.auth, election=election, **data.dict()))


class RuleOut(Schema):
    category: str
    minimum: int


class AuditEntryOut(Schema):
    at: datetime
    actor: str | None
    action: str
    summary: str
    data: dict[str, Any]


class NominatedOut(Schema):
    candidate: int
    status: str


class ResultsOut(Schema):
    election: int
    kind: str
    result: dict[str, Any]
    options: dict[int, str]


@elections_router.post("/{election_id}/rules", response=RuleOut, summary="Set a minimum-representation rule (staff)")
def set_rule(request, election_id: int, data: RuleIn):
    election = managed_election(request.auth, election_id)
    rule = setup_actions.set_minimum_rule(actor=request.auth, election=election, **data.dict())
    return {"category": rule.category, "minimum": rule.minimum}


STATES = {
    "nominations": transition_actions.open_nominations,
    "voting": transition_actions.open_voting,
    "closed": transition_actions.close_voting,
    "published": transition_actions.publish_results,
}


@elections_router.post(
    "/{election_id}/state",
    response={200: ElectionOut, **ERRORS},
    summary="Move a vote on: nominations, voting, closed…",
)
def move(request, election_id: int, data: StateIn):
    election = managed_election(request.auth, election_id)
    action = STATES.get(data.to)
    if action is None:
        raise ValidationError(f"“to” must be one of: {', '.join(STATES)}.")
    action(actor=request.auth, election=election)
    election.refresh_from_db()
    return _out(election, request.auth)


@elections_router.get("/{election_id}/audit", response=list[AuditEntryOut], summary="The vote's audit trail (staff)")
def audit_trail(request, election_id: int):
    election = managed_election(request.auth, election_id)
    return [
        {
            "at": entry.created_at,
            "actor": entry.actor.display_name if entry.actor else None,
            "action": entry.action,
            "summary": entry.summary,
            "data": entry.data,
        }
        for entry in AuditEntry.objects.about(election).select_related("actor")[:500]
    ]


@elections_router.post("/{election_id}/stand", response={201: CandidateOut, **ERRORS}, summary="Stand as a candidate")
def stand(request, election_id: int, data: StandIn):
    election = visible_election(request.auth, election_id)
    return Status(201, nomination_actions.stand(actor=request.auth, election=election, **data.dict()))


@elections_router.post(
    "/{election_id}/candidates/{candidate_id}/nominate", response=NominatedOut, summary="Add your supporting nomination"
)
def nominate(request, election_id: int, candidate_id: int):
    election = visible_election(request.auth, election_id)
    candidate = election_candidate(election, candidate_id)
    nomination_actions.support(actor=request.auth, candidate=candidate)
    candidate.refresh_from_db()
    return {"candidate": candidate.pk, "status": candidate.status}


@elections_router.post(
    "/{election_id}/ballot",
    response={201: ReceiptOut, **ERRORS},
    summary="Cast your ballot; returns the receipt (403 outside the electorate)",
)
def cast(request, election_id: int, data: BallotIn):
    election = visible_election(request.auth, election_id)
    receipt = voting_actions.cast_ballot(actor=request.auth, election=election, **data.dict())
    return Status(201, {"receipt": receipt})


@elections_router.get(
    "/{election_id}/results", response=ResultsOut, summary="The count (once published; staff may preview)"
)
def results(request, election_id: int):
    election = results_election(request.auth, election_id)
    names = {c.pk: c.name for c in ballot_options(election)}
    return {"election": election.pk, "kind": election.kind, "result": election.result.data, "options": names}


from leveller.elections.api_motions import motions_router  # noqa: E402

router = Router()
router.add_router("/elections", elections_router)
router.add_router("/motions", motions_router)


class QuestionIn(Schema):
    text: str


class AnswerOut(Schema):
    candidate: int
    candidate_name: str
    text: str
    updated_at: dt.datetime


class QuestionOut(Schema):
    id: int
    text: str
    asked_by: str
    created_at: dt.datetime
    answers: list[AnswerOut]


def _question_out(question) -> dict:
    return {
        "id": question.pk,
        "text": question.text,
        "asked_by": question.asked_by.display_name if question.asked_by else "a former member",
        "created_at": question.created_at,
        "answers": [
            {
                "candidate": a.candidate_id,
                "candidate_name": a.candidate.name,
                "text": a.text,
                "updated_at": a.updated_at,
            }
            for a in question.answers.select_related("candidate")
        ],
    }


@elections_router.get("/{election_id}/hustings", response={200: list[QuestionOut], **ERRORS}, summary="Hustings")
def hustings(request, election_id: int):
    election = visible_election(request.auth, election_id)
    return [_question_out(q) for q in election.questions.filter(hidden=False).select_related("asked_by")]


@elections_router.post(
    "/{election_id}/hustings", response={201: QuestionOut, **ERRORS}, summary="Ask the candidates a question"
)
def ask(request, election_id: int, data: QuestionIn):
    election = visible_election(request.auth, election_id)
    return Status(
        201, _question_out(deliberation_actions.ask_question(actor=request.auth, election=election, text=data.text))
    )


@elections_router.post(
    "/{election_id}/hustings/{question_id}/answer",
    response={200: QuestionOut, **ERRORS},
    summary="Answer a hustings question (candidates)",
)
def answer(request, election_id: int, question_id: int, data: QuestionIn):
    election = visible_election(request.auth, election_id)
    question = election_question(election, question_id)
    deliberation_actions.answer_question(actor=request.auth, question=question, text=data.text)
    return _question_out(question)
