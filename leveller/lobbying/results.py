"""What organisers see of a campaign: counts (never the letters' text) by constituency and by party, replies,
bounces, a server-rendered SVG bar chart and a CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.html import escape

from leveller.lobbying.models import Campaign, Letter, LetterState, Reply


@dataclass
class Row:
    key: str
    label: str
    party: str = ""
    mp_name: str = ""
    sent: int = 0
    replied: int = 0
    agreed: int = 0
    answered_no: int = 0


@dataclass
class Summary:
    states: dict[str, int] = field(default_factory=dict)
    by_constituency: list[Row] = field(default_factory=list)
    by_party: list[Row] = field(default_factory=list)
    replies: dict[str, int] = field(default_factory=dict)
    replied_mps: list[Row] = field(default_factory=list)
    bounced: list[dict] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return self.states.get(LetterState.SENT, 0)


def _counted(rows) -> dict:
    return {
        "sent": Count("pk", filter=Q(state=LetterState.SENT)),
        "replied": Count("pk", filter=Q(reply__in=[Reply.YES, Reply.AGREED])),
        "agreed": Count("pk", filter=Q(reply=Reply.AGREED)),
        "answered_no": Count("pk", filter=Q(reply=Reply.NO)),
    }


def summarise(campaign: Campaign) -> Summary:
    letters = Letter.objects.filter(campaign=campaign)
    summary = Summary()
    summary.states = dict(letters.values_list("state").annotate(n=Count("pk")).order_by())
    delivered = letters.filter(state=LetterState.SENT)
    seats = (
        delivered.values("constituency_code", "constituency_name", "mp_name", "mp_party")
        .annotate(**_counted(delivered))
        .order_by("-sent", "constituency_name")
    )
    summary.by_constituency = [
        Row(r["constituency_code"], r["constituency_name"], r["mp_party"], r["mp_name"], r["sent"], r["replied"],
            r["agreed"], r["answered_no"])
        for r in seats
    ]  # fmt: skip
    parties = delivered.values("mp_party").annotate(**_counted(delivered)).order_by("-sent", "mp_party")
    summary.by_party = [
        Row(r["mp_party"], r["mp_party"], r["mp_party"], "", r["sent"], r["replied"], r["agreed"], r["answered_no"])
        for r in parties
    ]
    summary.replies = dict(delivered.exclude(reply="").values_list("reply").annotate(n=Count("pk")).order_by())
    summary.replied_mps = [row for row in summary.by_constituency if row.replied]
    summary.bounced = list(
        letters.filter(state=LetterState.BOUNCED)
        .values("mp_name", "mp_email", "constituency_name")
        .annotate(letters=Count("pk"))
        .order_by("constituency_name")
    )
    return summary


def bar_chart(rows: list[Row], *, title: str, limit: int = 15) -> str:
    """A horizontal bar chart as inline SVG (accessible: a title, and a text label and value on every bar)."""
    rows = rows[:limit]
    if not rows:
        return ""
    most = max(r.sent for r in rows) or 1
    label_w, bar_w, row_h = 230, 320, 24
    height = row_h * len(rows) + 8
    parts = [
        f'<svg class="lobbying-chart" role="img" aria-labelledby="chart-{id(rows)}" viewBox="0 0 '
        f'{label_w + bar_w + 60} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{id(rows)}">{escape(title)}</title>',
    ]
    for i, row in enumerate(rows):
        y = 4 + i * row_h
        width = max(2, round(bar_w * row.sent / most))
        label = row.label if len(row.label) <= 34 else row.label[:33] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13" fill="currentColor">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{width}" height="{row_h - 8}" fill="#b3261e" rx="2"/>'
            f'<text x="{label_w + width + 6}" y="{y + 16}" font-size="13" fill="currentColor">{row.sent}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def csv_export(campaign: Campaign) -> str:
    """One row per constituency: letters sent, replies; no writer's name, address or text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["constituency_code", "constituency", "mp", "party", "letters_sent", "replied", "agreed",
                     "no_reply"])  # fmt: skip
    for row in summarise(campaign).by_constituency:
        writer.writerow([row.key, row.label, row.mp_name, row.party, row.sent, row.replied, row.agreed,
                         row.answered_no])  # fmt: skip
    return out.getvalue()
