"""Chat handles (`@sam.gallagher`) for mentions, derived from display names and kept unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q

from leveller.accounts.models import Member
from leveller.chat.models import ChannelMembership, ChatProfile
from leveller.core.markdown import SPECIAL_MENTIONS


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


GroupResolver = Callable[..., dict[str, list[int]]]
GroupSuggester = Callable[..., list[tuple[str, str]]]
_group_resolvers: list[GroupResolver] = []
_group_suggesters: list[GroupSuggester] = []


def register_group_mentions(resolver: GroupResolver) -> None:
    """Let another app make `@name` mention a named group: resolver(handles, *, author) -> {handle: [member ids]},
    answering only for the groups `author` may mention (author None: a bot or the system). Registered in that
    app's AppConfig.ready(); member handles win over group names."""
    if resolver not in _group_resolvers:
        _group_resolvers.append(resolver)


def groups_for_handles(handles: set[str], *, author) -> dict[str, list[int]]:
    """The named groups among these handles that the author may mention, with their members' ids."""
    handles = set(handles) - SPECIAL_MENTIONS
    found: dict[str, list[int]] = {}
    for resolver in _group_resolvers if handles else []:
        for handle, member_ids in resolver(handles, author=author).items():
            found.setdefault(handle, list(member_ids))
    return found


def register_group_suggestions(suggester: GroupSuggester) -> None:
    """For the composer's autocomplete: suggester(prefix, *, author) -> [(handle, label)], groups author may mention."""
    if suggester not in _group_suggesters:
        _group_suggesters.append(suggester)


def suggestions(member, channel, prefix: str) -> list[dict]:
    """Handles to offer after `@prefix` in a channel's composer: people (the channel's members first; in private
    channels and DMs only its members), then groups the member may mention, then @here/@channel."""
    prefix = (prefix or "").lower()[:60]
    in_channel = ChannelMembership.objects.filter(channel=channel, member=OuterRef("pk"))
    people = (
        Member.objects.active()
        .exclude(pk=member.pk)
        .filter(Q(display_name__icontains=prefix) | Q(chat_profile__handle__startswith=prefix))
        .annotate(in_channel=Exists(in_channel))
    )
    if channel.private or channel.is_dm:
        people = people.filter(in_channel=True)
    found = [
        {"handle": handle_for(person), "label": person.display_name, "kind": "member"}
        for person in people.order_by("-in_channel", "display_name")[:6]
    ]
    for suggester in _group_suggesters:
        found += [{"handle": h, "label": label, "kind": "group"} for h, label in suggester(prefix, author=member)][:3]
    if not channel.is_dm:
        found += [
            {"handle": h, "label": f"@{h}", "kind": "special"} for h in ("here", "channel") if h.startswith(prefix)
        ]
    return found
