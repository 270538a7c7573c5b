"""Refresh constituencies, MPs and postcode tables from a directory of CSVs of the shipped shape."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from leveller.lobbying import geography, refresh


class Command(BaseCommand):
    help = (
        "Check and install newer constituencies.csv, mps.csv, postcode-ranges.csv, postcode-sectors.csv and "
        "postcode-districts-constituencies.csv (plain or .gz) into LEVELLER_LOBBYING_DATA_DIR (default "
        "LEVELLER_DATA_DIR/lobbying), which then takes precedence over the data shipped in the package."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="Directory holding the CSVs")
        parser.add_argument("--check", action="store_true", help="Check only; write nothing")
        parser.add_argument(
            "--into-package",
            action="store_true",
            help="Maintainers: replace the data shipped in leveller/lobbying/data",
        )

    def handle(self, *args, source, check, into_package, **options):
        source_dir = Path(source).expanduser().resolve()
        if not source_dir.is_dir():
            raise CommandError(f"{source_dir} is not a directory")
        try:
            data, report = refresh.check(source_dir)
        except refresh.DataError as error:
            raise CommandError(f"Nothing changed: {error}")
        for name, count in report.rows.items():
            self.stdout.write(f"{geography.FILES[name]}: {count} rows")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        self.stdout.write(f"{len(report.mps_changed)} MPs differ from the data in use")
        for line in report.mps_changed[:20]:
            self.stdout.write(f"  {line}")
        if check:
            self.stdout.write("Checked; nothing written (--check).")
            return
        target = geography.PACKAGE_DATA if into_package else Path(settings.LOBBYING_DATA_DIR)
        refresh.write(data, target)
        geography.reload()
        self.stdout.write(self.style.SUCCESS(f"Installed into {target}. Restart running servers to use it."))
