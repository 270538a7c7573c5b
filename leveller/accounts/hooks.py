"""Steps other domains take when a member is created (chat joins them to the default channels).

Registered explicitly in each app's AppConfig.ready(); called only by accounts actions, inside their
transaction.
"""

from __future__ import annotations

from collections.abc import Callable

MemberCreated = Callable[..., None]
_member_created: list[MemberCreated] = []
_bulk: dict[MemberCreated, MemberCreated] = {}


def on_member_created(step: MemberCreated, *, bulk: MemberCreated | None = None) -> MemberCreated:
    """Register step(actor=, member=); `bulk(actor=, members=)` does the same for many members at once (imports)."""
    if step not in _member_created:
        _member_created.append(step)
    if bulk is not None:
        _bulk[step] = bulk
    return step


def member_created(*, actor, member) -> None:
    for step in _member_created:
        step(actor=actor, member=member)


def members_created(*, actor, members: list) -> None:
    for step in _member_created:
        if step in _bulk:
            _bulk[step](actor=actor, members=members)
        else:
            for member in members:
                step(actor=actor, member=member)
