"""Elections' part of members' data rights. Ballots name nobody, so no copy or erasure can touch them: an
erased member's ballot stays counted, and the roll keeps only that an (anonymous) former member voted."""

from __future__ import annotations

from leveller.elections.models import (
    Ballot,
    Candidate,
    Election,
    ElectionResult,
    Kind,
    MinimumRule,
    Nomination,
    VoterRoll,
)
from leveller.privacy.registry import declare, exporter

declare(
    Election,
    what="Elections, motions and primaries: their settings and timetable, who created them",
    why="Internal democracy",
    basis="Legitimate interests; Article 9(2)(d)",
    kept="Kept as the record of decisions",
    who="Members (past draft); staff",
)
declare(
    Candidate,
    what="Candidates and proposals: name, statement, categories, the member standing",
    why="Elections",
    basis="Legitimate interests; Article 9(2)(e) (made public by the candidate)",
    kept="Kept as the record of the election",
    who="Members",
    special=True,
)
declare(
    Nomination,
    what="Who nominated which candidate (a member or a group)",
    why="Nomination thresholds",
    basis="Legitimate interests; Article 9(2)(d)",
    kept="Kept as the record of the election; an erased nominator is 'Former member'",
    who="Staff running the election; the candidate",
    special=True,
)
declare(
    MinimumRule,
    what="Rules reserving seats for categories",
    why="Elections",
    basis="Legitimate interests",
    kept="As long as the election",
    who="Members",
)
declare(
    VoterRoll,
    what="That a member voted in an election, and the date (never how)",
    why="One member, one vote; turnout",
    basis="Legitimate interests; Article 9(2)(d)",
    kept="Kept as the record of the election",
    who="Staff running the election",
    special=True,
)
declare(
    Ballot,
    what="Anonymous ballots: choices and a receipt code, with no member, time or link to the roll",
    why="Counting votes",
    basis="Legitimate interests; Article 9(2)(d) (not personal data: nothing links a ballot to a person)",
    kept="Kept as the record of the count",
    who="The count; anyone with a receipt code can check theirs",
)
declare(
    ElectionResult,
    what="The count's result",
    why="Publishing results",
    basis="Legitimate interests",
    kept="Kept as the record",
    who="Members, once published",
)


@exporter("nominations", title="Nominations you made", order=70)
def export_nominations(member):
    rows = Nomination.objects.filter(member=member).values(
        "candidate__name", "candidate__election__title", "created_at"
    )
    for row in rows.order_by("id").iterator():
        yield {
            "candidate": row["candidate__name"],
            "election": row["candidate__election__title"],
            "created_at": row["created_at"],
        }


@exporter("candidacies", title="Elections you stood in", order=71)
def export_candidacies(member):
    rows = Candidate.objects.filter(member=member).values(
        "election__title", "name", "statement", "status", "created_at"
    )
    yield from rows.order_by("id").iterator()


@exporter("motions", title="Motions you put forward", order=72)
def export_motions(member):
    rows = Election.objects.filter(created_by=member, kind=Kind.MOTION).values(
        "title", "description", "state", "created_at"
    )
    yield from rows.order_by("id").iterator()


@exporter("votes_cast", title="Votes you took part in (never how you voted)", order=73)
def export_votes(member):
    rows = VoterRoll.objects.filter(member=member).values("election__title", "voted_on")
    for row in rows.order_by("id").iterator():
        yield {"election": row["election__title"], "voted_on": row["voted_on"]}
