"""Placeholders in letter templates, and composing the letter that goes to the MP."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

PLACEHOLDERS = ("mp_name", "constituency", "member_name", "member_town", "personal_paragraph")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PERSONAL = "{personal_paragraph}"
MIN_PERSONAL = 40
MAX_PERSONAL = 5000


def check_template(text: str, *, field: str = "template") -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        names = ", ".join("{" + n + "}" for n in PLACEHOLDERS)
        raise ValidationError({field: f"Unknown placeholder {{{unknown[0]}}}: use {names}."})
    return text


def fill(text: str, values: dict[str, str]) -> str:
    """Replace known placeholders; leave {personal_paragraph} for compose() unless it is given."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def draft(template: str, *, mp_name: str, constituency: str, member_name: str, member_town: str) -> str:
    """The letter as the writer first sees it: everything filled in but their own paragraph."""
    values = {"mp_name": mp_name, "constituency": constituency, "member_name": member_name}
    values["member_town"] = member_town or constituency
    return fill(template, values)


def clean_personal(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) < MIN_PERSONAL:
        raise ValidationError(
            {
                "personal": f"Write your own paragraph (at least {MIN_PERSONAL} characters): say why this matters "
                "to you. MPs give far more weight to a constituent's own words."
            }
        )
    if len(text) > MAX_PERSONAL:
        raise ValidationError({"personal": f"Keep your paragraph under {MAX_PERSONAL} characters."})
    return text


def compose(letter: str, personal: str, values: dict[str, str]) -> str:
    """The final text: the (edited) letter with the personal paragraph where the placeholder is, or after the
    greeting when the writer removed the placeholder."""
    letter = (letter or "").replace("\r\n", "\n").strip()
    if PERSONAL in letter:
        return fill(letter, values).replace(PERSONAL, personal)
    paragraphs = fill(letter, values).split("\n\n")
    at = 1 if len(paragraphs) > 1 else len(paragraphs)
    return "\n\n".join([*paragraphs[:at], personal, *paragraphs[at:]])
