"""Member motions and amendments over JSON, at /api/v1/motions. Same actions and rules as the pages."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status

from leveller.core.openapi import Detail
from leveller.elections import textdiff
from leveller.elections.access import motion_amendment, visible_motion
from leveller.elections.actions import amendments as amendment_actions
from leveller.elections.actions import motions as motion_actions
from leveller.elections.actions.motions import can_schedule
from leveller.elections.models import Amendment, Motion, Process

motions_router = Router()


ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}


class MemberRef(Schema):
    id: int | None
    name: str


class MotionOut(Schema):
    id: int
    title: str
    text: str
    original_text: str
    supporting_statement: str
    state: str
    mover: MemberRef
    seconders: int
    seconders_needed: int
    seconded_by: list[MemberRef]
    process: str | None
    vote: int | None
    composited_into: int | None
    composited_from: list[int]
    can_schedule: bool


class DiffOp(Schema):
    op: str
    text: str


class AmendmentOut(Schema):
    id: int
    motion_id: int
    state: str
    text: str
    base_text: str
    reason: str
    diff: list[DiffOp]
    mover: MemberRef
    seconders: int
    seconders_needed: int
    seconded_by: list[MemberRef]
    vote: int | None


class AcceptOut(AmendmentOut):
    motion: MotionOut


def _ref(member) -> dict:
    return {"id": member.pk, "name": member.display_name} if member else {"id": None, "name": "a former member"}


def motion_out(motion: Motion, viewer) -> dict:
    seconders = [s.member for s in motion.seconders.select_related("member")]
    return {
        "id": motion.pk,
        "title": motion.title,
        "text": motion.text,
        "original_text": motion.original_text,
        "supporting_statement": motion.supporting_statement,
        "state": motion.state,
        "mover": _ref(motion.mover),
        "seconders": len(seconders),
        "seconders_needed": motion.seconders_needed,
        "seconded_by": [_ref(m) for m in seconders],
        "process": motion.process.slug if motion.process_id else None,
        "vote": motion.election_id,
        "composited_into": motion.composited_into_id,
        "composited_from": list(motion.composited_from.values_list("pk", flat=True)),
        "can_schedule": can_schedule(viewer, motion) and motion.state == "eligible",
    }


def amendment_out(amendment: Amendment) -> dict:
    seconders = [s.member for s in amendment.seconders.select_related("member")]
    return {
        "id": amendment.pk,
        "motion_id": amendment.motion_id,
        "state": amendment.state,
        "text": amendment.text,
        "base_text": amendment.base_text,
        "reason": amendment.reason,
        "diff": textdiff.diff_ops(amendment.base_text, amendment.text),
        "mover": _ref(amendment.mover),
        "seconders": len(seconders),
        "seconders_needed": amendment.seconders_needed,
        "seconded_by": [_ref(m) for m in seconders],
        "vote": amendment.election_id,
    }


class MotionIn(Schema):
    title: str
    text: str
    supporting_statement: str = ""
    process: str | None = None


class AmendmentIn(Schema):
    text: str
    reason: str = ""


class ScheduleIn(Schema):
    voting_closes_at: dt.datetime
    amendments_close_at: dt.datetime | None = None
    quorum: int = 0
    threshold: str = "simple"


class CompositeIn(Schema):
    motions: list[int]
    title: str
    text: str


def _process(slug: str | None) -> Process | None:
    from django.http import Http404

    if not slug:
        return None
    process = Process.objects.filter(slug=slug).first()
    if process is None:
        raise Http404("No such process.")
    return process


def _conflict(call):
    """Run an action; "already done" (seconding twice) becomes 409."""
    try:
        return call(), None
    except motion_actions.AlreadyDone as exc:
        return None, Status(409, {"detail": " ".join(exc.messages)})


@motions_router.get("", response=list[MotionOut], summary="Member motions (newest first)")
def list_motions(request, state: str | None = None, process: str | None = None):
    motions = Motion.objects.visible_to(request.auth).select_related("mover", "process")
    if state:
        motions = motions.filter(state=state)
    if process:
        motions = motions.filter(process__slug=process)
    return [motion_out(m, request.auth) for m in motions[:500]]


@motions_router.post("", response={201: MotionOut, **ERRORS}, summary="Move a motion (any member)")
def propose(request, data: MotionIn):
    motion = motion_actions.propose_motion(
        actor=request.auth,
        title=data.title,
        text=data.text,
        supporting_statement=data.supporting_statement,
        process=_process(data.process),
    )
    return Status(201, motion_out(motion, request.auth))


@motions_router.get(
    "/{int:motion_id}", response={200: MotionOut, **ERRORS}, summary="One motion, its mover and seconders"
)
def detail(request, motion_id: int):
    return motion_out(visible_motion(request.auth, motion_id), request.auth)


@motions_router.post(
    "/{int:motion_id}/seconders",
    response={201: MotionOut, **ERRORS},
    summary="Second a motion (not your own; 409 if you already have)",
)
def second(request, motion_id: int):
    motion = visible_motion(request.auth, motion_id)
    _, error = _conflict(lambda: motion_actions.second_motion(actor=request.auth, motion=motion))
    if error is not None:
        return error
    motion.refresh_from_db()
    return Status(201, motion_out(motion, request.auth))


@motions_router.post("/{int:motion_id}/withdraw", response={200: MotionOut, **ERRORS}, summary="Withdraw (the mover)")
def withdraw(request, motion_id: int):
    motion = motion_actions.withdraw_motion(actor=request.auth, motion=visible_motion(request.auth, motion_id))
    return motion_out(motion, request.auth)


@motions_router.post(
    "/{int:motion_id}/schedule",
    response={200: MotionOut, **ERRORS},
    summary="Schedule an eligible motion into a vote (staff or the standing-orders group)",
)
def schedule(request, motion_id: int, data: ScheduleIn):
    motion = visible_motion(request.auth, motion_id)
    motion = motion_actions.schedule_motion(actor=request.auth, motion=motion, **data.dict())
    return motion_out(motion, request.auth)


@motions_router.post("/composite", response={201: MotionOut, **ERRORS}, summary="Composite motions (staff)")
def composite(request, data: CompositeIn):
    motions = [visible_motion(request.auth, pk) for pk in data.motions]
    motion = motion_actions.composite_motions(actor=request.auth, motions=motions, title=data.title, text=data.text)
    return Status(201, motion_out(motion, request.auth))


@motions_router.get("/{int:motion_id}/amendments", response={200: list[AmendmentOut], **ERRORS}, summary="Amendments")
def amendments(request, motion_id: int):
    motion = visible_motion(request.auth, motion_id)
    return [amendment_out(a) for a in motion.amendments.select_related("mover")]


@motions_router.post(
    "/{int:motion_id}/amendments",
    response={201: AmendmentOut, **ERRORS},
    summary="Propose an amendment: the whole text as amended (the diff is worked out)",
)
def propose_amendment(request, motion_id: int, data: AmendmentIn):
    motion = visible_motion(request.auth, motion_id)
    amendment = amendment_actions.propose_amendment(
        actor=request.auth, motion=motion, text=data.text, reason=data.reason
    )
    return Status(201, amendment_out(amendment))


@motions_router.post(
    "/{int:motion_id}/amendments/{int:amendment_id}/seconders",
    response={201: AmendmentOut, **ERRORS},
    summary="Second an amendment (not your own; 409 if you already have)",
)
def second_amendment(request, motion_id: int, amendment_id: int):
    amendment = motion_amendment(visible_motion(request.auth, motion_id), amendment_id)
    _, error = _conflict(lambda: amendment_actions.second_amendment(actor=request.auth, amendment=amendment))
    if error is not None:
        return error
    amendment.refresh_from_db()
    return Status(201, amendment_out(amendment))


@motions_router.post(
    "/{int:motion_id}/amendments/{int:amendment_id}/accept",
    response={200: AcceptOut, **ERRORS},
    summary="Accept an amendment as friendly (the motion's mover): the motion's text becomes the amended text",
)
def accept(request, motion_id: int, amendment_id: int):
    motion = visible_motion(request.auth, motion_id)
    amendment = amendment_actions.accept_amendment(actor=request.auth, amendment=motion_amendment(motion, amendment_id))
    motion.refresh_from_db()
    return {**amendment_out(amendment), "motion": motion_out(motion, request.auth)}
