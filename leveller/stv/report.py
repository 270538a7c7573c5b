"""The result of a count: every stage, who was elected or excluded and why; as objects, JSON or text."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: `leveller stv count` starts faster
    from typing import Any


@dataclass
class Event:
    """A candidate elected or excluded at a stage, and why."""

    candidate: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"candidate": self.candidate, "reason": self.reason}


@dataclass
class Parcel:
    """One parcel of papers moved at a stage (papers of one transfer value)."""

    value: Decimal
    papers: int
    to: dict[str, Decimal]
    non_transferable: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "transfer_value": str(self.value),
            "papers": self.papers,
            "to": {k: str(v) for k, v in self.to.items()},
            "non_transferable": str(self.non_transferable),
        }


@dataclass
class Stage:
    """One stage of the count. ``votes`` are the totals at the end of the stage, ``transfers`` the change
    during it; ``exhausted`` and ``loss_by_fraction`` are running totals of the non-transferable vote."""

    number: int
    kind: str  # "first", "surplus" (Meek: a run of iterations on the surpluses) or "exclusion"
    action: str
    subjects: list[str]
    votes: dict[str, Decimal] = field(default_factory=dict)
    transfers: dict[str, Decimal] = field(default_factory=dict)
    exhausted: Decimal = Decimal(0)
    loss_by_fraction: Decimal = Decimal(0)
    quota: Decimal = Decimal(0)
    elected: list[Event] = field(default_factory=list)
    excluded: list[Event] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parcels: list[Parcel] = field(default_factory=list)
    transfer_value: Decimal | None = None
    iterations: int | None = None
    keep_values: dict[str, Decimal] | None = None

    @property
    def non_transferable(self) -> Decimal:
        return self.exhausted + self.loss_by_fraction

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "number": self.number,
            "kind": self.kind,
            "action": self.action,
            "subjects": list(self.subjects),
            "quota": str(self.quota),
            "votes": {k: str(v) for k, v in self.votes.items()},
            "transfers": {k: str(v) for k, v in self.transfers.items()},
            "non_transferable": {
                "exhausted": str(self.exhausted),
                "loss_by_fraction": str(self.loss_by_fraction),
                "total": str(self.non_transferable),
            },
            "elected": [e.to_dict() for e in self.elected],
            "excluded": [e.to_dict() for e in self.excluded],
            "notes": list(self.notes),
        }
        if self.parcels:
            out["parcels"] = [p.to_dict() for p in self.parcels]
        if self.transfer_value is not None:
            out["transfer_value"] = str(self.transfer_value)
        if self.iterations is not None:
            out["iterations"] = self.iterations
        if self.keep_values is not None:
            out["keep_values"] = {k: str(v) for k, v in self.keep_values.items()}
        return out


@dataclass
class Result:
    """A finished count. ``quota`` is the quota at the first stage (each stage records the quota in force)."""

    rules: str
    title: str
    candidates: list[str]
    seats: int
    valid_votes: int
    invalid_votes: int
    quota: Decimal
    elected: list[str]
    seed: int
    stages: list[Stage]
    withdrawn: list[str] = field(default_factory=list)
    minimums: list[dict[str, Any]] = field(default_factory=list)
    rules_source: str = ""
    lots_drawn: int = 0

    @property
    def not_elected(self) -> list[str]:
        return [c for c in self.candidates if c not in self.elected and c not in self.withdrawn]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": self.rules,
            "rules_source": self.rules_source,
            "title": self.title,
            "candidates": list(self.candidates),
            "withdrawn": list(self.withdrawn),
            "seats": self.seats,
            "valid_votes": self.valid_votes,
            "invalid_votes": self.invalid_votes,
            "quota": str(self.quota),
            "elected": list(self.elected),
            "seed": self.seed,
            "lots_drawn": self.lots_drawn,
            "minimums": self.minimums,
            "stages": [s.to_dict() for s in self.stages],
        }


def _fmt(value: Decimal) -> str:
    return f"{value:f}"


def render_text(result: Result, columns: int = 6) -> str:
    """A readable stage table: candidates down the side, stages across (in blocks of ``columns`` stages)."""
    lines = [
        result.title or "STV count",
        f"Rules: {result.rules} ({result.rules_source})" if result.rules_source else f"Rules: {result.rules}",
        f"Seats: {result.seats}   Valid votes: {result.valid_votes}   Invalid (empty) papers: "
        f"{result.invalid_votes}   Quota: {_fmt(result.quota)}   Seed: {result.seed}",
    ]
    if result.withdrawn:
        lines.append("Withdrawn: " + ", ".join(result.withdrawn))
    for m in result.minimums:
        lines.append(f"Minimum: at least {m['minimum']} of {m['category']} ({', '.join(m['members'])})")
    standing = [c for c in result.candidates if c not in result.withdrawn]
    width = max([len(c) for c in standing] + [len("Non-transferable (exhausted)")]) + 2
    fate: dict[str, str] = {}
    for stage in result.stages:
        for e in stage.elected:
            fate[e.candidate] = f"elected at stage {stage.number}"
        for e in stage.excluded:
            fate.setdefault(e.candidate, f"excluded at stage {stage.number}")
    for start in range(0, len(result.stages), columns):
        block = result.stages[start : start + columns]
        cells = [[f"Stage {s.number}"] for s in block]
        for col, s in zip(cells, block, strict=True):
            col.extend(_fmt(s.votes.get(c, Decimal(0))) for c in standing)
            col.extend([_fmt(s.exhausted), _fmt(s.loss_by_fraction), _fmt(s.quota)])
        colw = max(len(x) for col in cells for x in col) + 2
        lines.append("")
        rows = ["", *standing, "Non-transferable (exhausted)", "Loss by fraction", "Quota"]
        for r, label in enumerate(rows):
            lines.append(label.ljust(width) + "".join(col[r].rjust(colw) for col in cells))
    lines.append("")
    for s in result.stages:
        extra = []
        if s.transfer_value is not None:
            extra.append(f"transfer value {_fmt(s.transfer_value)}")
        if s.iterations is not None:
            extra.append(f"{s.iterations} iterations")
        lines.append(f"Stage {s.number}: {s.action}" + (f" ({', '.join(extra)})" if extra else ""))
        for e in s.elected:
            lines.append(f"    elected {e.candidate}: {e.reason}")
        for e in s.excluded:
            lines.append(f"    excluded {e.candidate}: {e.reason}")
        for note in s.notes:
            lines.append(f"    note: {note}")
    lines.append("")
    lines.append("Elected (in order): " + ", ".join(result.elected))
    return "\n".join(lines) + "\n"
