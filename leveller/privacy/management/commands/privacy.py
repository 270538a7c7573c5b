"""`leveller privacy register [--write|--check]` and `leveller privacy retention [--dry-run]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Data protection: the register of processing, and retention runs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        register = sub.add_parser("register", help="Print docs/data-protection.md from the code's declarations.")
        register.add_argument("--write", action="store_true", help="Write it to docs/data-protection.md.")
        register.add_argument("--check", action="store_true", help="Exit 1 when the committed file differs.")
        retention = sub.add_parser("retention", help="Run the retention rules now.")
        retention.add_argument("--dry-run", action="store_true", help="Count what would go; delete nothing.")

    def handle(self, *args, subcommand, **options):
        if subcommand == "register":
            return self._register(write=options["write"], check=options["check"])
        return self._retention(dry_run=options["dry_run"])

    def _register(self, *, write: bool, check: bool) -> None:
        from leveller.privacy.register import DOC_PATH, render, undeclared_models

        missing = undeclared_models()
        if missing:
            raise CommandError(f"These models have no data-protection declaration: {', '.join(missing)}")
        text = render()
        if check:
            current = DOC_PATH.read_text() if DOC_PATH.exists() else ""
            if current != text:
                raise CommandError(f"{DOC_PATH} is out of date: run `leveller privacy register --write`.")
            self.stdout.write(f"{DOC_PATH} matches the code.")
        elif write:
            DOC_PATH.write_text(text)
            self.stdout.write(f"Wrote {DOC_PATH}")
        else:
            self.stdout.write(text, ending="")

    def _retention(self, *, dry_run: bool) -> None:
        from leveller.privacy.actions import retention as retention_actions

        run = retention_actions.run(dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        for key, count in run.counts.items():
            self.stdout.write(f"{verb} {count}: {key}")
        for key, error in run.errors.items():
            self.stderr.write(f"Failed: {key}: {error}")
