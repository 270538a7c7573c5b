"""Ask "Has your MP replied?" of every writer whose letter is due (the worker does this by itself)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from leveller.lobbying import followups


class Command(BaseCommand):
    help = "Send the follow-up question for every letter sent LEVELLER_LOBBYING_FOLLOW_UP_DAYS ago or more."

    def handle(self, *args, **options):
        asked = followups.send_due_follow_ups()
        self.stdout.write(f"asked {asked} writers")
