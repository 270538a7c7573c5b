"""Steps other domains take when a member is created (chat joins them to the default channels).

Registered explicitly in each app's AppConfig.ready(); called only by accounts actions, inside their
transaction.
"""

from __future__ import annotations

from collections.abc import Callable

MemberCreated = Callable[..., None]
_member_created: list[MemberCreated] = []


def on_member_created(step: MemberCreated) -> MemberCreated:
    if step not in _member_created:
        _member_created.append(step)
    return step


def member_created(*, actor, member) -> None:
    for step in _member_created:
        step(actor=actor, member=member)
