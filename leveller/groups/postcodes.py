"""The offline UK postcode lookup: outward codes (postcode districts) and their centres.

Data: data/uk-postcode-districts.csv (2,972 districts; ONS / OS Code-Point Open, Open Government Licence,
see data/ATTRIBUTION.md). Loaded once, lazily, into memory; no network at run time.
"""

from __future__ import annotations

import csv
import math
import re
import threading
from pathlib import Path

from django.core.exceptions import ValidationError

DATA_FILE = Path(__file__).resolve().parent / "data" / "uk-postcode-districts.csv"

# Outward code: area (1-2 letters) + district (digit, then digit or letter). Inward code: digit + 2 letters.
_OUTCODE = r"[A-Z]{1,2}[0-9][0-9A-Z]?"
_FULL = re.compile(rf"^({_OUTCODE})\s*([0-9][A-Z]{{2}})$")
_OUT_ONLY = re.compile(rf"^({_OUTCODE})$")

_lock = threading.Lock()
_centroids: dict[str, tuple[float, float]] | None = None


def _load() -> dict[str, tuple[float, float]]:
    global _centroids
    if _centroids is None:
        with _lock:
            if _centroids is None:
                table: dict[str, tuple[float, float]] = {}
                with DATA_FILE.open(newline="", encoding="utf-8") as handle:
                    for row in csv.DictReader(handle):
                        # Every line ends with a trailing comma: DictReader puts it under the "" key.
                        outcode = (row.get("outcode") or "").strip().upper()
                        try:
                            table[outcode] = (float(row["latitude"]), float(row["longitude"]))
                        except (KeyError, TypeError, ValueError):
                            continue
                _centroids = table
    return _centroids


def districts() -> dict[str, tuple[float, float]]:
    """Every known district and its centre (latitude, longitude). Do not modify the result."""
    return _load()


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", (text or "").upper())


def parse_outcode(postcode: str) -> str:
    """The outward code of a full postcode or an outcode, by shape only (no lookup). Raises ValidationError."""
    raw = (postcode or "").strip()
    if not raw:
        raise ValidationError("Enter a postcode, such as NW10 3LN, or a postcode district, such as NW10.")
    compact = normalise(raw)
    match = (_FULL.match(compact) or _OUT_ONLY.match(compact)) if len(compact) <= 8 else None
    if match is None:
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        raise ValidationError(
            f"“{shown}” is not a UK postcode. Enter a postcode such as NW10 3LN, or a district such as NW10."
        )
    return match.group(1)


def outcode_for(postcode: str) -> str:
    """The known postcode district for a full postcode ("NW10 3LN") or an outcode ("nw10"), any case/spacing.

    Raises ValidationError with a clear message when the text is not a postcode or the district is unknown.
    """
    outcode = parse_outcode(postcode)
    table = _load()
    if outcode in table:
        return outcode
    # "W1A0AX" can be read as W1 + A0A...: the regex is greedy, so try the shorter outward code too.
    compact = normalise(postcode)
    if len(compact) >= 5:
        shorter = compact[:-3]
        if shorter in table:
            return shorter
    raise ValidationError(
        f"Postcode district {outcode} was not found. Check the postcode; Leveller knows UK geographic "
        "postcode districts only (not PO boxes or overseas territories)."
    )


def is_known(outcode: str) -> bool:
    return normalise(outcode) in _load()


def centroid(outcode: str) -> tuple[float, float] | None:
    """The centre (latitude, longitude) of a postcode district, or None if unknown."""
    return _load().get(normalise(outcode))


EARTH_RADIUS_KM = 6371.0088


def distance_km(a: tuple[float, float] | str, b: tuple[float, float] | str) -> float | None:
    """Great-circle (haversine) distance in km between two (lat, lon) points or two outcodes.

    Returns None when an outcode is unknown.
    """
    pa = centroid(a) if isinstance(a, str) else a
    pb = centroid(b) if isinstance(b, str) else b
    if pa is None or pb is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (pa[0], pa[1], pb[0], pb[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
