"""Casting a ballot, and the shuffles that keep ballots from lining up with the voter roll."""

from __future__ import annotations

import random
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leveller.elections.ballots import clean_choices
from leveller.elections.eligibility import ineligibility_reason
from leveller.elections.models import Ballot, Candidate, Election, VoterRoll, new_receipt

_random = random.SystemRandom()
# Each cast re-inserts this many earlier ballots with the new one, in a random order (see docs/elections.md).
MIX = 7
BATCH = 1000


def ballot_options(election: Election) -> list[Candidate]:
    """The names on the ballot paper: standing candidates, plus those who withdrew after voting opened."""
    options = Candidate.objects.filter(election=election, status__in=["standing", "withdrawn"])
    return list(options.order_by("position", "name", "id"))


def has_voted(election: Election, member) -> bool:
    return VoterRoll.objects.filter(election=election, member=member).exists()


@transaction.atomic
def cast_ballot(*, actor, election: Election, ranking=None, approvals=None, answer=None) -> str:
    """Record that `actor` voted and store their ballot with no link to them. Returns the receipt code."""
    election = Election.objects.select_for_update().get(pk=election.pk)
    if not election.voting_open_now():
        raise ValidationError("Voting is not open for this vote.")
    reason = ineligibility_reason(election, actor)
    if reason:
        raise PermissionDenied(reason)
    options = [c for c in ballot_options(election) if c.status == "standing"]
    choices, answer = clean_choices(election, options, ranking=ranking, approvals=approvals, answer=answer)
    try:
        with transaction.atomic():
            # The unique constraint (election, member) is what guarantees one ballot per member.
            VoterRoll.objects.create(election=election, member=actor, voted_on=timezone.localdate())
    except IntegrityError:
        raise ValidationError("You have already voted in this vote. Each member has one ballot.")
    receipt = new_receipt()
    while Ballot.objects.filter(election=election, receipt=receipt).exists():
        receipt = new_receipt()
    _insert_mixed(election, Ballot(election=election, receipt=receipt, choices=choices, answer=answer))
    return receipt


def _insert_mixed(election: Election, ballot: Ballot) -> None:
    """Store `ballot` together with a few earlier ones, deleted and re-inserted in a random order, so that the
    newest rows of the table (SQLite rowid, PostgreSQL ctid/xmin) do not single out the newest ballot."""
    pivot = uuid.UUID(int=_random.getrandbits(128))
    earlier = list(Ballot.objects.filter(election=election, id__gt=pivot).order_by("id")[:MIX])
    if len(earlier) < MIX:
        earlier += list(Ballot.objects.filter(election=election, id__lte=pivot).order_by("id")[: MIX - len(earlier)])
    if earlier:
        Ballot.objects.filter(id__in=[b.id for b in earlier]).delete()
    rows = [*earlier, ballot]
    _random.shuffle(rows)
    Ballot.objects.bulk_create(rows)


def remix_ballots(*, election: Election) -> int:
    """At close: delete every ballot and re-insert them ordered by their random key, in one transaction, so the
    table's physical order carries no trace of the order of voting. Called by `close_voting` (under its lock)."""
    ballots = list(Ballot.objects.filter(election=election).order_by("id"))
    Ballot.objects.filter(election=election).delete()
    for start in range(0, len(ballots), BATCH):
        Ballot.objects.bulk_create(ballots[start : start + BATCH])
    return len(ballots)
