"""Parsing and checking member fields, shared by forms, the CSV import, the API and commands."""

from __future__ import annotations

import functools
import re
import zoneinfo

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from leveller.accounts.models import Role, Status, normalise_email

UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})?$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


def clean_email(value: str) -> str:
    email = normalise_email(value)
    if not email:
        raise ValidationError("Email is missing.")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{value.strip()!r} is not a valid email address.") from None
    return email


def clean_phone(value: str, country: str = "GB") -> str:
    """Any country's number, returned in E.164. Numbers without a + are read in the member's country."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, (country or "GB").upper())
    except phonenumbers.NumberParseException:
        raise ValidationError(f"{value!r} is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"{value!r} is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_country(value: str) -> str:
    value = (value or "").strip().upper() or "GB"
    if value == "UK":
        value = "GB"
    if not COUNTRY.match(value):
        raise ValidationError(f"{value!r} is not a two-letter country code such as GB, IE or DE.")
    return value


def clean_postcode(value: str, country: str = "GB") -> str:
    value = re.sub(r"\s+", " ", (value or "").strip().upper())
    if not value or country != "GB":
        return value[:12]
    match = UK_POSTCODE.match(value)
    if not match:
        raise ValidationError(f"{value!r} is not a UK postcode.")
    outward, inward = match.groups()
    return f"{outward} {inward}" if inward else outward


def clean_time_zone(value: str, default: str = "Europe/London") -> str:
    value = (value or "").strip() or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/London.") from None
    return value


def clean_roles(value: str | list[str]) -> list[str]:
    items = value if isinstance(value, list) else re.split(r"[;,|\s]+", value or "")
    roles = [item.strip().lower() for item in items if item.strip()]
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError(f"Unknown role {unknown[0]!r}: use one of {', '.join(Role.values)}.")
    return roles or [Role.MEMBER]


def clean_status(value: str) -> str:
    value = (value or "").strip().lower() or Status.MEMBER
    if value not in Status.values:
        raise ValidationError(f"Unknown status {value!r}: use member, supporter or lapsed.")
    return value


# For countries spanning several zones: the zone where most people live.
MAIN_ZONE = {
    "US": "America/New_York",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "RU": "Europe/Moscow",
    "MX": "America/Mexico_City",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "DE": "Europe/Berlin",
    "NZ": "Pacific/Auckland",
    "AR": "America/Argentina/Buenos_Aires",
    "CL": "America/Santiago",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
    "CN": "Asia/Shanghai",
    "UA": "Europe/Kyiv",
    "CD": "Africa/Kinshasa",
    "EC": "America/Guayaquil",
    "MN": "Asia/Ulaanbaatar",
    "MY": "Asia/Kuala_Lumpur",
    "FM": "Pacific/Chuuk",
    "GL": "America/Nuuk",
    "PF": "Pacific/Tahiti",
    "KI": "Pacific/Tarawa",
    "UZ": "Asia/Tashkent",
    "CY": "Asia/Nicosia",
}


@functools.cache
def _zones_by_country() -> dict[str, list[str]]:
    import importlib.resources

    table: dict[str, list[str]] = {}
    text = importlib.resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            table.setdefault(parts[0], []).append(parts[2])
    return table


def default_zone_for_country(country: str) -> str:
    """The IANA zone most of a country's people live in; Europe/London for unknown codes."""
    country = (country or "GB").upper()
    if country in MAIN_ZONE:
        return MAIN_ZONE[country]
    zones = _zones_by_country().get(country)
    return zones[0] if zones else "Europe/London"
