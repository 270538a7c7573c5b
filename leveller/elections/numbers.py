"""Vote counts as people read them: to the decimal places the counting rules work in, never in exponent
form ("0E-9") or to a precision the rules do not use.

ERS97 counts to 2 places and Scottish STV to 5 (their rules say so), so their figures are shown as the
rules state them. Meek's method iterates to 9 places to converge; nobody reads "6.833333332", so its
figures are shown to 2 places, truncated as the rules truncate, and its quota (which the rules make a
hair above the exact share, "7.000000001") rounded up, so a shown total at or above the shown quota is
never one that fell short.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_UP, Decimal, InvalidOperation

PLACES = {"ers97": 2, "scottish": 5, "meek": 2}


def places_for(rules: str) -> int:
    return PLACES.get(rules or "", 2)


def votes(value, rules: str, *, quota: bool = False) -> str:
    """A vote total, a transfer or a quota, fixed to the rules' places: "6.83", "0.00000", "7.01"."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    places = places_for(rules)
    step = Decimal(1).scaleb(-places)
    fixed = number.quantize(step, rounding=ROUND_UP if quota else ROUND_DOWN)
    if fixed == 0:
        fixed = abs(fixed)  # never "-0.00"
    return f"{fixed:,f}"


def change(value, rules: str) -> str:
    """A change during a stage, signed, or "" when nothing moved (at the rules' precision)."""
    text = votes(value, rules)
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return ""
    if number == 0:
        return ""
    return text if number < 0 else f"+{text}"
