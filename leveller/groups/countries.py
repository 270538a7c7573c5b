"""ISO 3166-1 country codes and names (pycountry), for groups abroad and members abroad."""

from __future__ import annotations

from functools import lru_cache

import pycountry
from django.core.exceptions import ValidationError

UK_CODES = {"GB", "UK"}


@lru_cache(maxsize=1)
def choices() -> list[tuple[str, str]]:
    rows = [(c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries]
    return sorted(rows, key=lambda row: row[1])


@lru_cache(maxsize=512)
def name_for(code: str) -> str:
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def is_country_code(text: str) -> bool:
    text = (text or "").strip().upper()
    return len(text) == 2 and text.isalpha() and (text in UK_CODES or pycountry.countries.get(alpha_2=text) is not None)


def clean_country(text: str) -> str:
    code = (text or "").strip().upper()
    if code == "UK":
        return "GB"
    if not is_country_code(code):
        raise ValidationError(f"“{text}” is not a country code. Use a two-letter code such as DE, IE or FR.")
    return code
