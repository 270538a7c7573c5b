"""Progress numbers for the dashboard, the stats API, a caller's tally and the leaderboard (reads only)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q

from leveller.phonebank import queue
from leveller.phonebank.models import EXPIRED, RELEASED, Call, CampaignCaller, Contact, Outcome

HOURS_SHOWN = 12


def campaign_stats(campaign, now: dt.datetime) -> dict:
    held = Q(done=False, lease_call_id__isnull=False, available_at__gt=now)
    counts = Contact.objects.filter(campaign=campaign).aggregate(
        n_total=Count("id"),
        n_done=Count("id", filter=Q(done=True)),
        n_in_progress=Count("id", filter=held),
        n_attempted=Count("id", filter=Q(attempts__gt=0)),
        n_reached=Count("id", filter=Q(reached=True)),
    )
    calls = Call.objects.filter(campaign=campaign).exclude(outcome__in=["", RELEASED, EXPIRED])
    by_outcome = dict.fromkeys(Outcome.values, 0)
    by_outcome.update(dict(calls.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n")))
    counts = {key[2:]: value for key, value in counts.items()}
    return {
        "contacts": counts["total"],
        "waiting": counts["total"] - counts["done"] - counts["in_progress"],
        "in_progress": counts["in_progress"],
        "attempted": counts["attempted"],
        "reached": counts["reached"],
        "finished": counts["done"],
        "calls": sum(by_outcome.values()),
        "by_outcome": by_outcome,
        "answers": answer_counts(campaign),
        "active_callers": CampaignCaller.objects.filter(
            campaign=campaign, last_seen_at__gte=now - queue.presence_window()
        ).count(),
        "calls_per_hour": calls_per_hour(calls, now),
    }


def answer_counts(campaign) -> list[dict]:
    rows = Call.objects.filter(campaign=campaign, outcome=Outcome.ANSWERED).values_list("answers", flat=True)
    tallies: dict[str, Counter] = {q["id"]: Counter() for q in campaign.questions}
    texts: dict[str, int] = Counter()
    for answers in rows.iterator(chunk_size=2000):
        for qid, value in (answers or {}).items():
            if qid not in tallies:
                continue
            if isinstance(value, list):
                tallies[qid].update(value)
            elif isinstance(value, str) and not _is_choice(campaign, qid):
                texts[qid] += 1
            else:
                tallies[qid][value] += 1
    result = []
    for question in campaign.questions:
        qid = question["id"]
        if question["kind"] == "text":
            options = []
            responses = texts[qid]
        else:
            choices = question.get("choices") or [1, 2, 3, 4, 5]
            options = [{"label": str(c), "count": tallies[qid][c]} for c in choices]
            responses = sum(o["count"] for o in options)
        top = max([o["count"] for o in options] or [0])
        for option in options:
            option["percent"] = round(100 * option["count"] / top) if top else 0
        result.append(
            {"id": qid, "text": question["text"], "kind": question["kind"], "responses": responses, "options": options}
        )
    return result


def _is_choice(campaign, qid: str) -> bool:
    return any(q["id"] == qid and q["kind"] != "text" for q in campaign.questions)


def calls_per_hour(calls, now: dt.datetime) -> list[dict]:
    start = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=HOURS_SHOWN - 1)
    buckets = Counter(
        ended.replace(minute=0, second=0, microsecond=0)
        for ended in calls.filter(ended_at__gte=start).values_list("ended_at", flat=True).iterator(chunk_size=5000)
    )
    hours = [start + dt.timedelta(hours=i) for i in range(HOURS_SHOWN)]
    top = max(buckets.values(), default=0)
    return [
        {
            "hour": hour.isoformat(),
            "calls": buckets.get(hour, 0),
            "percent": round(100 * buckets.get(hour, 0) / top) if top else 0,
        }
        for hour in hours
    ]


def tally(campaign, member) -> dict:
    calls = Call.objects.filter(campaign=campaign, caller=member).exclude(outcome__in=["", RELEASED, EXPIRED])
    by_outcome = dict(calls.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n"))
    labels = dict(Outcome.choices)
    return {
        "calls": sum(by_outcome.values()),
        "reached": sum(n for o, n in by_outcome.items() if o in {"answered", "refused", "call_back", "do_not_call"}),
        "by_outcome": [
            {"outcome": o, "label": labels[o], "count": by_outcome[o]} for o in Outcome.values if by_outcome.get(o)
        ],
    }


def leaderboard(campaign, limit: int = 10) -> list[dict]:
    """Callers who have not opted out, by calls made. Friendly: names and counts only."""
    visible = CampaignCaller.objects.filter(campaign=campaign, on_leaderboard=True).values("member_id")
    rows = (
        Call.objects.filter(campaign=campaign, caller_id__in=visible)
        .exclude(outcome__in=["", RELEASED, EXPIRED])
        .values("caller_id", "caller__display_name")
        .annotate(calls=Count("id"))
        .order_by("-calls", "caller__display_name")[:limit]
    )
    return [{"member_id": r["caller_id"], "name": r["caller__display_name"], "calls": r["calls"]} for r in rows]
