"""Constituencies, their MPs, and postcode -> constituency, all in memory (read-only reference data).

Data: data/*.csv[.gz] in this package (see data/ATTRIBUTION.md), or the refreshed copy that
`leveller lobbying_refresh_data` writes to LEVELLER_DATA_DIR/lobbying/ (preferred when present). Loaded once per
process, lazily and under a lock; a lookup is a dict get plus a bisect over one sector's sorted ranges.

Lookup order for a full GB postcode: the exact full-postcode table (ranges), listed first, then the other seats
its sector touches (shares from the sector table). A sector or district on its own gets the candidates from the
sector or district table. Northern Ireland (BT) has no open postcode data: every NI seat is offered.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

PACKAGE_DATA = Path(__file__).resolve().parent / "data"
FILES = {
    "constituencies": "constituencies.csv",
    "mps": "mps.csv",
    "ranges": "postcode-ranges.csv.gz",
    "sectors": "postcode-sectors.csv.gz",
    "districts": "postcode-districts-constituencies.csv.gz",
}
HEADERS = {
    "constituencies": ["code", "name", "nation", "region"],
    "mps": ["constituency_code", "name", "party", "email", "parliament_id", "since"],
    "ranges": ["sector", "from_unit", "constituency_code"],
    "sectors": ["sector", "constituency_code", "share", "postcodes"],
    "districts": ["district", "constituency_code", "share", "postcodes"],
}

_OUTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
_INWARD = re.compile(r"^[0-9][A-Z]{2}$")
_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9])$")


@dataclass(frozen=True)
class MP:
    name: str
    party: str
    email: str
    parliament_id: str
    since: str


@dataclass(frozen=True)
class Constituency:
    code: str
    name: str
    nation: str
    region: str
    mp: MP | None


@dataclass(frozen=True)
class Candidate:
    constituency: Constituency
    share: float | None  # fraction of the sector's/district's postcodes; None for Northern Ireland
    exact: bool = False

    def as_dict(self) -> dict:
        mp = self.constituency.mp
        return {
            "code": self.constituency.code,
            "name": self.constituency.name,
            "share": self.share,
            "exact": self.exact,
            "mp": {"name": mp.name, "party": mp.party, "email": mp.email} if mp else None,
        }


@dataclass(frozen=True)
class Lookup:
    postcode: str  # as normalised: "SW1A 1AA", "SW1A 1" or "SW1A"
    match: str  # "exact", "sector", "district" or "northern-ireland"
    candidates: tuple[Candidate, ...]

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    @property
    def best(self) -> Candidate:
        return self.candidates[0]


class Tables:
    """Everything loaded from one data directory. Ranges: sector -> (sorted from_units, constituency codes)."""

    def __init__(self, directory: Path):
        self.directory = directory
        mps = {row["constituency_code"]: row for row in read_rows(directory, "mps")}
        self.constituencies: dict[str, Constituency] = {}
        for row in read_rows(directory, "constituencies"):
            mp = mps.get(row["code"])
            self.constituencies[row["code"]] = Constituency(
                code=row["code"],
                name=row["name"],
                nation=row["nation"],
                region=row["region"],
                mp=MP(mp["name"], mp["party"], mp["email"], mp["parliament_id"], mp["since"]) if mp else None,
            )
        self.ranges: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        units: dict[str, list[str]] = {}
        codes: dict[str, list[str]] = {}
        for row in read_rows(directory, "ranges"):
            units.setdefault(row["sector"], []).append(row["from_unit"])
            codes.setdefault(row["sector"], []).append(sys_intern(row["constituency_code"]))
        for sector, froms in units.items():
            self.ranges[sector] = (tuple(froms), tuple(codes[sector]))
        self.sectors = _shares(read_rows(directory, "sectors"), "sector")
        self.districts = _shares(read_rows(directory, "districts"), "district")
        self.northern_ireland = tuple(
            sorted((c for c in self.constituencies.values() if c.code.startswith("N")), key=lambda c: c.name)
        )


def sys_intern(text: str) -> str:
    import sys

    return sys.intern(text)


def _shares(rows, key: str) -> dict[str, tuple[tuple[str, float], ...]]:
    table: dict[str, list[tuple[str, float]]] = {}
    for row in rows:
        table.setdefault(row[key], []).append((sys_intern(row["constituency_code"]), float(row["share"])))
    return {k: tuple(sorted(v, key=lambda item: -item[1])) for k, v in table.items()}


def read_rows(directory: Path, name: str):
    """The rows of one data file (plain or gzipped CSV) as dicts; raises ValueError if the header is wrong."""
    path = directory / FILES[name]
    if not path.exists() and path.suffix == ".gz":
        path = path.with_suffix("")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != HEADERS[name]:
            raise ValueError(f"{path.name}: expected columns {','.join(HEADERS[name])}, got {reader.fieldnames}")
        yield from reader


def data_directory() -> Path:
    refreshed = Path(getattr(settings, "LOBBYING_DATA_DIR", "") or Path(settings.DATA_DIR) / "lobbying")
    return refreshed if (refreshed / FILES["constituencies"]).exists() else PACKAGE_DATA


_lock = threading.Lock()
_tables: Tables | None = None


def tables() -> Tables:
    global _tables
    if _tables is None:
        with _lock:
            if _tables is None:
                _tables = Tables(data_directory())
    return _tables


def reload() -> Tables:
    """Drop the loaded tables (after a refresh) so the next lookup reads the files again."""
    global _tables
    with _lock:
        _tables = None
    return tables()


def constituency(code: str) -> Constituency | None:
    return tables().constituencies.get(code)


def all_constituencies() -> list[Constituency]:
    return sorted(tables().constituencies.values(), key=lambda c: c.name)


def parties() -> list[str]:
    return sorted({c.mp.party for c in tables().constituencies.values() if c.mp})


def compact(text: str) -> str:
    return re.sub(r"\s+", "", (text or "").upper())


def parse(text: str) -> tuple[str, str]:
    """("OUTWARD", "INWARD") for a full postcode, ("OUTWARD", "D") for a sector, ("OUTWARD", "") for a district.
    Raises ValidationError with a message a member understands."""
    raw = (text or "").strip()
    if not raw:
        raise ValidationError("Enter your postcode, such as SW1A 1AA.")
    value = compact(raw)
    if 5 <= len(value) <= 7 and _INWARD.match(value[-3:]) and _OUTCODE.match(value[:-3]):
        return value[:-3], value[-3:]
    spaced = re.sub(r"\s+", " ", raw.upper())
    if " " in spaced:
        outward, _, rest = spaced.partition(" ")
        if _OUTCODE.match(outward) and re.fullmatch(r"[0-9]", rest):
            return outward, rest
    if _OUTCODE.match(value):
        return value, ""
    shown = raw if len(raw) <= 20 else raw[:20] + "…"
    raise ValidationError(f"“{shown}” is not a UK postcode. Enter a full postcode such as SW1A 1AA.")


def lookup(text: str) -> Lookup:
    """The constituencies for a postcode, the most likely first. Raises ValidationError if it is not a postcode
    or is not in the data."""
    outward, inward = parse(text)
    data = tables()
    if outward.startswith("BT") and outward[2:3].isdigit():
        shown = f"{outward} {inward}".strip()
        return Lookup(shown, "northern-ireland", tuple(Candidate(c, None) for c in data.northern_ireland))
    sector = f"{outward} {inward[:1]}" if inward else ""
    if len(inward) == 3:
        postcode = f"{outward} {inward}"
        found = data.ranges.get(sector)
        if found is not None:
            froms, codes = found
            code = codes[bisect.bisect_right(froms, inward[1:]) - 1]
            shares = dict(data.sectors.get(sector, ()))
            first = Candidate(data.constituencies[code], shares.get(code, 1.0), exact=True)
            others = [Candidate(data.constituencies[c], s) for c, s in data.sectors.get(sector, ()) if c != code]
            return Lookup(postcode, "exact", (first, *others))
        return _from_shares(postcode, data.districts.get(outward), "district", data)
    if inward:
        return _from_shares(sector, data.sectors.get(sector), "sector", data)
    return _from_shares(outward, data.districts.get(outward), "district", data)


def _from_shares(postcode: str, rows, match: str, data: Tables) -> Lookup:
    if not rows:
        raise ValidationError(
            f"We could not find {postcode} in the postcode data. Check it, or enter the postcode of your "
            "address as it appears on a letter (new postcodes may be missing)."
        )
    return Lookup(postcode, match, tuple(Candidate(data.constituencies[c], s) for c, s in rows))
