"""Member motions: propose, second, withdraw, composite (staff), and schedule into a vote (staff or the
standing-orders group). Amendments are in amendments.py; what a vote's result does to a motion in outcomes.py."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leveller.accounts.models import Status
from leveller.core import audit
from leveller.elections.models import (
    AmendmentState,
    Election,
    Kind,
    Motion,
    MotionRevision,
    MotionState,
    Process,
    Seconder,
    Threshold,
)
from leveller.groups.models import GroupMembership

# Caps that stop one account flooding the lists (generous for real use).
MAX_OPEN_MOTIONS_PER_MEMBER = 10


class AlreadyDone(ValidationError):
    """The member already did this (seconding twice): the API answers 409."""


def require_member_in_good_standing(actor, doing: str = "take part") -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied("Log in first.")
    if actor.status != Status.MEMBER:
        raise PermissionDenied(f"Only members whose membership is current can {doing}.")


def current_process(now=None) -> Process | None:
    """The newest process taking motions now (None when there is none: motions then stand on their own)."""
    for process in Process.objects.all()[:20]:
        if process.accepting_motions(now):
            return process
    return None


def _clean(title: str, text: str) -> tuple[str, str]:
    title, text = (title or "").strip(), (text or "").strip()
    errors = []
    if not title:
        errors.append("Give the motion a title.")
    elif len(title) > 200:
        errors.append("Keep the title to 200 characters.")
    if len(text) < 20:
        errors.append("Write the motion's text: what the organisation should resolve to do (at least a sentence).")
    elif len(text) > 20000:
        errors.append("Keep the motion's text to 20,000 characters.")
    if errors:
        raise ValidationError(errors)
    return title, text


def revise(motion: Motion, text: str, reason: str, *, actor=None, amendment=None) -> None:
    motion.text = text
    motion.save(update_fields=["text"])
    MotionRevision.objects.create(motion=motion, text=text, reason=reason[:200], actor=actor, amendment=amendment)


@transaction.atomic
def propose_motion(
    *, actor, title: str, text: str, supporting_statement: str = "", process: Process | None = None
) -> Motion:
    """Any member in good standing drafts a motion; it then needs the process's number of seconders."""
    require_member_in_good_standing(actor, "move motions")
    title, text = _clean(title, text)
    open_count = Motion.objects.filter(mover=actor, state__in=[MotionState.SEEKING_SECONDERS]).count()
    if open_count >= MAX_OPEN_MOTIONS_PER_MEMBER:
        raise ValidationError(
            f"You have {open_count} motions still seeking seconders. Withdraw one, or wait for seconders, first."
        )
    if process is None:
        process = current_process()
    elif not process.accepting_motions():
        raise ValidationError(f"{process.title} is not taking motions now.")
    needed = process.seconders_needed if process else settings.ELECTIONS_MOTION_SECONDERS
    motion = Motion.objects.create(
        process=process,
        title=title,
        text=text,
        original_text=text,
        supporting_statement=(supporting_statement or "").strip()[:5000],
        mover=actor,
        seconders_needed=needed,
        state=MotionState.ELIGIBLE if needed == 0 else MotionState.SEEKING_SECONDERS,
    )
    MotionRevision.objects.create(motion=motion, text=text, reason="proposed", actor=actor)
    audit.record(actor=actor, action="motion.proposed", target=motion, summary=title)
    return motion


def _lock(motion: Motion) -> Motion:
    return Motion.objects.select_for_update().get(pk=motion.pk)


@transaction.atomic
def second_motion(*, actor, motion: Motion) -> Seconder:
    """A member seconds a motion (not their own, once). The motion becomes eligible at the threshold."""
    require_member_in_good_standing(actor, "second motions")
    motion = _lock(motion)
    if motion.mover_id == actor.pk:
        raise PermissionDenied("You moved this motion, so you cannot also second it.")
    if motion.state not in (MotionState.SEEKING_SECONDERS, MotionState.ELIGIBLE):
        raise ValidationError(f"This motion is {motion.get_state_display().lower()}; it can no longer be seconded.")
    try:
        with transaction.atomic():
            seconder = Seconder.objects.create(motion=motion, member=actor)
    except IntegrityError:
        raise AlreadyDone("You have already seconded this motion.")
    if motion.state == MotionState.SEEKING_SECONDERS and motion.seconders.count() >= motion.seconders_needed:
        motion.state = MotionState.ELIGIBLE
        motion.save(update_fields=["state"])
    return seconder


@transaction.atomic
def withdraw_motion(*, actor, motion: Motion) -> Motion:
    """The mover withdraws their motion, any time before it is scheduled."""
    motion = _lock(motion)
    if motion.mover_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the mover can withdraw a motion.")
    if motion.state not in (MotionState.SEEKING_SECONDERS, MotionState.ELIGIBLE):
        raise ValidationError("A motion can only be withdrawn before it is scheduled for a vote.")
    motion.state = MotionState.WITHDRAWN
    motion.save(update_fields=["state"])
    audit.record(actor=actor, action="motion.withdrawn", target=motion, summary=motion.title)
    return motion


def can_schedule(actor, motion: Motion) -> bool:
    """Staff, or a member of the process's (elected) standing-orders group."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_staff_member:
        return True
    slug = motion.process.standing_orders_group if motion.process_id else ""
    if not slug:
        return False
    return GroupMembership.objects.filter(group__slug=slug, member=actor).exists()


def _vote(actor, *, title: str, description: str, motion: Motion, closes_at, quorum: int, threshold: str):
    from leveller.elections.actions.setup import create_election

    return create_election(
        actor=actor,
        title=title[:200],
        kind=Kind.MOTION,
        description=description,
        voting_closes_at=closes_at,
        quorum=quorum,
        threshold=threshold,
        process=motion.process,
        authorised=True,
    )


def motion_description(motion: Motion) -> str:
    seconders = ", ".join(s.member.display_name for s in motion.seconders.select_related("member"))
    mover = motion.mover.display_name if motion.mover else "a former member"
    return f"{motion.text}\n\nMoved by {mover}; seconded by {seconders or 'nobody (none were needed)'}."


@transaction.atomic
def schedule_motion(
    *,
    actor,
    motion: Motion,
    voting_closes_at: dt.datetime,
    amendments_close_at: dt.datetime | None = None,
    quorum: int = 0,
    threshold: str = Threshold.SIMPLE,
) -> Motion:
    """Put an eligible motion to the members. Contested (seconded, not accepted) amendments are voted on first,
    closing at `amendments_close_at`; the motion's own vote opens when they are decided, on the text they made."""
    from leveller.elections.actions.transitions import open_voting

    if not can_schedule(actor, motion):
        raise PermissionDenied("Only staff or the standing-orders group can schedule motions.")
    motion = _lock(motion)
    if motion.state == MotionState.SEEKING_SECONDERS:
        have = motion.seconders.count()
        raise ValidationError(
            f"This motion has {have} of the {motion.seconders_needed} seconders it needs, so it cannot be scheduled."
        )
    if motion.state != MotionState.ELIGIBLE:
        raise ValidationError(
            f"This motion is {motion.get_state_display().lower()}; only eligible motions can be scheduled."
        )
    now = timezone.now()
    if voting_closes_at is None or voting_closes_at <= now:
        raise ValidationError("Set when the vote on the motion closes (in the future).")
    contested = list(motion.amendments.filter(state=AmendmentState.ELIGIBLE))
    if contested and (amendments_close_at is None or not now < amendments_close_at < voting_closes_at):
        raise ValidationError(
            "This motion has contested amendments: set when their votes close, after now and before the motion's."
        )
    staff = actor
    numbers = {
        pk: n for n, pk in enumerate(motion.amendments.order_by("created_at", "id").values_list("pk", flat=True), 1)
    }
    for amendment in contested:
        n = numbers[amendment.pk]
        election = _vote(
            staff,
            title=f"Amendment {n} to “{motion.title}”",
            description=f"Should “{motion.title}” read:\n\n{amendment.text}",
            motion=motion,
            closes_at=amendments_close_at,
            quorum=quorum,
            threshold=Threshold.SIMPLE,
        )
        election.channel = motion.channel
        election.save(update_fields=["channel"])
        amendment.election = election
        amendment.state = AmendmentState.SCHEDULED
        amendment.save(update_fields=["election", "state"])
        open_voting(actor=staff, election=election, authorised=True)
    election = _vote(
        staff,
        title=motion.title,
        description=motion_description(motion),
        motion=motion,
        closes_at=voting_closes_at,
        quorum=quorum,
        threshold=threshold,
    )
    election.channel = motion.channel
    election.save(update_fields=["channel"])
    motion.election = election
    motion.state = MotionState.SCHEDULED
    motion.scheduled_at = now
    motion.vote_closes_at = voting_closes_at
    motion.save(update_fields=["election", "state", "scheduled_at", "vote_closes_at"])
    audit.record(
        actor=actor,
        action="motion.scheduled",
        target=motion,
        summary=f"{motion.title}: {len(contested)} amendment vote(s) first" if contested else motion.title,
    )
    if not contested:
        open_voting(actor=staff, election=election, authorised=True)
    return motion


@transaction.atomic
def composite_motions(*, actor, motions: list[Motion], title: str, text: str) -> Motion:
    """Staff merge several motions into one composite. The originals stay, marked composited, linked to it;
    their movers and seconders second the composite (it is eligible at once)."""
    if actor is None or not actor.is_staff_member:
        raise PermissionDenied("Only staff can composite motions.")
    motions = [_lock(m) for m in motions]
    if len(motions) < 2:
        raise ValidationError("Choose at least two motions to composite.")
    if bad := [m.title for m in motions if m.state not in (MotionState.SEEKING_SECONDERS, MotionState.ELIGIBLE)]:
        raise ValidationError("These motions can no longer be composited: " + "; ".join(bad))
    title, text = _clean(title, text)
    first = motions[0]
    composite = Motion.objects.create(
        process=first.process,
        title=title,
        text=text,
        original_text=text,
        mover=first.mover,
        seconders_needed=0,
        state=MotionState.ELIGIBLE,
    )
    MotionRevision.objects.create(
        motion=composite,
        text=text,
        reason="composited from " + "; ".join(f"“{m.title}” (#{m.pk})" for m in motions),
        actor=actor,
    )
    supporters = set()
    for motion in motions:
        supporters |= {motion.mover_id, *motion.seconders.values_list("member_id", flat=True)}
        motion.state = MotionState.COMPOSITED
        motion.composited_into = composite
        motion.save(update_fields=["state", "composited_into"])
    supporters.discard(None)
    supporters.discard(composite.mover_id)
    Seconder.objects.bulk_create([Seconder(motion=composite, member_id=pk) for pk in sorted(supporters)])
    audit.record(actor=actor, action="motion.composited", target=composite, summary=title)
    return composite


def motion_for_election(election: Election) -> Motion | None:
    return Motion.objects.filter(election=election).first()
