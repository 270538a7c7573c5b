"""Steps other domains take when a member is created (chat joins them to the default channels), and checks
they make before one is (privacy refuses addresses on the suppression list).

Registered explicitly in each app's AppConfig.ready(); called only by accounts actions, inside their
transaction.
"""

from __future__ import annotations

from collections.abc import Callable

MemberCreated = Callable[..., None]
_member_created: list[MemberCreated] = []
_bulk: dict[MemberCreated, MemberCreated] = {}
_before_member_created: list[MemberCreated] = []


def on_before_member_created(check: MemberCreated) -> MemberCreated:
    """A check run before a new member row is saved; it raises ValidationError to refuse."""
    if check not in _before_member_created:
        _before_member_created.append(check)
    return check


def before_member_created(*, actor, email: str, phone: str = "") -> None:
    for check in _before_member_created:
        check(actor=actor, email=email, phone=phone)


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
