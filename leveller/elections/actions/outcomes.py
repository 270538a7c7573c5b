"""What a published result does to a motion: amendment votes change its text, and once every amendment is
decided the motion's own vote opens on that text; the motion's vote carries or loses it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils import timezone

from leveller.core import audit
from leveller.elections import textdiff
from leveller.elections.actions.motions import motion_description, revise
from leveller.elections.models import Amendment, AmendmentState, Election, Motion, MotionState, State

MIN_MOTION_VOTE = dt.timedelta(days=1)


def _passed(election: Election) -> bool:
    result = getattr(election, "result", None)
    return bool(result and result.data and result.data.get("passed"))


def vote_published(*, actor, election: Election) -> None:
    """Called by publish_results, inside its transaction."""
    amendment = Amendment.objects.filter(election=election).select_related("motion").first()
    if amendment is not None:
        _amendment_decided(actor, amendment, election)
        return
    motion = Motion.objects.filter(election=election).first()
    if motion is not None and motion.state == MotionState.SCHEDULED:
        motion.state = MotionState.CARRIED if _passed(election) else MotionState.LOST
        motion.save(update_fields=["state"])
        audit.record(actor=actor, action=f"motion.{motion.state}", target=motion, summary=motion.title)


def _amendment_decided(actor, amendment: Amendment, election: Election) -> None:
    amendment.state = AmendmentState.CARRIED if _passed(election) else AmendmentState.LOST
    amendment.decided_at = timezone.now()
    amendment.save(update_fields=["state", "decided_at"])
    motion = Motion.objects.select_for_update().get(pk=amendment.motion_id)
    if motion.amendments.filter(state=AmendmentState.SCHEDULED).exists():
        return  # wait for the other amendment votes
    _apply_carried(actor, motion)
    _open_motion_vote(actor, motion)


def _apply_carried(actor, motion: Motion) -> None:
    """Apply the carried amendments in the order they were proposed; one that overlaps an earlier one falls."""
    for n, amendment in enumerate(motion.amendments.order_by("created_at", "id"), 1):  # numbered as on the page
        if amendment.state != AmendmentState.CARRIED or amendment.election_id is None:
            continue
        try:
            text = textdiff.merge(amendment.base_text, motion.text, amendment.text)
        except textdiff.Conflict:
            amendment.state = AmendmentState.FELL
            amendment.save(update_fields=["state"])
            continue
        revise(motion, text, f"amendment {n} carried by the members' vote", actor=actor, amendment=amendment)


def _open_motion_vote(actor, motion: Motion) -> None:
    from leveller.elections.actions.setup import update_election
    from leveller.elections.actions.transitions import open_voting

    election = motion.election
    if election is None or election.state != State.DRAFT:
        return
    closes = election.voting_closes_at
    now = timezone.now()
    if closes is None or closes < now + MIN_MOTION_VOTE:
        closes = now + MIN_MOTION_VOTE
    update_election(
        actor=actor,
        election=election,
        authorised=True,
        description=motion_description(motion),
        voting_closes_at=closes,
    )
    open_voting(actor=actor, election=election, authorised=True)


def amendment_votes_close(motion: Motion):
    return motion.amendments.filter(election__isnull=False).aggregate(at=Max("election__voting_closes_at"))["at"]
