"""The group finder: from a postcode (or a country abroad) to the groups that cover it and the nearest others.

Offline and fast: the districts of every approved group are held in memory as (group id, lat, lon) and
rebuilt only when groups change (a generation number in the shared cache tells every process).
"""

from __future__ import annotations

import heapq
import math
import threading
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from leveller.groups import countries, postcodes
from leveller.groups.models import Group, GroupDistrict, GroupStatus, Kind

GENERATION_KEY = "groups:finder:generation"
NEARBY_LIMIT = 6

_lock = threading.Lock()
_index: dict = {"generation": None, "points": []}


def invalidate() -> None:
    """Call from actions that change which groups cover which districts; takes effect after commit."""

    def bump():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 1, None)

    transaction.on_commit(bump)


def reset_index() -> None:
    """Forget this process's index (tests, where transactions never commit)."""
    _index["generation"] = None


def _generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, None)
        value = cache.get(GENERATION_KEY) or 1
    return value


def _points() -> list[tuple[int, float, float]]:
    """(group id, latitude, longitude) for each district of each approved group."""
    generation = _generation()
    if _index["generation"] != generation:
        with _lock:
            if _index["generation"] != generation:
                rows = GroupDistrict.objects.filter(group__status=GroupStatus.APPROVED).values_list(
                    "group_id", "outcode"
                )
                table = postcodes.districts()
                _index["points"] = [(gid, *table[o]) for gid, o in rows if o in table]
                _index["generation"] = generation
    return _index["points"]


@dataclass
class FinderResult:
    district: str | None = None
    country: str | None = None
    local: list[Group] = field(default_factory=list)
    regional: list[Group] = field(default_factory=list)
    nearby: list[Group] = field(default_factory=list)
    online: list[Group] = field(default_factory=list)

    @property
    def country_name(self) -> str:
        return countries.name_for(self.country) if self.country else ""


def _groups():
    return Group.objects.approved().select_related("parent").annotate(member_count=Count("memberships", distinct=True))


def _online() -> list[Group]:
    return list(_groups().filter(kind=Kind.ONLINE).order_by("name"))


def _kind_order(group: Group) -> tuple:
    return ({Kind.LOCAL: 0, Kind.CAMPAIGN: 1}.get(group.kind, 2), group.name)


def find(query: str = "", *, country: str = "", limit: int = NEARBY_LIMIT) -> FinderResult:
    """Groups for a UK postcode or outcode, or for a country abroad. Raises ValidationError on bad input."""
    query = (query or "").strip()
    if not query and country:
        query = country
    if not query:
        raise ValidationError("Enter a postcode, such as NW10 3LN, or a country code, such as DE, if you live abroad.")
    if countries.is_country_code(query):
        code = countries.clean_country(query)
        if code != "GB":
            return find_abroad(code)
        raise ValidationError("Enter your postcode to find groups in the UK, such as NW10 3LN.")
    district = postcodes.outcode_for(query)
    return find_district(district, limit=limit)


def find_district(district: str, *, limit: int = NEARBY_LIMIT) -> FinderResult:
    result = FinderResult(district=district, country="GB")
    covering = list(_groups().filter(districts__outcode=district).distinct())
    result.local = sorted((g for g in covering if g.kind != Kind.REGIONAL), key=_kind_order)
    regional_ids = {g.parent_id for g in result.local if g.parent_id}
    regional_ids |= {g.pk for g in covering if g.kind == Kind.REGIONAL}
    result.regional = list(_groups().filter(pk__in=regional_ids, kind=Kind.REGIONAL).order_by("name"))
    seen = {g.pk for g in result.local} | {g.pk for g in result.regional}
    result.nearby = _nearest(district, exclude=seen, limit=limit)
    result.online = _online()
    return result


def _nearest(district: str, *, exclude: set[int], limit: int) -> list[Group]:
    """The `limit` nearest groups by the distance from the district's centre to the closest district of each."""
    origin = postcodes.centroid(district)
    if origin is None or limit <= 0:
        return []
    lat0, lon0 = math.radians(origin[0]), math.radians(origin[1])
    cos0 = math.cos(lat0)
    best: dict[int, float] = {}
    for gid, lat, lon in _points():
        if gid in exclude:
            continue
        # Haversine, inlined: this loop runs over every district of every group.
        la, lo = math.radians(lat), math.radians(lon)
        h = math.sin((la - lat0) / 2) ** 2 + cos0 * math.cos(la) * math.sin((lo - lon0) / 2) ** 2
        if h < best.get(gid, 2.0):
            best[gid] = h
    winners = heapq.nsmallest(limit * 2, best.items(), key=lambda item: item[1])
    groups = {g.pk: g for g in _groups().filter(pk__in=[gid for gid, _ in winners]).exclude(kind=Kind.REGIONAL)}
    nearby = []
    for gid, h in winners:
        group = groups.get(gid)
        if group is not None:
            group.distance_km = round(2 * postcodes.EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h))), 1)
            nearby.append(group)
    return nearby[:limit]


def find_abroad(country: str) -> FinderResult:
    result = FinderResult(country=country)
    result.local = sorted(
        _groups().filter(Q(country=country) & ~Q(kind__in=[Kind.ONLINE, Kind.REGIONAL])), key=_kind_order
    )
    result.regional = list(_groups().filter(country=country, kind=Kind.REGIONAL).order_by("name"))
    result.online = _online()
    return result


def default_query_for(member) -> str:
    """What to search for a logged-in member with no query: their postcode, or their country abroad."""
    if member is None or not getattr(member, "is_authenticated", False):
        return ""
    if member.country and member.country.upper() not in countries.UK_CODES:
        return member.country.upper()
    return member.postcode or ""
