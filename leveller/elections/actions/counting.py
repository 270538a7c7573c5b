"""Counting a closed vote and storing the result (run inline for small votes, as a task for large ones)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leveller import stv
from leveller.elections import tally
from leveller.elections.actions._audit import record
from leveller.elections.actions.setup import _require_staff
from leveller.elections.models import Election, ElectionResult, State


@transaction.atomic
def count_election(*, actor, election: Election) -> ElectionResult:
    """Count the ballots of a closed vote. A count that cannot run leaves the vote closed with the reason."""
    if actor is not None:
        _require_staff(actor)
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.state not in (State.CLOSED, State.COUNTED):
        raise ValidationError("Only a closed vote can be counted.")
    seed = secrets.randbits(48)
    try:
        data, error = tally.count(election, seed), ""
    except stv.STVError as exc:
        data, error = {}, f"The count could not run: {exc}"
    result, _ = ElectionResult.objects.update_or_create(
        election=election,
        defaults={
            "data": data,
            "error": error,
            "seed": data.get("seed", seed) if data else seed,
            "ballots_counted": data.get("ballots", 0) if data else 0,
            "counted_at": timezone.now(),
            "published_at": None,
        },
    )
    before = election.state
    if not error:
        election.state = State.COUNTED
        election.save(update_fields=["state"])
    record(
        actor=actor,
        election=election,
        action="counted",
        summary=error or f"counted {result.ballots_counted} ballots (seed {result.seed})",
        changes={"state": (before, election.state)},
        seed=result.seed,
    )
    return result
