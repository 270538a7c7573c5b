"""Deliberation: each vote and each motion has a discussion channel members join from its page (through
leveller.chat's actions), and elections a hustings: members ask, candidates answer in writing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.chat.actions import channels as channel_actions
from leveller.chat.models import Channel
from leveller.elections.eligibility import ineligibility_reason
from leveller.elections.models import (
    Candidate,
    CandidateStatus,
    Election,
    HustingsAnswer,
    HustingsQuestion,
    Kind,
    Motion,
    State,
)

MAX_QUESTIONS_PER_MEMBER = 5


def _channel_name(prefix: str, pk: int) -> str:
    base, n = f"{prefix}-{pk}", 2
    name = base
    while Channel.objects.filter(name__iexact=name).exists():
        name, n = f"{base}-{n}", n + 1
    return name


def _new_channel(prefix: str, pk: int, purpose: str) -> Channel:
    return channel_actions.create_channel(
        actor=None, name=_channel_name(prefix, pk), purpose=purpose[:250], section="votes"
    )


@transaction.atomic
def join_discussion(*, actor, election: Election | None = None, motion: Motion | None = None) -> Channel:
    """The member joins the discussion of a vote or a motion (its channel is made on first use)."""
    if (election is None) == (motion is None):
        raise ValueError("join_discussion needs exactly one of election or motion")
    if motion is None:
        motion = Motion.objects.filter(election=election).first()
    if motion is not None:
        motion = Motion.objects.select_for_update().get(pk=motion.pk)
        if motion.channel_id is None:
            motion.channel = _new_channel("motion", motion.pk, f"Discussion of the motion “{motion.title}”.")
            motion.save(update_fields=["channel"])
        channel = motion.channel
        Election.objects.filter(motion=motion, channel__isnull=True).update(channel=channel)
        Election.objects.filter(amendment__motion=motion, channel__isnull=True).update(channel=channel)
    else:
        election = Election.objects.select_for_update().get(pk=election.pk)
        if election.channel_id is None:
            election.channel = _new_channel("vote", election.pk, f"Discussion of “{election.title}”.")
            election.save(update_fields=["channel"])
        channel = election.channel
    channel_actions.add_channel_member(actor=actor, channel=channel, member=actor)
    return channel


def _hustings_open(election: Election) -> Election:
    election = Election.objects.get(pk=election.pk)
    if election.kind != Kind.STV:
        raise ValidationError("Only elections of candidates have a hustings.")
    if election.state not in (State.NOMINATIONS, State.VOTING):
        raise ValidationError("The hustings is open while nominations and voting are.")
    return election


@transaction.atomic
def ask_question(*, actor, election: Election, text: str) -> HustingsQuestion:
    """A member of the electorate asks the candidates a question."""
    election = _hustings_open(election)
    reason = ineligibility_reason(election, actor)
    if reason:
        raise PermissionDenied(reason)
    text = (text or "").strip()
    if len(text) < 10:
        raise ValidationError("Write your question for the candidates (at least a few words).")
    if len(text) > 1000:
        raise ValidationError("Keep your question to 1,000 characters.")
    if HustingsQuestion.objects.filter(election=election, asked_by=actor).count() >= MAX_QUESTIONS_PER_MEMBER:
        raise ValidationError(
            f"You have asked {MAX_QUESTIONS_PER_MEMBER} questions in this hustings, the most one member can."
        )
    return HustingsQuestion.objects.create(election=election, asked_by=actor, text=text)


@transaction.atomic
def answer_question(*, actor, question: HustingsQuestion, text: str) -> HustingsAnswer:
    """A candidate answers (or rewrites their answer to) a hustings question."""
    election = _hustings_open(question.election)
    candidate = Candidate.objects.filter(
        election=election, member=actor, status__in=[CandidateStatus.NOMINATED, CandidateStatus.STANDING]
    ).first()
    if candidate is None:
        raise PermissionDenied("Only the candidates in this election can answer its hustings questions.")
    if question.hidden:
        raise ValidationError("That question has been removed.")
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write your answer.")
    if len(text) > 3000:
        raise ValidationError("Keep your answer to 3,000 characters.")
    answer, created = HustingsAnswer.objects.get_or_create(
        question=question, candidate=candidate, defaults={"text": text}
    )
    if not created:
        answer.text, answer.updated_at = text, timezone.now()
        answer.save(update_fields=["text", "updated_at"])
    return answer


@transaction.atomic
def hide_question(*, actor, question: HustingsQuestion) -> HustingsQuestion:
    if actor is None or not actor.is_staff_member:
        raise PermissionDenied("Only staff can remove hustings questions.")
    question.hidden = True
    question.save(update_fields=["hidden"])
    return question
