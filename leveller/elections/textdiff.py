"""Amendments as tracked changes: a word-level diff (difflib) shown with <del>/<ins>, and applying a carried
amendment to a text that other amendments have already changed (a three-way merge, refused on overlap)."""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_TOKENS = re.compile(r"\s+|[^\s]+")


def tokens(text: str) -> list[str]:
    """Words and the whitespace between them, so joining the tokens gives the text back exactly."""
    return _TOKENS.findall(text or "")


def _opcodes(a: list[str], b: list[str]):
    return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def diff_ops(before: str, after: str) -> list[dict]:
    """[{"op": "equal" | "delete" | "insert", "text": …}] turning `before` into `after`, word by word."""
    a, b = tokens(before), tokens(after)
    ops: list[dict] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if ops and ops[-1]["op"] == op:
            ops[-1]["text"] += text
        else:
            ops.append({"op": op, "text": text})

    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return ops


def diff_html(before: str, after: str) -> SafeString:
    """The change as HTML: deletions in <del>, insertions in <ins>, each labelled for screen readers."""
    out = []
    for op in diff_ops(before, after):
        text = escape(op["text"])
        if op["op"] == "delete":
            out.append(
                f'<del><span class="visually-hidden">[delete: </span>{text}<span class="visually-hidden">]</span></del>'
            )
        elif op["op"] == "insert":
            out.append(
                f'<ins><span class="visually-hidden">[insert: </span>{text}<span class="visually-hidden">]</span></ins>'
            )
        else:
            out.append(text)
    return mark_safe("".join(out))


def counts(before: str, after: str) -> tuple[int, int]:
    """(words deleted, words inserted)."""
    deleted = inserted = 0
    for op in diff_ops(before, after):
        words = len(op["text"].split())
        if op["op"] == "delete":
            deleted += words
        elif op["op"] == "insert":
            inserted += words
    return deleted, inserted


class Conflict(Exception):
    """The amendment changes words that another change to the text has already changed."""


def merge(base: str, current: str, amended: str) -> str:
    """Apply the change base → amended to `current` (which other amendments changed from `base`).

    Changes to different words combine; a change touching words that were already changed raises Conflict."""
    if current == base:
        return amended
    if amended == base:
        return current
    a, c, m = tokens(base), tokens(current), tokens(amended)
    theirs = [(i1, i2, c[j1:j2]) for tag, i1, i2, j1, j2 in _opcodes(a, c) if tag != "equal"]
    mine = [(i1, i2, m[j1:j2]) for tag, i1, i2, j1, j2 in _opcodes(a, m) if tag != "equal"]
    for i1, i2, _ in mine:
        for k1, k2, _ in theirs:
            touching = (i1 < k2 and k1 < i2) or (i1 == i2 and k1 <= i1 <= k2) or (k1 == k2 and i1 <= k1 <= i2)
            if touching:
                raise Conflict("This amendment changes words that a carried amendment already changed.")
    edits = sorted(theirs + mine, key=lambda e: (e[0], e[1]))
    out, pos = [], 0
    for i1, i2, replacement in edits:
        out.extend(a[pos:i1])
        out.extend(replacement)
        pos = i2
    out.extend(a[pos:])
    return "".join(out)
