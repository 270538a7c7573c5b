"""Server-rendered SVG bar charts of a count, readable without JavaScript. Each chart has a title and a
description, and sits next to a table holding the same numbers (the text alternative)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from leveller.elections import numbers

ROW = 40
WIDTH = 360
VALUE_ROOM = 64
PAD = 6


def _num(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError):
        return Decimal(0)


def bar_chart(
    *, chart_id: str, title: str, description: str, bars: list[tuple[str, object, str]], marker=None, marker_label=""
) -> SafeString:
    """Horizontal bars: (label, value, state) with state "elected", "excluded" or "". `marker` draws the quota."""
    values = [_num(v) for _, v, _ in bars]
    top = max([*values, _num(marker) if marker is not None else Decimal(0), Decimal(1)])
    span = WIDTH - VALUE_ROOM
    height = PAD * 2 + ROW * len(bars) + (18 if marker is not None else 0)

    def x(value: Decimal) -> float:
        return round(float(value / top) * span, 1)

    rows = []
    for i, ((label, _, state), value) in enumerate(zip(bars, values, strict=True)):
        y = PAD + i * ROW
        short = label if len(label) <= 48 else label[:47] + "…"
        rows.append(
            format_html(
                '<g class="bar bar-{}"><text x="0" y="{}" class="bar-label">{}</text>'
                '<rect x="0" y="{}" width="{}" height="14" rx="2"></rect>'
                '<text x="{}" y="{}" class="bar-value">{}{}</text></g>',
                state or "continuing",
                y + 13,
                short,
                y + 18,
                x(value),
                x(value) + 4,
                y + 30,
                f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}",
                " ✓" if state == "elected" else "",
            )
        )
    marker_svg = ""
    if marker is not None:
        mx = x(_num(marker))
        marker_svg = format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" class="quota-line"></line>'
            '<text x="{}" y="{}" class="quota-label">{}</text>',
            mx,
            mx,
            PAD + 16,
            height - 16,
            min(mx, WIDTH - 60),
            height - 3,
            marker_label,
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
        'preserveAspectRatio="xMinYMin meet">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}{}</svg>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        format_html_join("", "{}", ((r,) for r in rows)),
        mark_safe(marker_svg),  # built with format_html above
    )


def stage_charts(data: dict) -> list[dict]:
    """One chart per stage of an STV count."""
    standing = [c for c in data.get("candidates", []) if c not in data.get("withdrawn", [])]
    rules = data.get("rules", "")
    out = []
    elected: set[str] = set()
    excluded: set[str] = set()
    for stage in data.get("stages", []):
        elected |= {e["candidate"] for e in stage["elected"]}
        excluded |= {e["candidate"] for e in stage["excluded"]}
        bars = [
            (c, stage["votes"].get(c, "0"), "elected" if c in elected else "excluded" if c in excluded else "")
            for c in standing
        ]
        happened = "; ".join(
            [f"{e['candidate']} elected" for e in stage["elected"]]
            + [f"{e['candidate']} excluded" for e in stage["excluded"]]
        )
        description = (
            f"Votes for each candidate after stage {stage['number']} ({stage['action']}); "
            f"quota {numbers.votes(stage['quota'], rules, quota=True)}."
            + (f" {happened}." if happened else "")
            + " The same numbers are in the stage table."
        )
        out.append(
            {
                "number": stage["number"],
                "action": stage["action"],
                "svg": bar_chart(
                    chart_id=f"stage-{stage['number']}",
                    title=f"Stage {stage['number']}: {stage['action']}",
                    description=description,
                    bars=bars,
                    marker=stage.get("quota"),
                    marker_label=f"quota {numbers.votes(stage.get('quota'), rules, quota=True)}",
                ),
            }
        )
    return out
