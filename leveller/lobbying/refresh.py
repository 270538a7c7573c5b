"""Refreshing the constituency, MP and postcode data from newer CSVs of the same shape (see docs/lobbying.md).

Everything is read and checked before anything is written; the files are then written beside their final
names and renamed into place, so a lookup never sees half a refresh.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from leveller.lobbying import geography


class DataError(ValueError):
    pass


@dataclass
class Report:
    rows: dict[str, int] = field(default_factory=dict)
    mps_changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _rows(directory: Path, name: str) -> tuple[list[str], list[dict]]:
    try:
        rows = list(geography.read_rows(directory, name))
    except FileNotFoundError:
        raise DataError(f"{geography.FILES[name].removesuffix('.gz')} (or .gz) is missing from {directory}")
    except ValueError as error:
        raise DataError(str(error))
    return geography.HEADERS[name], rows


def check(directory: Path) -> tuple[dict[str, list[dict]], Report]:
    report = Report()
    data = {name: _rows(directory, name)[1] for name in geography.FILES}
    codes = [row["code"] for row in data["constituencies"]]
    if len(codes) != len(set(codes)):
        raise DataError("constituencies.csv lists a constituency code twice")
    if len(codes) != 650:
        report.warnings.append(f"{len(codes)} constituencies (650 expected on the 2024 boundaries)")
    known = set(codes)
    if not any(code.startswith("N") for code in known):
        raise DataError("constituencies.csv has no Northern Ireland seats (codes N05…): BT postcodes need them")
    for name, key in (("mps", "constituency_code"), ("ranges", "constituency_code"), ("sectors", "constituency_code"),
                      ("districts", "constituency_code")):  # fmt: skip
        unknown = sorted({row[key] for row in data[name]} - known)
        if unknown:
            raise DataError(f"{geography.FILES[name]} names constituency {unknown[0]}, not in constituencies.csv")
    seen_mp = [row["constituency_code"] for row in data["mps"]]
    if len(seen_mp) != len(set(seen_mp)):
        raise DataError("mps.csv gives one constituency two MPs")
    vacant = known - set(seen_mp)
    if vacant:
        report.warnings.append(f"{len(vacant)} seats have no MP (vacant?): {', '.join(sorted(vacant)[:5])}")
    last: dict[str, str] = {}
    for row in data["ranges"]:
        sector, unit = row["sector"], row["from_unit"]
        if sector not in last:
            if unit != "AA":
                raise DataError(f"postcode-ranges: sector {sector} must start at AA, not {unit}")
        elif unit <= last[sector]:
            raise DataError(f"postcode-ranges: sector {sector} is not in order at {unit}")
        last[sector] = unit
    for name in ("sectors", "districts"):
        for row in data[name]:
            try:
                share = float(row["share"])
            except ValueError:
                share = -1.0
            if not 0 <= share <= 1:
                raise DataError(f"{geography.FILES[name]}: share {row['share']!r} is not between 0 and 1")
    report.rows = {name: len(rows) for name, rows in data.items()}
    current = {c.code: c.mp for c in geography.tables().constituencies.values()}
    for row in data["mps"]:
        before = current.get(row["constituency_code"])
        if before is None or (before.name, before.party, before.email) != (row["name"], row["party"], row["email"]):
            report.mps_changed.append(f"{row['constituency_code']}: {row['name']} ({row['party']})")
    return data, report


def write(data: dict[str, list[dict]], target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    staged = []
    for name, rows in data.items():
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=geography.HEADERS[name], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        final = target / geography.FILES[name]
        temporary = final.with_name(final.name + ".new")
        payload = out.getvalue().encode("utf-8")
        temporary.write_bytes(gzip.compress(payload, mtime=0) if final.suffix == ".gz" else payload)
        staged.append((temporary, final))
    # constituencies.csv last: the loader treats the directory as refreshed once it is there.
    staged.sort(key=lambda pair: pair[1].name == geography.FILES["constituencies"])
    for temporary, final in staged:
        os.replace(temporary, final)
