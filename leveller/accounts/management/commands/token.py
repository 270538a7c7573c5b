"""`leveller token create EMAIL [--name NAME]`: print a new API token for that member."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from leveller.accounts.actions import members as member_actions
from leveller.accounts.models import Member


class Command(BaseCommand):
    help = "Create API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="Print a new API token for a member.")
        create.add_argument("email")
        create.add_argument("--name", default="Command-line token")

    def handle(self, *args, subcommand, email, name, **options):
        member = Member.objects.filter(email__iexact=email.strip()).first()
        if member is None:
            raise CommandError(
                f"No member has the email {email!r}. Add one with: leveller member add {email} --name NAME"
            )
        if not member.is_active:
            raise CommandError(f"{member.email} is deactivated.")
        _, secret = member_actions.create_api_token(actor=member, member=member, name=name)
        self.stdout.write(secret)
