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


def _declare_members_decide() -> None:
    from leveller.elections.decide_models import (
        Amendment,
        AmendmentSeconder,
        HustingsAnswer,
        HustingsQuestion,
        MailOptOut,
        Motion,
        MotionRevision,
        Process,
        Seconder,
    )

    declare(
        Process,
        what="A decision process (for example the re-foundation): its stages, dates and rules",
        why="Members deciding the organisation's future",
        basis="Legitimate interests",
        kept="Kept as the organisation's record",
        who="Every member",
    )
    for model, what in (
        (Motion, "Members' motions: title, text, supporting statement, mover and state (political opinions)"),
        (Amendment, "Amendments to motions: the amended text, the reason and the mover (political opinions)"),
        (MotionRevision, "Each change to a motion's text and who made it"),
    ):
        declare(
            model,
            what=what,
            why="Members putting proposals to the membership",
            basis="Article 9(2)(d): a not-for-profit body's members",
            kept="Kept as the organisation's record; the mover shows as 'Former member' after erasure",
            who="Every member",
            special=True,
        )
    for model, what in (
        (Seconder, "Who seconded which motion"),
        (AmendmentSeconder, "Who seconded which amendment"),
    ):
        declare(
            model,
            what=what,
            why="A motion or amendment needs seconders to go to a vote",
            basis="Article 9(2)(d): a not-for-profit body's members",
            kept="As long as the motion; removed on erasure",
            who="Every member",
            special=True,
        )
    declare(
        HustingsQuestion,
        what="Questions members ask candidates, with who asked",
        why="Hustings before an election",
        basis="Article 9(2)(d): a not-for-profit body's members",
        kept="As long as the election",
        who="Every member",
        special=True,
    )
    declare(
        HustingsAnswer,
        what="Candidates' written answers to hustings questions",
        why="Hustings before an election",
        basis="Article 9(2)(d): a not-for-profit body's members",
        kept="As long as the election",
        who="Every member",
        special=True,
    )
    declare(
        MailOptOut,
        what="Which kinds of vote email a member turned off",
        why="One-click unsubscribe from each kind of vote email",
        basis="Legal obligation (PECR)",
        kept="As long as the membership",
        who="The member; staff",
    )


_declare_members_decide()


@exporter("member_motions", title="Motions and amendments you moved or seconded", order=74)
def export_member_motions(member):
    from leveller.elections.decide_models import Amendment, AmendmentSeconder, Motion, Seconder

    for row in Motion.objects.filter(mover=member).values("title", "text", "state", "created_at").iterator():
        yield {"kind": "motion moved", **row}
    for row in Seconder.objects.filter(member=member).values("motion__title", "created_at").iterator():
        yield {"kind": "motion seconded", "title": row["motion__title"], "created_at": row["created_at"]}
    for row in Amendment.objects.filter(mover=member).values("motion__title", "text", "state", "created_at").iterator():
        yield {
            "kind": "amendment moved",
            "title": row["motion__title"],
            **{k: row[k] for k in ("text", "state", "created_at")},
        }
    for row in (
        AmendmentSeconder.objects.filter(member=member).values("amendment__motion__title", "created_at").iterator()
    ):
        yield {"kind": "amendment seconded", "title": row["amendment__motion__title"], "created_at": row["created_at"]}
