"""Access helpers: return what the member may see, or raise Http404 / PermissionDenied."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from leveller.core.access import require_member, require_staff
from leveller.elections.models import Candidate, Election, State


def visible_election(actor, pk) -> Election:
    require_member(actor)
    election = Election.objects.visible_to(actor).filter(pk=pk).first()
    if election is None:
        raise Http404("No such vote.")
    return election


def managed_election(actor, pk) -> Election:
    require_staff(actor)
    election = Election.objects.filter(pk=pk).first()
    if election is None:
        raise Http404("No such vote.")
    return election


def election_candidate(election: Election, pk) -> Candidate:
    candidate = election.candidates.filter(pk=pk).first()
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def results_election(actor, pk) -> Election:
    """Results are for everyone once published; staff may check a count before publishing it."""
    election = visible_election(actor, pk)
    if election.state == State.PUBLISHED:
        return election
    if election.state == State.COUNTED and actor.is_staff_member:
        return election
    raise PermissionDenied("Results are hidden until the vote closes and the results are published.")


def visible_motion(actor, pk):
    from leveller.elections.models import Motion

    require_member(actor)
    motion = Motion.objects.visible_to(actor).select_related("mover", "process").filter(pk=pk).first()
    if motion is None:
        raise Http404("No such motion.")
    return motion


def motion_amendment(motion, pk):
    amendment = motion.amendments.select_related("mover").filter(pk=pk).first()
    if amendment is None:
        raise Http404("No such amendment.")
    return amendment


def election_question(election: Election, pk):
    question = election.questions.filter(pk=pk, hidden=False).first()
    if question is None:
        raise Http404("No such question.")
    return question
