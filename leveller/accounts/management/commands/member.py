"""`leveller member add EMAIL --name NAME [--role ROLE ...] [--password-stdin]`: create or update a member.
`leveller member export EMAIL OUT.zip`: a copy of everything about them (a subject-access request by post).
`leveller member erase EMAIL --yes`: erase them now (see docs/data-protection.md)."""

from __future__ import annotations

import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from leveller.accounts.actions import members as member_actions
from leveller.accounts.models import Role


class Command(BaseCommand):
    help = "Manage members from the command line (first setup and scripts)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        add = sub.add_parser("add", help="Create a member, or update the one with this email.")
        add.add_argument("email")
        add.add_argument("--name", default="", help="Display name (required for a new member).")
        add.add_argument("--role", action="append", choices=Role.values, help="Repeat for several roles.")
        add.add_argument("--password-stdin", action="store_true", help="Read a password from standard input.")
        export = sub.add_parser("export", help="Write a copy of everything about a member to a zip file.")
        export.add_argument("email")
        export.add_argument("out", help="The zip file to write, e.g. copy.zip")
        erase = sub.add_parser("erase", help="Erase a member now (irreversible).")
        erase.add_argument("email")
        erase.add_argument("--yes", action="store_true", help="Confirm: this cannot be undone.")
        erase.add_argument("--delete-content", action="store_true", help="Delete what they wrote, too.")

    def handle(self, *args, subcommand, email, **options):
        if subcommand == "export":
            return self._export(email, options["out"])
        if subcommand == "erase":
            return self._erase(email, yes=options["yes"], delete_content=options["delete_content"])
        return self._add(email, options["name"], options["role"], options["password_stdin"])

    def _member(self, email: str):
        from leveller.accounts.models import Member

        member = Member.objects.filter(email__iexact=email.strip()).first()
        if member is None:
            raise CommandError(f"No member has the email {email!r}.")
        return member

    def _export(self, email: str, out: str) -> None:
        from leveller.privacy import exporting
        from leveller.privacy.actions import exports as export_actions

        member = self._member(email)
        export = export_actions.request_export(actor=None, member=member, channel="command")
        export_actions.build(export=export, notify=False)  # here, unless a worker already took it: then wait for it
        deadline = time.monotonic() + 3600
        export.refresh_from_db()
        while export.status == "pending" and time.monotonic() < deadline:
            time.sleep(1)
            export.refresh_from_db()
        path = exporting.usable_file(export)
        if path is None:
            raise CommandError(f"The copy could not be made: {export.error or export.status}.")
        import shutil

        shutil.copyfile(path, out)
        self.stdout.write(f"Wrote a copy of everything about {member.email} to {out} ({export.size} bytes)")

    def _erase(self, email: str, *, yes: bool, delete_content: bool) -> None:
        from leveller.privacy.actions import erasure as erasure_actions

        member = self._member(email)
        if not yes:
            raise CommandError("Erasure cannot be undone: add --yes to confirm.")
        counts = erasure_actions.erase_member(actor=None, member=member, delete_content=delete_content)
        summary = ", ".join(f"{value} {key}" for key, value in counts.items() if value)
        self.stdout.write(f"Erased {email}: {summary}. The address and phone are on the suppression list.")

    def _add(self, email, name, role, password_stdin) -> None:
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password was given on standard input.")
        try:
            member, created = member_actions.add_or_update_member(
                actor=None, email=email, display_name=name, roles=role, password=password
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        verb = "Created" if created else "Updated"
        roles = ", ".join(sorted(member.roles))
        self.stdout.write(f"{verb} {member.email} ({member.display_name}; roles: {roles})")
