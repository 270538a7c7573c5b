"""Members CSV import: every valid row is imported, every invalid row is reported with its line number.

Re-importing the same file creates no duplicates: rows match existing members by membership number, then
by email.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from leveller.accounts.actions import members as member_actions
from leveller.accounts.models import Member
from leveller.accounts.validation import (
    clean_country,
    clean_email,
    clean_phone,
    clean_postcode,
    clean_roles,
    clean_status,
    clean_time_zone,
    default_zone_for_country,
)
from leveller.core import csvfile

ALIASES = {
    "email": {"email", "email address", "e-mail"},
    "display_name": {"name", "display name", "display_name", "full name", "full_name"},
    "first_name": {"first name", "first_name", "firstname", "given name"},
    "last_name": {"last name", "last_name", "lastname", "surname", "family name"},
    "pronouns": {"pronouns"},
    "phone": {"phone", "mobile", "phone number", "telephone"},
    "postcode": {"postcode", "post code", "zip", "postal code"},
    "country": {"country", "country code"},
    "time_zone": {"time zone", "time_zone", "timezone", "tz"},
    "membership_number": {"membership number", "membership_number", "member number", "member id", "number"},
    "status": {"status", "membership status"},
    "joined_on": {"joined", "joined_on", "joined on", "join date", "date joined"},
    "roles": {"roles", "role"},
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
MAX_ROWS = 200_000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    invited: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().lower().lstrip("\ufeff")
        for column, aliases in ALIASES.items():
            if key in aliases and column not in found:
                found[column] = index
    return found


def _date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"{value!r} is not a date: use YYYY-MM-DD or DD/MM/YYYY.")


def parse_row(values: dict[str, str]) -> dict:
    """Turn one CSV row into member fields, or raise ValidationError with the first problem found."""
    email = clean_email(values.get("email", ""))
    name = values.get("display_name", "").strip()
    if not name:
        name = " ".join(p for p in (values.get("first_name", "").strip(), values.get("last_name", "").strip()) if p)
    country = clean_country(values.get("country", ""))
    fields = {
        "email": email,
        "display_name": name,
        "pronouns": values.get("pronouns", "").strip()[:40],
        "phone": clean_phone(values.get("phone", ""), country),
        "postcode": clean_postcode(values.get("postcode", ""), country),
        "country": country,
        "time_zone": clean_time_zone(values.get("time_zone", ""), default_zone_for_country(country)),
        "status": clean_status(values.get("status", "")),
        "roles": clean_roles(values.get("roles", "")),
    }
    number = values.get("membership_number", "").strip()
    if number:
        fields["membership_number"] = number[:40]
    joined = _date(values.get("joined_on", ""))
    if joined:
        fields["joined_on"] = joined
    return fields


def _match(fields: dict) -> Member | None:
    number = fields.get("membership_number")
    by_number = Member.objects.filter(membership_number=number).first() if number else None
    by_email = Member.objects.filter(email__iexact=fields["email"]).first()
    if by_number and by_email and by_number.pk != by_email.pk:
        raise ValidationError(f"membership number {number} belongs to another member than {fields['email']}")
    return by_number or by_email


def import_members(*, actor, data: bytes | str, invite: bool = False) -> ImportReport:
    """Import a members CSV. Each row commits on its own, so one bad row never loses the others."""
    if not actor.is_staff_member:
        raise PermissionDenied("Only staff and admins can import members.")
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data.lstrip("\ufeff")
    reader = csvfile.reader(text)
    report = ImportReport()
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        report.errors.append((1, "The file is empty: the first line must name the columns."))
        return report
    columns = _columns(header)
    if "email" not in columns:
        report.errors.append((1, "No email column: the first line must name the columns, including 'email'."))
        return report
    rows = enumerate(reader, start=1)
    while True:
        try:
            count, row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            report.errors.append((reader.line_num, csvfile.stopped(reader.line_num, error)))
            break
        line = reader.line_num
        if count > MAX_ROWS:
            report.errors.append((line, f"Stopped: a file may have at most {MAX_ROWS} rows."))
            break
        if not any(cell.strip() for cell in row):
            continue
        values = {column: (row[index] if index < len(row) else "") for column, index in columns.items()}
        try:
            _import_row(actor=actor, fields=parse_row(values), invite=invite, report=report)
        except ValidationError as error:
            report.errors.append((line, "; ".join(error.messages)))
    return report


def _import_row(*, actor, fields: dict, invite: bool, report: ImportReport) -> None:
    with transaction.atomic():
        existing = _match(fields)
        roles = fields.pop("roles")
        email = fields.pop("email")
        name = fields.pop("display_name")
        if existing is None and not name:
            raise ValidationError("Name is missing.")
        if existing is not None:
            # An import updates profile fields only: a member's email changes only when they confirm the new
            # address, and roles only on their record, by someone who holds the role.
            if email != existing.email:
                raise ValidationError(
                    "this membership number belongs to a member with another email; an import never changes a"
                    " member's email (they change it in Settings, confirming the new address)"
                )
            member_actions.add_or_update_member(actor=actor, email=existing.email, display_name=name, **fields)
            report.updated += 1
            return
        try:
            member_actions.require_may_grant(actor, roles)
        except PermissionDenied as denied:
            raise ValidationError(f"{denied} (roles: {', '.join(roles)})") from None
        member, _ = member_actions.add_or_update_member(
            actor=actor, email=email, display_name=name, roles=roles, **fields
        )
        report.created += 1
        if invite:
            member_actions._new_invitation(actor=actor, member=member)
            report.invited += 1
