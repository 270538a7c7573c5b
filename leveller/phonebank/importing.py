"""Reading a contact list CSV and loading it in batches.

Columns (any order, case-insensitive): name (or first name + last name), phone, and optionally postcode,
country, time zone. Every other column becomes a custom field, usable in the script as {column_name}.
Row numbers in reports are spreadsheet rows: the header is row 1.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from leveller.core import csvfile
from leveller.phonebank import phones

ALIASES = {
    "name": {"name", "full name", "full_name", "display name", "contact", "contact name"},
    "first_name": {"first name", "first_name", "firstname", "given name"},
    "last_name": {"last name", "last_name", "lastname", "surname", "family name"},
    "phone": {"phone", "phone number", "phone_number", "mobile", "telephone", "tel", "number", "phone_e164"},
    "postcode": {"postcode", "post code", "postal code", "zip", "zip code"},
    "country": {"country", "country code"},
    "time_zone": {"time zone", "time_zone", "timezone", "tz"},
}
MAX_BYTES = 60 * 1024 * 1024
MAX_ROWS = 250_000
REPORT_LIMIT = 1000  # row numbers kept per kind of problem; the counts are always complete
BATCH = 2000


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it into parts.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("The file is not text: save it as CSV (UTF-8).")


def count_rows(text: str) -> int:
    return max(0, text.count("\n") + (0 if text.endswith("\n") else 1) - 1)


def field_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")[:40] or "field"


@dataclass
class Row:
    number: int
    name: str
    phone_raw: str
    postcode: str
    country: str
    time_zone: str
    fields: dict


@dataclass
class Parsed:
    """A row that passed the checks that need no database: a valid number and a known time zone."""

    number: int
    name: str
    phone_e164: str
    postcode: str
    country: str
    time_zone: str
    fields: dict


@dataclass
class Report:
    loaded: int = 0
    duplicates: int = 0
    do_not_call: int = 0
    invalid_count: int = 0
    invalid: list[dict] = field(default_factory=list)
    duplicate_rows: list[int] = field(default_factory=list)
    do_not_call_rows: list[int] = field(default_factory=list)
    zones: set[str] = field(default_factory=set)

    def reject(self, row: int, reason: str) -> None:
        self.invalid_count += 1
        if len(self.invalid) < REPORT_LIMIT:
            self.invalid.append({"row": row, "reason": reason})

    def duplicate(self, row: int) -> None:
        self.duplicates += 1
        if len(self.duplicate_rows) < REPORT_LIMIT:
            self.duplicate_rows.append(row)

    def blocked(self, row: int) -> None:
        self.do_not_call += 1
        if len(self.do_not_call_rows) < REPORT_LIMIT:
            self.do_not_call_rows.append(row)


def rows(text: str) -> Iterator[Row]:
    """Yield each data row; raise ValidationError when the header lacks a name or phone column."""
    reader = csvfile.reader(text)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ValidationError(f"The first row is not valid CSV: {error}.") from None
    if not header:
        raise ValidationError("The file is empty: the first row must name the columns (name, phone …).")
    columns, extra = _columns(header)
    if "phone" not in columns:
        raise ValidationError("No phone column: name one column 'phone'.")
    if "name" not in columns and "first_name" not in columns:
        raise ValidationError("No name column: name one column 'name' (or 'first name' and 'last name').")
    for index, values in _checked(enumerate(reader, start=2)):
        if index - 1 > MAX_ROWS:
            raise ValidationError(f"The file has more than {MAX_ROWS:,} rows: split it into parts.")
        if not any(v.strip() for v in values):
            continue

        def get(key: str, values=values) -> str:
            position = columns.get(key)
            return values[position].strip() if position is not None and position < len(values) else ""

        name = get("name") or " ".join(p for p in (get("first_name"), get("last_name")) if p)
        custom = {
            key: values[pos].strip()[:500] for key, pos in extra.items() if pos < len(values) and values[pos].strip()
        }
        yield Row(
            index, name[:200], get("phone"), get("postcode")[:12], get("country").upper(), get("time_zone"), custom
        )


def _checked(numbered):
    """The rows, or a ValidationError naming the line that is not valid CSV (nothing is loaded silently short)."""
    index = 1
    while True:
        try:
            index, values = next(numbered)
        except StopIteration:
            return
        except csv.Error as error:
            raise ValidationError(f"Row {index + 1} is not valid CSV ({error}); nothing was imported.") from None
        yield index, values


def _columns(header: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    known: dict[str, int] = {}
    extra: dict[str, int] = {}
    for position, title in enumerate(header):
        key = title.strip().lower().lstrip("\ufeff")
        column = next((c for c, names in ALIASES.items() if key in names), None)
        if column and column not in known:
            known[column] = position
        elif key:
            extra.setdefault(field_key(key), position)
    return known, extra


def parse(row: Row, report: Report) -> Parsed | None:
    if not row.name:
        report.reject(row.number, "no name")
        return None
    country = "GB" if row.country in ("", "UK") else row.country
    if not re.fullmatch(r"[A-Z]{2}", country):
        report.reject(row.number, f"{row.country!r} is not a two-letter country code")
        return None
    try:
        number = phones.normalise(row.phone_raw, country)
    except phones.BadNumber as error:
        report.reject(row.number, str(error))
        return None
    home, zone_from_number = phones.place_of(number)
    zone = row.time_zone or zone_from_number
    if row.time_zone and not phones.valid_zone(row.time_zone):
        report.reject(row.number, f"{row.time_zone!r} is not a time zone such as Europe/London")
        return None
    return Parsed(
        row.number,
        row.name,
        phones.e164(number),
        row.postcode,
        (row.country and country) or home,
        zone,
        row.fields,
    )


_INSERT = """
INSERT INTO phonebank_contact (campaign_id, name, phone_e164, postcode, country, time_zone, fields, row_number,
    available_at, done, attempts, last_outcome, reached)
VALUES (%s, %s, %s, %s, %s, %s, {json}, %s, %s, %s, 0, '', %s)
ON CONFLICT (campaign_id, phone_e164) DO NOTHING
"""


def insert(campaign_id: int, contacts: list[Parsed], now) -> None:
    """Insert a batch in one statement per row, executed together (bulk_create's model building cost more
    than the database did). Only load_batch calls this, inside its transaction."""
    from django.db import connection

    if not contacts:
        return
    sql = _INSERT.format(json="%s::jsonb" if connection.vendor == "postgresql" else "%s")
    when = connection.ops.adapt_datetimefield_value(now)
    params = [
        (
            campaign_id,
            p.name,
            p.phone_e164,
            p.postcode,
            p.country,
            p.time_zone,
            json.dumps(p.fields),
            p.number,
            when,
            False,
            False,
        )
        for p in contacts
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
