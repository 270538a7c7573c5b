"""Exact single-transferable-vote counting (pure Python, standard library only).

Rule sets: Scottish STV (SSI 2007/42 Schedule 1 rules 45-52), ERS97 (Electoral Reform Society 1997) and Meek
(Algorithm 123 / New Zealand Schedule 1A). Arithmetic is integer fixed point; results use ``Decimal``.

    from leveller.stv import read_blt, count
    result = count(read_blt("ward.blt"), rules="scottish", seed=42)
    result.elected, result.to_dict()

See docs/stv.md for the rules as implemented, the BLT format and the command line.
"""

from .blt import BLTError, format_blt, parse_blt, read_blt, write_blt
from .counting import RULES, count
from .model import Election, ElectionError, MinimumRepresentation, STVError
from .report import Event, Parcel, Result, Stage, render_text

__all__ = [
    "RULES",
    "BLTError",
    "Election",
    "ElectionError",
    "Event",
    "MinimumRepresentation",
    "Parcel",
    "Result",
    "STVError",
    "Stage",
    "count",
    "format_blt",
    "parse_blt",
    "read_blt",
    "render_text",
    "write_blt",
]
