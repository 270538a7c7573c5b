"""What each domain contributes to members' data rights, declared in its `data_rights.py` module.

Every app may have a `data_rights.py` (found at start-up, like `api.py`) that calls:

- `declare(Model, what=..., why=..., basis=..., kept=..., who=...)`: one entry of the register of processing
  (docs/data-protection.md is generated from these; a test checks every model is declared and the doc matches);
- `@exporter("kind", title=...)`: a function `(member) -> iterable of dicts`, one JSON file in the copy of
  everything (streamed: yield rows, never build lists);
- `@eraser(order=...)`: a function `(member, *, delete_content: bool, identity: Identity) -> dict[str, int]`,
  one step of erasure, run in order inside the erasure's transaction;
- `@retention("key", title=..., days=..., describe=...)`: a function `(*, days, now, dry_run) -> int` deleting
  (or counting) what is older than the policy allows.

Apps added later (letters, motions, push notifications …) plug in the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Declaration:
    label: str  # app_label.ModelName
    what: str
    why: str
    basis: str
    kept: str
    who: str
    special: bool = False  # holds special-category data (political opinions) or may


@dataclass(frozen=True)
class Exporter:
    kind: str
    title: str
    rows: Callable[..., Iterable[dict]]
    order: int = 100
    single: bool = False  # the file holds one object (the profile) rather than a list


@dataclass(frozen=True)
class Eraser:
    name: str
    step: Callable[..., dict]
    order: int = 100


@dataclass(frozen=True)
class RetentionRule:
    key: str
    title: str
    days: int
    describe: str
    apply: Callable[..., int]
    unit: str = "days"


@dataclass
class Identity:
    """What identifies the person being erased, captured before their record is cleared."""

    member_id: int
    email: str
    phone: str
    display_name: str
    extra: list[str] = field(default_factory=list)

    @property
    def needles(self) -> list[str]:
        return [value for value in (self.email, self.phone, *self.extra) if value and len(value) >= 5]


_declarations: dict[str, Declaration] = {}
_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}
_retention: dict[str, RetentionRule] = {}


def declare(model, *, what: str, why: str, basis: str, kept: str, who: str, special: bool = False) -> None:
    label = model if isinstance(model, str) else model._meta.label
    _declarations[label] = Declaration(label, what, why, basis, kept, who, special)


def exporter(kind: str, *, title: str, order: int = 100, single: bool = False):
    def wrap(rows: Callable[..., Iterable[dict]]):
        _exporters[kind] = Exporter(kind, title, rows, order, single)
        return rows

    return wrap


def eraser(name: str, *, order: int = 100):
    def wrap(step: Callable[..., dict]):
        _erasers[name] = Eraser(name, step, order)
        return step

    return wrap


def retention(key: str, *, title: str, days: int, describe: str, unit: str = "days"):
    def wrap(apply: Callable[..., int]):
        _retention[key] = RetentionRule(key, title, days, describe, apply, unit)
        return apply

    return wrap


def declarations() -> list[Declaration]:
    return sorted(_declarations.values(), key=lambda d: d.label.lower())


def declaration_for(label: str) -> Declaration | None:
    return _declarations.get(label)


def exporters() -> list[Exporter]:
    return sorted(_exporters.values(), key=lambda e: (e.order, e.kind))


def erasers() -> list[Eraser]:
    return sorted(_erasers.values(), key=lambda e: (e.order, e.name))


def retention_rules() -> list[RetentionRule]:
    return sorted(_retention.values(), key=lambda r: r.key)


def retention_rule(key: str) -> RetentionRule | None:
    return _retention.get(key)
