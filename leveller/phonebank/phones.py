"""Phone numbers: any country's, stored in E.164; the contact's time zone from the number when not given."""

from __future__ import annotations

import functools
import zoneinfo
from pathlib import Path

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
        main = phonenumbers.region_code_for_country_code(number.country_code)
        home = [z for z in zones if z in country_zones().get(country_of(number), ())] or [
            z for z in zones if z in country_zones().get(main, ())
        ]
        # A UK mobile may be in London, Jersey, Guernsey or Man (one clock): prefer the country's own zone.
        found = home[0] if len(home) == 1 else zones[0] if zones else settings.TIME_ZONE
        if len(_zone_cache) < 50_000:
            _zone_cache[key] = found
    return found


_zone_cache: dict[tuple[int, str], str] = {}


@functools.cache
def country_zones() -> dict[str, tuple[str, ...]]:
    """Country code -> its time zones, from the IANA zone.tab shipped with tzdata (or the system's)."""
    text = ""
    try:
        from importlib.resources import files

        text = files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    except (ImportError, FileNotFoundError, ModuleNotFoundError):
        path = Path("/usr/share/zoneinfo/zone.tab")
        text = path.read_text() if path.exists() else ""
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                zones.setdefault(parts[0], []).append(parts[2])
    return {country: tuple(names) for country, names in zones.items()}


def place_of(number: phonenumbers.PhoneNumber) -> tuple[str, str]:
    """(country code, time zone) of a number, cached by its leading digits like zone_for."""
    key = (number.country_code, phonenumbers.national_significant_number(number)[:6])
    found = _place_cache.get(key)
    if found is None:
        found = (country_of(number), zone_for(number))
        if len(_place_cache) < 50_000:
            _place_cache[key] = found
    return found


_place_cache: dict[tuple[int, str], tuple[str, str]] = {}


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
