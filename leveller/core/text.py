"""Checks for text that came from outside: one-line labels, and strings the database cannot store."""

from __future__ import annotations

import json
import re
import unicodedata

from django.core.exceptions import ValidationError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def has_control_characters(text: str) -> bool:
    """Line breaks, tabs, other C0/C1 controls, or lone surrogates (which no database encoding can store)."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def has_surrogates(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def single_line(value, what: str, *, no_quotes: bool = False) -> str:
    """A trimmed one-line label (a name, a title), or ValidationError naming `what`."""
    text = "" if value is None else str(value).strip()
    if has_control_characters(text):
        raise ValidationError(f"{what} must be one line, without control characters.")
    if no_quotes and '"' in text:
        raise ValidationError(f'{what} cannot contain a double quote (").')
    return text


def storable(value, what: str) -> str:
    """Free text (a message, a bio): anything except lone surrogates, which cannot be stored or sent."""
    text = "" if value is None else str(value)
    if has_surrogates(text):
        raise ValidationError(f"{what} contains characters that are not valid Unicode.")
    return text


def spreadsheet_safe(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP's advice: prefix a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _without_surrogates(value) -> bool:
    if isinstance(value, str):
        return not has_surrogates(value)
    if isinstance(value, dict):
        return all(_without_surrogates(k) and _without_surrogates(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_without_surrogates(v) for v in value)
    return True


def parse_json(raw: bytes | str):
    """json.loads for bodies and frames from outside, with a ValueError (never a server error) for text that is
    not JSON, JSON nested too deeply to parse, and lone surrogates (a `\\ud800` escape with no pair), which no
    database can store. Valid surrogate pairs are one character after parsing and pass."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    try:
        parsed = json.loads(data)
    except RecursionError:
        raise ValueError("The JSON is nested too deeply.") from None
    except UnicodeDecodeError:
        raise ValueError("The body is not UTF-8 text.") from None
    if _SURROGATE_ESCAPE.search(data) and not _without_surrogates(parsed):
        raise ValueError("The JSON contains a lone surrogate escape (such as \\ud800), which is not valid text.")
    return parsed
