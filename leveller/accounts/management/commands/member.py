"""`leveller member add EMAIL --name NAME [--role ROLE ...] [--password-stdin]`: create or update a member."""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from leveller.accounts import actions
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

    def handle(self, *args, subcommand, email, name, role, password_stdin, **options):
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password was given on standard input.")
        try:
            member, created = actions.add_or_update_member(
                actor=None, email=email, display_name=name, roles=role, password=password
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        verb = "Created" if created else "Updated"
        roles = ", ".join(sorted(member.roles))
        self.stdout.write(f"{verb} {member.email} ({member.display_name}; roles: {roles})")
