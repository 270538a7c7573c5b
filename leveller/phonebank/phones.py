"""Phone numbers: any country's, stored in E.164; the contact's time zone from the number when not given."""

from __future__ import annotations

import zoneinfo

import phonenumbers
from django.conf import settings
from phonenumbers import timezone as number_zones

DEFAULT_REGION = "GB"
UNKNOWN_ZONE = "Etc/Unknown"


class BadNumber(ValueError):
    pass


def normalise(raw: str, region: str = DEFAULT_REGION) -> phonenumbers.PhoneNumber:
    raw = (raw or "").strip()
    if not raw:
        raise BadNumber("no phone number")
    try:
        number = phonenumbers.parse(raw, (region or DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException:
        raise BadNumber(f"{raw!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number) and not is_drama_number(number):
        raise BadNumber(f"{raw!r} is not a valid phone number")
    return number


# Ofcom's ranges reserved for drama: never connected, so demos and tests can dial "real" looking numbers.
DRAMA_RANGES = (("447700900", 3), ("441632960", 3), ("4420794600", 2), ("441134960", 3), ("441614960", 3))


def is_drama_number(number: phonenumbers.PhoneNumber) -> bool:
    digits = f"{number.country_code}{number.national_number}"
    return any(digits.startswith(prefix) and len(digits) == len(prefix) + rest for prefix, rest in DRAMA_RANGES)


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def country_of(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(
        number.country_code
    ).replace("ZZ", "")


def zone_for(number: phonenumbers.PhoneNumber) -> str:
    """The number's own time zone; where a number could be in several, the first phonenumbers lists.

    Lookups are cached by country code and leading digits (the zone data is keyed by prefix), which keeps
    100,000-row imports fast.
    """
    key = (number.country_code, phonenumbers.national_significant_number(number)[:6])
    found = _zone_cache.get(key)
    if found is None:
        zones = [z for z in number_zones.time_zones_for_number(number) if z != UNKNOWN_ZONE]
        found = zones[0] if zones else settings.TIME_ZONE
        if len(_zone_cache) < 50_000:
            _zone_cache[key] = found
    return found


_zone_cache: dict[tuple[int, str], str] = {}


def valid_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def tel_uri(phone_e164: str) -> str:
    return f"tel:{phone_e164}"


def pretty(phone_e164: str) -> str:
    try:
        number = phonenumbers.parse(phone_e164)
    except phonenumbers.NumberParseException:
        return phone_e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
