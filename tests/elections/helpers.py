"""Helpers for election tests: members who may vote, and votes in each state."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.actions import voting as voting_actions
from leveller.elections.models import Kind
from tests.support.personas import make_member

_counter = itertools.count(1)
FREEZE = dt.date(2025, 1, 1)


def voter(name: str | None = None, *, joined: dt.date = dt.date(2020, 5, 1), **fields):
    n = next(_counter)
    return make_member(name or f"Voter {n}", f"voter{n}@example.org", password=None, joined_on=joined, **fields)


def voters(count: int) -> list:
    return [voter() for _ in range(count)]


def stv_election(staff, *, names=("Ann", "Bob", "Cat", "Dan"), seats=2, rules="scottish", open_voting=True, **extra):
    election = setup_actions.create_election(
        actor=staff,
        title=extra.pop("title", "Committee election"),
        kind=Kind.STV,
        seats=seats,
        rules=rules,
        freeze_date=extra.pop("freeze_date", FREEZE),
        voting_closes_at=timezone.now() + dt.timedelta(days=7),
        **extra,
    )
    for name in names:
        setup_actions.add_candidate(actor=staff, election=election, name=name, statement=f"{name}'s statement.")
    if open_voting:
        transition_actions.open_voting(actor=staff, election=election)
    return election


def candidate_ids(election) -> dict[str, int]:
    return {c.name: c.pk for c in election.candidates.all()}


def vote_ranked(election, member, *names) -> str:
    ids = candidate_ids(election)
    return voting_actions.cast_ballot(actor=member, election=election, ranking=[ids[n] for n in names])
