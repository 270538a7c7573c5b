"""`leveller demo`: load (or refresh) the demo workspace. Safe to run again: nothing is duplicated."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from leveller.core import demoload as demo


class Command(BaseCommand):
    help = "Load the idempotent demo workspace and print demo logins."

    def handle(self, *args, **options):
        logins = demo.load_all(log=lambda line: self.stdout.write(line))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for role, email in logins:
            self.stdout.write(f"  {role:<10} {email}")
