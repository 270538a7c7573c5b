"""Amendments to member motions: proposed as the whole amended text (shown as tracked changes), seconded,
accepted by the mover as friendly (merged at once), or contested (voted on before the motion)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from leveller.core import audit
from leveller.elections import textdiff
from leveller.elections.actions.motions import AlreadyDone, require_member_in_good_standing, revise
from leveller.elections.models import Amendment, AmendmentSeconder, AmendmentState, Motion, MotionState

OPEN_AMENDMENT_STATES = (AmendmentState.SEEKING_SECONDERS, AmendmentState.ELIGIBLE)
MAX_OPEN_AMENDMENTS_PER_MEMBER = 5  # per motion


def _open_motion(motion: Motion) -> Motion:
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.state not in (MotionState.SEEKING_SECONDERS, MotionState.ELIGIBLE):
        raise ValidationError(f"This motion is {motion.get_state_display().lower()}; it can no longer be amended.")
    return motion


@transaction.atomic
def propose_amendment(*, actor, motion: Motion, text: str, reason: str = "") -> Amendment:
    """A member proposes a change: `text` is the whole motion as they would have it read."""
    require_member_in_good_standing(actor, "propose amendments")
    motion = _open_motion(motion)
    if motion.process_id and not motion.process.accepting_amendments():
        raise ValidationError(f"{motion.process.title} is no longer taking amendments.")
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write the motion as your amendment would have it read.")
    if len(text) > 20000:
        raise ValidationError("Keep the amended text to 20,000 characters.")
    if text == motion.text.strip():
        raise ValidationError("Your amendment does not change the motion's text: edit the words you want changed.")
    mine = motion.amendments.filter(mover=actor, state__in=OPEN_AMENDMENT_STATES).count()
    if mine >= MAX_OPEN_AMENDMENTS_PER_MEMBER:
        raise ValidationError(f"You already have {mine} open amendments to this motion; withdraw one first.")
    needed = motion.process.amendment_seconders_needed if motion.process_id else settings.ELECTIONS_AMENDMENT_SECONDERS
    amendment = Amendment.objects.create(
        motion=motion,
        mover=actor,
        text=text,
        base_text=motion.text,
        reason=(reason or "").strip()[:2000],
        seconders_needed=needed,
        state=AmendmentState.ELIGIBLE if needed == 0 else AmendmentState.SEEKING_SECONDERS,
    )
    audit.record(actor=actor, action="motion.amendment_proposed", target=motion, data={"amendment": amendment.pk})
    return amendment


def _lock(amendment: Amendment) -> Amendment:
    return Amendment.objects.select_for_update().get(pk=amendment.pk)


@transaction.atomic
def second_amendment(*, actor, amendment: Amendment) -> AmendmentSeconder:
    require_member_in_good_standing(actor, "second amendments")
    _open_motion(amendment.motion)
    amendment = _lock(amendment)
    if amendment.mover_id == actor.pk:
        raise PermissionDenied("You proposed this amendment, so you cannot also second it.")
    if amendment.state not in OPEN_AMENDMENT_STATES:
        raise ValidationError(
            f"This amendment is {amendment.get_state_display().lower()}; it can no longer be seconded."
        )
    try:
        with transaction.atomic():
            seconder = AmendmentSeconder.objects.create(amendment=amendment, member=actor)
    except IntegrityError:
        raise AlreadyDone("You have already seconded this amendment.")
    if (
        amendment.state == AmendmentState.SEEKING_SECONDERS
        and amendment.seconders.count() >= amendment.seconders_needed
    ):
        amendment.state = AmendmentState.ELIGIBLE
        amendment.save(update_fields=["state"])
    return seconder


@transaction.atomic
def accept_amendment(*, actor, amendment: Amendment) -> Amendment:
    """The motion's mover accepts an amendment as friendly: it merges into the text now, with no vote."""
    motion = _open_motion(amendment.motion)
    if motion.mover_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the motion's mover can accept an amendment as friendly.")
    amendment = _lock(amendment)
    if amendment.state not in OPEN_AMENDMENT_STATES:
        raise ValidationError(f"This amendment is {amendment.get_state_display().lower()}; it cannot be accepted.")
    try:
        merged = textdiff.merge(amendment.base_text, motion.text, amendment.text)
    except textdiff.Conflict:
        raise ValidationError(
            "This amendment changes words that have changed since it was written. Ask its mover to propose it "
            "again against the current text."
        )
    revise(motion, merged, "friendly amendment accepted by the mover", actor=actor, amendment=amendment)
    amendment.state = AmendmentState.ACCEPTED
    amendment.save(update_fields=["state"])
    audit.record(actor=actor, action="motion.amendment_accepted", target=motion, data={"amendment": amendment.pk})
    return amendment


@transaction.atomic
def withdraw_amendment(*, actor, amendment: Amendment) -> Amendment:
    amendment = _lock(amendment)
    if amendment.mover_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the amendment's mover can withdraw it.")
    if amendment.state not in OPEN_AMENDMENT_STATES:
        raise ValidationError("An amendment can only be withdrawn before it is accepted or voted on.")
    amendment.state = AmendmentState.WITHDRAWN
    amendment.save(update_fields=["state"])
    return amendment
