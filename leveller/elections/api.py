"""Elections, motions and primaries over JSON, at /api/v1/elections. Same actions and rules as the pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status

from leveller.core.models import AuditEntry
from leveller.elections import actions
from leveller.elections.access import election_candidate, managed_election, results_election, visible_election
from leveller.elections.actions.voting import ballot_options, has_voted
from leveller.elections.eligibility import ineligibility_reason
from leveller.elections.models import Election

router = Router()
PREFIX = "/elections"


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
    }


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


@router.get("", response=list[ElectionOut], summary="Votes you can see")
def list_elections(request):
    return [_out(e, request.auth) for e in Election.objects.visible_to(request.auth)]


@router.post("", response={201: ElectionOut}, summary="Create a draft vote (staff)")
def create(request, data: ElectionIn):
    fields = data.dict(exclude_unset=True)
    title = fields.pop("title", "") or ""
    kind = fields.pop("kind", None) or "stv"
    election = actions.create_election(actor=request.auth, title=title, kind=kind, **fields)
    return Status(201, _out(election, request.auth))


@router.get("/{election_id}", response=ElectionOut, summary="One vote, its candidates and your status")
def detail(request, election_id: int):
    return _out(visible_election(request.auth, election_id), request.auth)


@router.patch("/{election_id}", response=ElectionOut, summary="Change a vote's settings (staff; audited)")
def update(request, election_id: int, data: ElectionIn):
    election = managed_election(request.auth, election_id)
    election = actions.update_election(actor=request.auth, election=election, **data.dict(exclude_unset=True))
    return _out(election, request.auth)


@router.post("/{election_id}/candidates", response={201: CandidateOut}, summary="Add a candidate or proposal (staff)")
def add_candidate(request, election_id: int, data: CandidateIn):
    election = managed_election(request.auth, election_id)
    return Status(201, actions.add_candidate(actor=request.auth, election=election, **data.dict()))


@router.post("/{election_id}/rules", summary="Set a minimum-representation rule (staff)")
def set_rule(request, election_id: int, data: RuleIn):
    election = managed_election(request.auth, election_id)
    rule = actions.set_minimum_rule(actor=request.auth, election=election, **data.dict())
    return {"category": rule.category, "minimum": rule.minimum}


STATES = {
    "nominations": actions.open_nominations,
    "voting": actions.open_voting,
    "closed": actions.close_voting,
    "published": actions.publish_results,
}


@router.post("/{election_id}/state", response=ElectionOut, summary="Move a vote on: nominations, voting, closed…")
def move(request, election_id: int, data: StateIn):
    election = managed_election(request.auth, election_id)
    action = STATES.get(data.to)
    if action is None:
        raise ValidationError(f"“to” must be one of: {', '.join(STATES)}.")
    action(actor=request.auth, election=election)
    election.refresh_from_db()
    return _out(election, request.auth)


@router.get("/{election_id}/audit", summary="The vote's audit trail (staff)")
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


@router.post("/{election_id}/stand", response={201: CandidateOut}, summary="Stand as a candidate")
def stand(request, election_id: int, data: StandIn):
    election = visible_election(request.auth, election_id)
    return Status(201, actions.stand(actor=request.auth, election=election, **data.dict()))


@router.post("/{election_id}/candidates/{candidate_id}/nominate", summary="Add your supporting nomination")
def nominate(request, election_id: int, candidate_id: int):
    election = visible_election(request.auth, election_id)
    candidate = election_candidate(election, candidate_id)
    actions.support(actor=request.auth, candidate=candidate)
    candidate.refresh_from_db()
    return {"candidate": candidate.pk, "status": candidate.status}


@router.post("/{election_id}/ballot", response={201: ReceiptOut}, summary="Cast your ballot; returns the receipt")
def cast(request, election_id: int, data: BallotIn):
    election = visible_election(request.auth, election_id)
    receipt = actions.cast_ballot(actor=request.auth, election=election, **data.dict())
    return Status(201, {"receipt": receipt})


@router.get("/{election_id}/results", summary="The count (once published; staff may preview)")
def results(request, election_id: int):
    election = results_election(request.auth, election_id)
    names = {c.pk: c.name for c in ballot_options(election)}
    return {"election": election.pk, "kind": election.kind, "result": election.result.data, "options": names}
