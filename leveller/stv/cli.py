"""Command line for the STV engine.

    leveller stv count FILE.blt [--rules scottish|ers97|meek] [--seats N] [--seed S] [--json]
                                [--minimum CATEGORY:K:CANDIDATE[,CANDIDATE...]] ...

``main`` takes the arguments after the program name (starting with ``count``) and returns the exit code:
0 on success, 2 for a bad command line, an unreadable or malformed file, or an election that cannot be
counted (the message, "FILE: line N: problem" for a malformed file, goes to stderr; never a traceback).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from types import SimpleNamespace

from .blt import BLTError, read_blt
from .counting import RULES, count
from .model import Election, ElectionError, MinimumRepresentation, STVError
from .report import render_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

# The options that take a value, and the attribute argparse stores each in.
_VALUE_OPTIONS = {"--rules": "rules", "--seats": "seats", "--seed": "seed", "--minimum": "minimum"}


def build_parser() -> argparse.ArgumentParser:
    import argparse  # only when needed: its import and the parser cost more than reading a small file

    parser = argparse.ArgumentParser(prog="leveller stv", description="Count single-transferable-vote votes.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="count")
    c = sub.add_parser(
        "count",
        help="count a BLT ballot file",
        description="Count the election in a BLT ballot file and print every stage.",
    )
    c.add_argument("file", metavar="FILE.blt", help="ballot file in BLT format")
    c.add_argument("--rules", choices=RULES, default="scottish", help="rule set (default: scottish)")
    c.add_argument("--seats", type=int, help="number of seats (default: as given in the file)")
    c.add_argument("--seed", type=int, help="seed for ties broken by lot (default: a fresh one, recorded)")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument(
        "--minimum",
        action="append",
        default=[],
        metavar="CATEGORY:K:CANDIDATES",
        help="at least K seats for candidates in CATEGORY; CANDIDATES is a comma-separated "
        "list of names or candidate numbers (from 1, as in the file); may be repeated",
    )
    return parser


def quick_args(argv: list[str]) -> SimpleNamespace | None:
    """The usual command lines read without argparse: ``count FILE`` with options spelled out in full, each
    value as the next word. Anything else (help, an abbreviation, ``--rules=meek``, a value or file name
    starting with "-", a second file, a value argparse would refuse) gives None, for argparse to read and
    report; for the lines accepted here argparse gives the same values (it converts numbers with ``int`` too)."""
    if not argv or argv[0] != "count":
        return None
    args = SimpleNamespace(command="count", file=None, rules="scottish", seats=None, seed=None, json=False)
    args.minimum = []
    words = iter(argv[1:])
    for word in words:
        if word == "--json":
            args.json = True
        elif word in _VALUE_OPTIONS:
            value = next(words, "-")
            if value.startswith("-"):
                return None
            if word == "--minimum":
                args.minimum.append(value)
            elif word == "--rules":
                if value not in RULES:
                    return None
                args.rules = value
            else:
                try:
                    setattr(args, _VALUE_OPTIONS[word], int(value))
                except ValueError:
                    return None
        elif word.startswith("-") or args.file is not None:
            return None
        else:
            args.file = word
    return None if args.file is None else args


def parse_minimum(text: str, election: Election) -> MinimumRepresentation:
    parts = text.split(":", 2)
    if len(parts) != 3 or not parts[1].strip().isdigit():
        raise ElectionError(f"--minimum {text!r}: expected CATEGORY:K:CANDIDATE[,CANDIDATE...]")
    category, k = parts[0].strip(), int(parts[1])
    members = [m.strip() for m in parts[2].split(",") if m.strip()]
    resolved: list[str | int] = []
    for m in members:
        if m in election.candidates:
            resolved.append(m)
        elif m.isdigit() and 1 <= int(m) <= len(election.candidates):
            resolved.append(int(m) - 1)
        else:
            raise ElectionError(f"--minimum {category}: {m!r} is not a candidate")
    return MinimumRepresentation(category, k, tuple(resolved))


def main(argv: list[str] | None = None) -> int:
    # Reading and counting make hundreds of thousands of small objects and no reference cycles: the cyclic
    # garbage collector would only walk them over and over (a third of reading a large file). Off meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(argv)
    finally:
        if collecting:
            gc.enable()


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args: argparse.Namespace | SimpleNamespace | None = quick_args(argv)
    if args is None:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # argparse has printed the usage message
            return 0 if exc.code in (0, None) else 2
    assert args is not None
    try:
        election = read_blt(args.file)
    except BLTError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{args.file}: cannot read the file: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        minimums = [parse_minimum(m, election) for m in args.minimum]
        result = count(election, args.rules, seed=args.seed, seats=args.seats, minimums=minimums)
    except STVError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(result.to_dict(), indent=2) + "\n" if args.json else render_text(result)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head: not an error
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
