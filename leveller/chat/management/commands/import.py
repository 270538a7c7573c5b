"""`leveller import slack PATH [--dry-run] [--invite] [--default-channels] [--as EMAIL]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from leveller.accounts.models import Member, Role
from leveller.chat.actions import slack_import as slack_import_actions
from leveller.chat.slack_import.source import ExportError


class Command(BaseCommand):
    requires_system_checks = []  # a long batch job: the checks (which import every URL conf) add seconds
    help = "Import from another tool. `leveller import slack PATH`: a Slack export (.zip or unpacked folder)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["slack"], help="What to import from (slack).")
        parser.add_argument("path", help="The Slack export: its .zip or the folder it unpacks to.")
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; print what would happen.")
        parser.add_argument("--invite", action="store_true", help="Email each new member a claim-your-account link.")
        parser.add_argument(
            "--default-channels", action="store_true", help="Slack's #general becomes a default channel here."
        )
        parser.add_argument("--as", dest="actor", default="", help="The admin doing the import (email).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for logs).")

    def handle(self, *args, **options):
        actor = self._actor(options["actor"])
        run = slack_import_actions.create_run(
            actor=actor, path=options["path"], invite=options["invite"], default_channels=options["default_channels"]
        )
        bar = None if options["no_progress"] else tqdm(total=0, unit="day file", file=self.stderr._out)

        def progress(state: dict) -> None:
            if bar is None:
                return
            if state.get("files_total") and bar.total != state["files_total"]:
                bar.total = state["files_total"]
            bar.set_description(state.get("phase", ""))
            bar.set_postfix(messages=state.get("messages", 0), refresh=False)
            bar.update(max(0, state.get("files_done", 0) - bar.n))

        try:
            report = slack_import_actions.import_slack(
                actor=actor,
                path=options["path"],
                dry_run=options["dry_run"],
                invite=options["invite"],
                default_channels=options["default_channels"],
                run=run,
                progress=progress,
            )
        except ExportError as error:
            raise CommandError(str(error)) from None
        finally:
            if bar is not None:
                bar.close()
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was changed.")
        for line in report.lines():
            self.stdout.write(line)

    @staticmethod
    def _actor(email: str) -> Member:
        admins = Member.objects.filter(is_active=True).filter(role_rows__role=Role.ADMIN)
        actor = admins.filter(email__iexact=email).first() if email else admins.order_by("id").first()
        if actor is None:
            raise CommandError(
                f"{email} is not an active admin." if email else
                "An admin does the import: create one first (leveller member add EMAIL --role admin) or pass --as."
            )  # fmt: skip
        return actor
