"""Counting stored ballots: STV through leveller.stv, approval by totals, motions by quorum and threshold.

Every function returns plain JSON-able data (stored in ElectionResult.data) and reads nothing but the
anonymous ballots and the ballot paper.
"""

from __future__ import annotations

import random
from collections import Counter

from leveller import stv
from leveller.elections.models import THRESHOLD_FRACTIONS, Ballot, Candidate, Election, Kind, Threshold


def options_for_count(election: Election) -> list[Candidate]:
    return list(
        Candidate.objects.filter(election=election, status__in=["standing", "withdrawn"]).order_by(
            "position", "name", "id"
        )
    )


def engine_election(election: Election, ballots: list[tuple[str, list[int]]] | None = None) -> stv.Election:
    """The election as the STV engine sees it; ballots in the order given (receipt order for the BLT file)."""
    options = options_for_count(election)
    index = {c.pk: i for i, c in enumerate(options)}
    if ballots is None:
        ballots = sorted(Ballot.objects.filter(election=election).values_list("receipt", "choices"))
    rows = []
    for _, choices in ballots:
        ranking = tuple(index[pk] for pk in choices if pk in index)
        rows.append((1, ranking))
    withdrawn = frozenset(i for i, c in enumerate(options) if c.status == "withdrawn")
    standing = len(options) - len(withdrawn)
    return stv.Election(
        candidates=[c.name for c in options],
        seats=max(1, min(election.seats, standing)),
        ballots=rows,
        withdrawn=withdrawn,
        title=election.title.replace('"', "'"),
    )


def minimums_for(election: Election) -> list[stv.MinimumRepresentation]:
    if election.kind != Kind.STV:
        return []
    standing = [c for c in options_for_count(election) if c.status == "standing"]
    rules = []
    for rule in election.minimum_rules.all():
        members = tuple(c.name for c in standing if rule.category in c.tags)
        rules.append(stv.MinimumRepresentation(rule.category, min(rule.minimum, len(members)), members))
    return rules


def count_stv(election: Election, seed: int) -> dict:
    engine = engine_election(election)
    result = stv.count(engine, election.rules, seed=seed, minimums=minimums_for(election))
    data = result.to_dict()
    data["method"] = "stv"
    data["ballots"] = len(engine.ballots)
    return data


def count_approval(election: Election, seed: int) -> dict:
    options = [c for c in options_for_count(election) if c.status == "standing"]
    totals: Counter[int] = Counter()
    ballots = 0
    for choices in Ballot.objects.filter(election=election).values_list("choices", flat=True):
        ballots += 1
        totals.update(set(choices))
    draw = random.Random(seed)
    lots = {c.pk: draw.random() for c in options}
    ranked = sorted(options, key=lambda c: (-totals[c.pk], lots[c.pk]))
    picked = ranked[: election.seats]
    cutoff = totals[picked[-1].pk] if picked else 0
    lot_used = any(totals[c.pk] == cutoff for c in ranked[election.seats :]) and bool(picked)
    return {
        "method": "approval",
        "ballots": ballots,
        "seats": election.seats,
        "seed": seed,
        "lot_used": lot_used,
        "tallies": [{"name": c.name, "votes": totals[c.pk], "selected": c in picked} for c in ranked],
        "elected": [c.name for c in picked],
    }


def motion_outcome(*, yes: int, no: int, abstain: int, quorum: int, threshold: str) -> dict:
    """Quorum counts every ballot (abstentions too); the threshold compares yes with yes + no."""
    turnout = yes + no + abstain
    quorate = turnout >= quorum
    cast = yes + no
    fraction = THRESHOLD_FRACTIONS.get(threshold)
    if fraction is None:
        meets = yes > no
        needed = "more yes than no votes"
    else:
        num, den = fraction
        meets = cast > 0 and yes * den >= cast * num
        needed = f"at least {num}/{den} of yes and no votes"
    return {
        "method": "motion",
        "yes": yes,
        "no": no,
        "abstain": abstain,
        "ballots": turnout,
        "quorum": quorum,
        "quorate": quorate,
        "threshold": threshold,
        "threshold_label": Threshold(threshold).label,
        "needed": needed,
        "passed": quorate and meets,
        "yes_share": f"{(100 * yes / cast):.1f}" if cast else "0.0",
    }


def count_motion(election: Election) -> dict:
    counts = Counter(Ballot.objects.filter(election=election).values_list("answer", flat=True))
    return motion_outcome(
        yes=counts["yes"],
        no=counts["no"],
        abstain=counts["abstain"],
        quorum=election.quorum,
        threshold=election.threshold,
    )


def count(election: Election, seed: int) -> dict:
    if election.kind == Kind.MOTION:
        return count_motion(election)
    if election.kind == Kind.APPROVAL:
        return count_approval(election, seed)
    return count_stv(election, seed)
