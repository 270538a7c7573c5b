"""``leveller stv count FILE.blt [...]``: the STV counting engine's command line as a management command.

Everything after ``stv`` is handed unchanged to :func:`leveller.stv.cli.main` (see docs/stv.md), and the
command exits with its exit code.
"""

from __future__ import annotations

import argparse
import sys

from django.core.management.base import BaseCommand

from leveller.stv.cli import main


class Command(BaseCommand):
    help = "Count an STV election from a BLT file: stv count FILE.blt [--rules scottish|ers97|meek] [--json]"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the STV command line")

    def run_from_argv(self, argv: list[str]) -> None:
        # argv is [program, "stv", ...]: skip Django's option parsing so --json, --seed etc. pass through.
        sys.exit(main(list(argv[2:])))

    def handle(self, *args: str, **options: object) -> None:
        code = main(list(args))
        if code:
            raise SystemExit(code)
