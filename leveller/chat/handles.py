"""Chat handles (`@sam.gallagher`) for mentions, derived from display names and kept unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from leveller.chat.models import ChatProfile
from leveller.chat.render import SPECIAL_MENTIONS


def _base_handle(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = re.sub(r"[^\w]+", ".", text, flags=re.UNICODE).strip("._")
    return (text or "member")[:50]


def profile_for(member) -> ChatProfile:
    profile = ChatProfile.objects.filter(member=member).first()
    if profile is not None:
        return profile
    base = _base_handle(member.display_name)
    handle, n = base, 1
    while handle in SPECIAL_MENTIONS or ChatProfile.objects.filter(handle=handle).exists():
        n += 1
        handle = f"{base}{n}"
    profile, _ = ChatProfile.objects.get_or_create(member=member, defaults={"handle": handle})
    return profile


def handle_for(member) -> str:
    return profile_for(member).handle


def members_for_handles(handles: set[str]) -> dict[str, object]:
    handles = set(handles) - SPECIAL_MENTIONS
    if not handles:
        return {}
    rows = ChatProfile.objects.filter(handle__in=handles, member__is_active=True).select_related("member")
    return {row.handle: row.member for row in rows}


GroupResolver = Callable[[set[str]], dict[str, list[int]]]
_group_resolvers: list[GroupResolver] = []


def register_group_mentions(resolver: GroupResolver) -> None:
    """Let another app make `@name` mention a named group: resolver(handles) -> {handle: [member ids]}.
    Registered in that app's AppConfig.ready(); member handles win over group names."""
    if resolver not in _group_resolvers:
        _group_resolvers.append(resolver)


def groups_for_handles(handles: set[str]) -> dict[str, list[int]]:
    handles = set(handles) - SPECIAL_MENTIONS
    found: dict[str, list[int]] = {}
    for resolver in _group_resolvers if handles else []:
        for handle, member_ids in resolver(handles).items():
            found.setdefault(handle, list(member_ids))
    return found
