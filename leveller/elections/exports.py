"""Downloads after the count: the ballots as BLT (for `leveller stv count`) and a receipts CSV.

The BLT file lists one ballot per line in receipt order; `receipts.csv` maps each receipt code to its line
in the BLT file and spells the ballot out in names. Motions and approval votes have the CSV only.
"""

from __future__ import annotations

import csv
import dataclasses
import io

from leveller import stv
from leveller.core.text import spreadsheet_safe
from leveller.elections import tally
from leveller.elections.ballots import ANSWERS
from leveller.elections.models import Ballot, Election, Kind


def _blt_label(text: str) -> str:
    """BLT quotes names and the title and has no escapes: anything stored before names were checked is written
    with ' for " and spaces for line breaks or control characters, rather than failing the download."""
    text = (text or "").replace('"', "'")
    return "".join(" " if ch < " " or "\x7f" <= ch <= "\x9f" else ch for ch in text)


def _ballots(election: Election) -> list[tuple[str, list[int], str]]:
    return sorted(Ballot.objects.filter(election=election).values_list("receipt", "choices", "answer"))


def blt_text(election: Election) -> str:
    rows = [(receipt, choices) for receipt, choices, _ in _ballots(election)]
    engine = tally.engine_election(election, rows)
    engine = dataclasses.replace(
        engine,
        candidates=[_blt_label(name) for name in engine.candidates],
        title=_blt_label(engine.title),
        parties=[None if p is None else _blt_label(p) for p in engine.parties] if engine.parties else engine.parties,
    )
    return stv.format_blt(engine)


def receipts_csv(election: Election) -> str:
    names = {c.pk: spreadsheet_safe(c.name) for c in tally.options_for_count(election)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    rows = _ballots(election)
    if election.kind == Kind.MOTION:
        writer.writerow(["receipt", "answer"])
        writer.writerows([receipt, ANSWERS.get(answer, answer)] for receipt, _, answer in rows)
    elif election.kind == Kind.APPROVAL:
        writer.writerow(["receipt", "approved"])
        writer.writerows(
            [receipt, spreadsheet_safe("; ".join(names.get(pk, "?") for pk in choices))] for receipt, choices, _ in rows
        )
    else:
        first_line = 3 if tally.engine_election(election, []).withdrawn else 2
        writer.writerow(["receipt", "blt_line", "preferences"])
        writer.writerows(
            [receipt, first_line + i, spreadsheet_safe(" > ".join(names.get(pk, "?") for pk in choices))]
            for i, (receipt, choices, _) in enumerate(rows)
        )
    return out.getvalue()


def find_receipt(election: Election, code: str) -> Ballot | None:
    code = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(code) != 12:
        return None
    formatted = "-".join(code[i : i + 4] for i in range(0, 12, 4))
    return Ballot.objects.filter(election=election, receipt=formatted).first()
