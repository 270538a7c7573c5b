"""What the results page shows, from the stored result (no recount on page view)."""

from __future__ import annotations

from decimal import Decimal

from leveller.elections import numbers
from leveller.elections.charts import bar_chart
from leveller.elections.models import Election, Kind, State


def _stage_rows(data: dict) -> list[dict]:
    standing = [c for c in data.get("candidates", []) if c not in data.get("withdrawn", [])]
    rules = data.get("rules", "")
    rows = []
    fate: dict[str, str] = {}
    for stage in data.get("stages", []):
        for e in stage["elected"]:
            fate[e["candidate"]] = f"Elected at stage {stage['number']}"
        for e in stage["excluded"]:
            fate.setdefault(e["candidate"], f"Excluded at stage {stage['number']}")
    for name in standing:
        rows.append(
            {
                "name": name,
                "cells": [
                    {
                        "votes": numbers.votes(s["votes"].get(name, "0"), rules),
                        "change": numbers.change(s["transfers"].get(name, "0"), rules),
                    }
                    for s in data.get("stages", [])
                ],
                "fate": fate.get(name, "Not elected"),
                "elected": name in data.get("elected", []),
            }
        )
    return rows


def recount_command(election: Election, data: dict) -> str:
    """The `leveller stv count` command line that reproduces this count from the downloaded BLT file."""
    numbers = {name: i + 1 for i, name in enumerate(data.get("candidates", []))}
    parts = [f"leveller stv count vote-{election.pk}.blt", f"--rules {data['rules']}", f"--seats {data['seats']}"]
    parts.append(f"--seed {data['seed']}")
    for rule in data.get("minimums", []):
        members = ",".join(str(numbers[m]) for m in rule["members"] if m in numbers)
        parts.append(f"--minimum {rule['category']}:{rule['minimum']}:{members}")
    return " ".join(parts)


def result_context(election: Election) -> dict:
    result = getattr(election, "result", None)
    data = result.data if result else {}
    context = {"election": election, "result": result, "data": data}
    if not data:
        return context
    if data.get("method") == "stv":
        context["stage_rows"] = _stage_rows(data)
        rules = data.get("rules", "")
        context["stages"] = [{**s, "quota": numbers.votes(s["quota"], rules, quota=True)} for s in data["stages"]]
        context["nontransferable"] = [numbers.votes(s["non_transferable"]["total"], rules) for s in data["stages"]]
        context["quota_shown"] = numbers.votes(data["quota"], rules, quota=True)
        context["recount"] = recount_command(election, data)
    elif data.get("method") == "approval":
        context["chart"] = bar_chart(
            chart_id="approvals",
            title=f"Approvals for each proposal in {election.title}",
            description="Number of ballots approving each proposal; the top "
            f"{data['seats']} are selected. The same numbers are in the table.",
            bars=[(t["name"], t["votes"], "elected" if t["selected"] else "") for t in data["tallies"]],
        )
    elif data.get("method") == "motion":
        context["chart"] = bar_chart(
            chart_id="motion",
            title=f"Votes on {election.title}",
            description=f"Yes {data['yes']}, No {data['no']}, Abstain {data['abstain']}.",
            bars=[("Yes", data["yes"], ""), ("No", data["no"], ""), ("Abstain", data["abstain"], "")],
        )
    if election.kind == Kind.RANKED and data.get("method") == "stv":
        context["picked_word"] = "Selected"
    context["quota"] = Decimal(data["quota"]) if data.get("quota") else None
    return context


def _published_data(election: Election | None) -> dict | None:
    if election is None or election.state != State.PUBLISHED or not hasattr(election, "result"):
        return None
    return election.result.data or None


def decision_stages(election: Election) -> list[dict]:
    """For a vote on a member motion (or on one of its amendments): the motion as moved, each friendly and
    contested amendment with its outcome, and the final vote — every stage of the decision, in order."""
    from leveller.elections import textdiff
    from leveller.elections.models import Amendment, Motion

    motion = Motion.objects.filter(election=election).first()
    if motion is None:
        amendment = Amendment.objects.filter(election=election).select_related("motion").first()
        motion = amendment.motion if amendment else None
    if motion is None:
        return []
    stages = [{"label": f"Moved: “{motion.title}”", "outcome": "Text as first moved", "diff": None}]
    for n, amendment in enumerate(motion.amendments.select_related("election"), 1):
        if amendment.state not in ("accepted", "carried", "lost", "fell", "scheduled"):
            continue
        stages.append(
            {
                "label": f"Amendment {n}" + (" (accepted as friendly)" if amendment.state == "accepted" else ""),
                "election": amendment.election,
                "data": _published_data(amendment.election),
                "outcome": amendment.get_state_display(),
                "diff": textdiff.diff_html(amendment.base_text, amendment.text),
            }
        )
    final = motion.election
    stages.append(
        {
            "label": "The motion as amended" if motion.text != motion.original_text else "The motion",
            "election": final,
            "data": _published_data(final),
            "outcome": motion.get_state_display(),
            "diff": textdiff.diff_html(motion.original_text, motion.text)
            if motion.text != motion.original_text
            else None,
        }
    )
    return stages
