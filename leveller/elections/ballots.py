"""Reading a ballot paper (form or API) into the stored choices, with messages a voter can act on.

Nothing here writes; `actions.cast_ballot` calls `clean_choices` before it stores anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError

from leveller.elections.models import Candidate, Election, Kind

ANSWERS = {"yes": "Yes", "no": "No", "abstain": "Abstain"}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _names(candidates: list[Candidate]) -> str:
    names = [c.name for c in candidates]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def ranks_from_form(data: Mapping, options: list[Candidate]) -> dict[int, str]:
    """The raw number chosen for each candidate (`rank-<id>` fields), kept as typed so a page can re-show it."""
    return {c.pk: (data.get(f"rank-{c.pk}") or "").strip() for c in options}


def ranking_from_ranks(ranks: dict[int, str], options: list[Candidate]) -> list[int]:
    """Turn "candidate → preference number" into a ranking (candidate ids, first preference first).

    Every problem is reported at once: numbers that are not numbers, the same number twice, gaps.
    """
    by_id = {c.pk: c for c in options}
    errors: list[str] = []
    chosen: dict[int, list[Candidate]] = {}
    for pk, raw in ranks.items():
        if raw == "":
            continue
        try:
            number = int(raw)
        except ValueError:
            errors.append(f"“{raw}” is not a preference number for {by_id[pk].name}. Choose 1st, 2nd, 3rd…")
            continue
        if not 1 <= number <= len(options):
            errors.append(f"{by_id[pk].name}: preferences run from 1st to {ordinal(len(options))}.")
            continue
        chosen.setdefault(number, []).append(by_id[pk])
    for number, people in sorted(chosen.items()):
        if len(people) > 1:
            errors.append(
                f"You gave your {ordinal(number)} preference to {_names(people)}. "
                "Give each preference number to one candidate only."
            )
    numbers = sorted(chosen)
    if numbers and not errors:
        expected = list(range(1, len(numbers) + 1))
        if numbers != expected:
            missing = next(n for n in expected if n not in chosen)
            errors.append(
                f"Your preferences skip your {ordinal(missing)} preference. Number them 1st, 2nd, 3rd… "
                "with no gaps (you do not have to rank everyone)."
            )
    if not numbers and not errors:
        errors.append("Give your 1st preference to at least one candidate before you continue.")
    if errors:
        raise ValidationError(errors)
    return [chosen[n][0].pk for n in numbers]


def clean_choices(
    election: Election,
    options: list[Candidate],
    *,
    ranking: Iterable[int] | None = None,
    approvals: Iterable[int] | None = None,
    answer: str | None = None,
) -> tuple[list[int], str]:
    """Check a ballot against the election; return what is stored: (choices, answer)."""
    valid = {c.pk for c in options}
    if election.kind == Kind.MOTION:
        answer = (answer or "").strip().lower()
        if answer not in ANSWERS:
            raise ValidationError("Choose Yes, No or Abstain.")
        return [], answer
    if election.kind == Kind.APPROVAL:
        picked = _ids(approvals)
        if not picked:
            raise ValidationError("Tick at least one proposal you support.")
        if len(set(picked)) != len(picked) or not set(picked) <= valid:
            raise ValidationError("That ballot names a proposal that is not on this ballot paper, or one twice.")
        return sorted(set(picked)), ""
    order = _ids(ranking)
    if not order:
        raise ValidationError("Give your 1st preference to at least one candidate before you continue.")
    if len(set(order)) != len(order):
        raise ValidationError("A candidate appears twice in your ranking. Rank each candidate at most once.")
    if not set(order) <= valid:
        raise ValidationError("Your ranking names someone who is not on this ballot paper.")
    return order, ""


def _ids(values: Iterable | None) -> list[int]:
    out = []
    for value in values or []:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError(f"“{value}” is not a candidate on this ballot paper.") from None
    return out


def describe(election: Election, options: list[Candidate], choices: list[int], answer: str) -> list[str]:
    """The ballot in words, for the confirmation page and the receipt check."""
    names = {c.pk: c.name for c in options}
    if election.kind == Kind.MOTION:
        return [ANSWERS.get(answer, answer)]
    if election.kind == Kind.APPROVAL:
        return [names.get(pk, "?") for pk in choices]
    return [f"{ordinal(i)}: {names.get(pk, '?')}" for i, pk in enumerate(choices, 1)]
