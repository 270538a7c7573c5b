"""The group finder: from a postcode (or a country abroad) to the groups that cover it and the nearest others.

Offline and fast. Each process keeps a snapshot of the approved groups (public fields only), which districts
each covers and those districts' centres; a finder request is dictionary lookups, one loop over the
district points for the nearest groups, and one small query for member counts. Actions that change groups
call invalidate(): after commit it bumps a generation number in the shared cache, and every process
rebuilds its snapshot on its next request.
"""

from __future__ import annotations

import heapq
import math
import threading
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from leveller.groups import countries, postcodes
from leveller.groups.models import Group, GroupDistrict, GroupMembership, GroupStatus, Kind

GENERATION_KEY = "groups:finder:generation"
NEARBY_LIMIT = 6
KIND_LABELS = dict(Kind.choices)
KIND_ORDER = {Kind.LOCAL: 0, Kind.CAMPAIGN: 1, Kind.ABROAD: 2, Kind.ALUMNI: 3, Kind.ONLINE: 4, Kind.REGIONAL: 5}


@dataclass
class ParentRef:
    id: int
    name: str
    slug: str

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", args=[self.slug])


@dataclass
class FoundGroup:
    """A group as the finder shows it: public fields only, shaped like the model for templates."""

    id: int
    name: str
    slug: str
    kind: str
    description: str
    meeting_pattern: str
    campaign: str
    country: str
    town: str
    parent: ParentRef | None
    districts: tuple[str, ...]
    url: str
    member_count: int | None = None
    distance_km: float | None = None

    @property
    def pk(self) -> int:
        return self.id

    def get_absolute_url(self) -> str:
        return self.url

    def get_kind_display(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def copy(self, **changes) -> FoundGroup:
        return FoundGroup(**{**self.__dict__, **changes})

    def as_dict(self) -> dict:
        data = {
            "id": self.id,
            "name": self.name,
            "slug": self.slug,
            "kind": self.kind,
            "url": self.url,
            "description": self.description[:280],
            "meeting_pattern": self.meeting_pattern,
            "campaign": self.campaign,
            "country": self.country,
            "country_name": countries.name_for(self.country),
            "town": self.town,
            "districts": list(self.districts),
            "parent": {"id": self.parent.id, "name": self.parent.name, "slug": self.parent.slug}
            if self.parent
            else None,
            "member_count": self.member_count,
        }
        if self.distance_km is not None:
            data["distance_km"] = self.distance_km
        return data


@dataclass
class Snapshot:
    generation: int | None = None
    groups: dict[int, FoundGroup] = field(default_factory=dict)
    by_district: dict[str, list[int]] = field(default_factory=dict)
    # (group id, latitude in radians, longitude in radians, cos(latitude)) per covered district
    points: list[tuple[int, float, float, float]] = field(default_factory=list)
    online: list[int] = field(default_factory=list)
    by_country: dict[str, list[int]] = field(default_factory=dict)
    # the same points bucketed by whole degrees of latitude and longitude, to search outwards from a district
    cells: dict[tuple[int, int], list[tuple[int, float, float, float]]] = field(default_factory=dict)
    # district -> the NEAREST_KEPT nearest groups as (haversine h, group id), computed on first use
    nearest: dict[str, list[tuple[float, int]]] = field(default_factory=dict)


NEAREST_KEPT = 24
# The narrowest a one-degree cell gets in the UK (longitude at 61°N), so ring r is at least (r - 1) cells away.
CELL_MIN_KM = 111.2 * math.cos(math.radians(61))
MAX_RING = 20  # wider than the UK (latitudes 49-61, longitudes -9 to 2) seen from anywhere in it


_lock = threading.Lock()
_snapshot = Snapshot()


def invalidate() -> None:
    """Call from actions that change approved groups or their districts; takes effect after commit."""

    def bump():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 2, None)

    transaction.on_commit(bump)


def reset_index() -> None:
    """Forget this process's snapshot (tests, where transactions never commit)."""
    global _snapshot
    _snapshot = Snapshot()


def _generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, None)
        value = cache.get(GENERATION_KEY) or 1
    return value


def _build(generation: int) -> Snapshot:
    snap = Snapshot(generation=generation)
    rows = Group.objects.approved().select_related("parent").order_by("name", "id")
    districts: dict[int, list[str]] = {}
    for group_id, outcode in GroupDistrict.objects.filter(group__status=GroupStatus.APPROVED).values_list(
        "group_id", "outcode"
    ):
        districts.setdefault(group_id, []).append(outcode)
    table = postcodes.districts()
    for group in rows:
        outcodes = tuple(sorted(districts.get(group.pk, ())))
        parent = group.parent if group.parent_id and group.parent.status == GroupStatus.APPROVED else None
        snap.groups[group.pk] = FoundGroup(
            id=group.pk,
            name=group.name,
            slug=group.slug,
            kind=group.kind,
            description=group.description,
            meeting_pattern=group.meeting_pattern,
            campaign=group.campaign,
            country=group.country,
            town=group.town,
            parent=ParentRef(parent.pk, parent.name, parent.slug) if parent else None,
            districts=outcodes,
            url=reverse("groups:detail", args=[group.slug]),
        )
        for outcode in outcodes:
            snap.by_district.setdefault(outcode, []).append(group.pk)
            if outcode in table and group.kind != Kind.REGIONAL:
                lat, lon = map(math.radians, table[outcode])
                point = (group.pk, lat, lon, math.cos(lat))
                snap.points.append(point)
                snap.cells.setdefault(_cell(*table[outcode]), []).append(point)
        if group.kind == Kind.ONLINE:
            snap.online.append(group.pk)
        elif group.country and group.country != "GB":
            snap.by_country.setdefault(group.country, []).append(group.pk)
    return snap


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat), math.floor(lon))


def snapshot() -> Snapshot:
    global _snapshot
    generation = _generation()
    if _snapshot.generation != generation:
        with _lock:
            if _snapshot.generation != generation:
                _snapshot = _build(generation)
    return _snapshot


@dataclass
class FinderResult:
    district: str | None = None
    country: str | None = None
    local: list[FoundGroup] = field(default_factory=list)
    regional: list[FoundGroup] = field(default_factory=list)
    nearby: list[FoundGroup] = field(default_factory=list)
    online: list[FoundGroup] = field(default_factory=list)

    @property
    def country_name(self) -> str:
        return countries.name_for(self.country) if self.country else ""

    def all(self) -> list[FoundGroup]:
        return [*self.local, *self.regional, *self.nearby, *self.online]


def _ordered(groups) -> list[FoundGroup]:
    return sorted(groups, key=lambda g: (KIND_ORDER.get(g.kind, 9), g.name))


def _with_counts(result: FinderResult) -> FinderResult:
    """Fill in member counts (they change with every join) with one small query."""
    ids = {g.id for g in result.all()}
    if ids:
        counts = dict(
            GroupMembership.objects.filter(group_id__in=ids, member__is_active=True)
            .values("group_id")
            .annotate(n=Count("id"))
            .values_list("group_id", "n")
        )
        for group in result.all():
            group.member_count = counts.get(group.id, 0)
    return result


def find(query: str = "", *, country: str = "", limit: int = NEARBY_LIMIT) -> FinderResult:
    """Groups for a UK postcode or outcode, or for a country abroad. Raises ValidationError on bad input."""
    query = (query or "").strip() or (country or "").strip()
    if not query:
        raise ValidationError("Enter a postcode, such as NW10 3LN, or a country code, such as DE, if you live abroad.")
    if countries.is_country_code(query):
        code = countries.clean_country(query)
        if code != "GB":
            return find_abroad(code)
        raise ValidationError("Enter your postcode to find groups in the UK, such as NW10 3LN.")
    return find_district(postcodes.outcode_for(query), limit=limit)


def find_district(district: str, *, limit: int = NEARBY_LIMIT) -> FinderResult:
    snap = snapshot()
    covering = [snap.groups[gid].copy() for gid in snap.by_district.get(district, ())]
    result = FinderResult(district=district, country="GB")
    result.local = _ordered(g for g in covering if g.kind != Kind.REGIONAL)
    regional_ids = {g.parent.id for g in result.local if g.parent} | {g.id for g in covering if g.kind == Kind.REGIONAL}
    result.regional = sorted((snap.groups[i].copy() for i in regional_ids if i in snap.groups), key=lambda g: g.name)
    seen = {g.id for g in result.local} | regional_ids
    result.nearby = _nearest(snap, district, exclude=seen, limit=limit)
    result.online = [snap.groups[i].copy() for i in snap.online]
    return _with_counts(result)


def _h_to_km(h: float) -> float:
    return 2 * postcodes.EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _ring(ci: int, cj: int, ring: int) -> list[tuple[int, int]]:
    if ring == 0:
        return [(ci, cj)]
    span = range(-ring, ring + 1)
    return [(ci + di, cj + dj) for di in span for dj in span if max(abs(di), abs(dj)) == ring]


def _ranked(snap: Snapshot, district: str, *, keep: int | None) -> list[tuple[float, int]]:
    """Groups by the distance from the district's centre to each group's closest district, as (h, group id).

    With `keep`, searches rings of one-degree cells outwards from the district and stops once `keep` groups
    are nearer than anything in an unsearched ring could be; keep=None ranks every group.
    """
    origin = postcodes.centroid(district)
    if origin is None:
        return []
    lat0, lon0 = math.radians(origin[0]), math.radians(origin[1])
    cos0 = math.cos(lat0)
    sin, best = math.sin, {}

    def scan(points):
        for gid, lat, lon, cos_lat in points:
            # Haversine, inlined: the hot loop.
            h = sin((lat - lat0) / 2) ** 2 + cos0 * cos_lat * sin((lon - lon0) / 2) ** 2
            if h < best.get(gid, 2.0):
                best[gid] = h

    if keep is None:
        scan(snap.points)
        return sorted((h, gid) for gid, h in best.items())
    ci, cj = _cell(*origin)
    for ring in range(MAX_RING + 1):
        for cell in _ring(ci, cj, ring):
            scan(snap.cells.get(cell, ()))
        if len(best) >= keep and _h_to_km(heapq.nsmallest(keep, best.values())[-1]) <= ring * CELL_MIN_KM:
            break
    return heapq.nsmallest(keep, ((h, gid) for gid, h in best.items()))


def _nearest(snap: Snapshot, district: str, *, exclude: set[int], limit: int) -> list[FoundGroup]:
    """The `limit` nearest groups not in `exclude`. Each district's ranking is kept for the snapshot's life."""
    if limit <= 0:
        return []
    ranked = snap.nearest.get(district)
    if ranked is None:
        ranked = snap.nearest[district] = _ranked(snap, district, keep=NEAREST_KEPT)
    chosen = [(h, gid) for h, gid in ranked if gid not in exclude][:limit]
    if len(chosen) < limit and len(ranked) >= NEAREST_KEPT:  # many exclusions: rank everything once more
        chosen = [(h, gid) for h, gid in _ranked(snap, district, keep=None) if gid not in exclude][:limit]
    nearby = []
    for h, gid in chosen:
        nearby.append(snap.groups[gid].copy(distance_km=round(_h_to_km(h), 1)))
    return nearby


def find_abroad(country: str) -> FinderResult:
    snap = snapshot()
    groups = [snap.groups[i].copy() for i in snap.by_country.get(country, ())]
    result = FinderResult(country=country)
    result.local = _ordered(g for g in groups if g.kind != Kind.REGIONAL)
    result.regional = [g for g in groups if g.kind == Kind.REGIONAL]
    result.online = [snap.groups[i].copy() for i in snap.online]
    return _with_counts(result)


def default_query_for(member) -> str:
    """What to search for a logged-in member with no query: their postcode, or their country abroad."""
    if member is None or not getattr(member, "is_authenticated", False):
        return ""
    if member.country and member.country.upper() not in countries.UK_CODES:
        return member.country.upper()
    return member.postcode or ""
