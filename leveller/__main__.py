"""The `leveller` command: Django's management commands with Leveller's settings.

Configuration errors print one line naming the variable and exit 2, instead of a traceback.

`leveller stv ...` is the one command that never needs the database or settings: it goes straight to the
standard-library STV engine (`leveller.stv.cli`), so counting a large file does not pay for Django's start-up.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leveller.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "leveller"
    if len(argv) > 1 and argv[1] == "stv":
        import gc

        gc.disable()  # from the start: importing the engine makes objects, not cycles (see leveller.stv.cli.main)
        try:
            from leveller.stv.cli import main as stv_main

            code = stv_main(argv[2:])
        finally:
            gc.enable()
        # The process ends now. Frozen, the objects left (mostly the modules imported) are not walked once more
        # by the interpreter's last collection at exit, which would find no cycles worth freeing before exit.
        gc.freeze()
        raise SystemExit(code)
    from leveller.env import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as error:
        print(f"leveller: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
