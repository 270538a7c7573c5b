"""Ask "Has your MP replied?" of every writer whose letter is due, and delete letters never confirmed (the worker
does both by itself, as deferred tasks; this runs them by hand, e.g. from cron on a queue that cannot defer)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from leveller.lobbying import followups
from leveller.lobbying.actions import letters


class Command(BaseCommand):
    help = "Send the follow-up question for every letter sent LEVELLER_LOBBYING_FOLLOW_UP_DAYS ago or more."

    def handle(self, *args, **options):
        asked = followups.send_due_follow_ups()
        purged = letters.purge_unconfirmed()
        self.stdout.write(f"asked {asked} writers; deleted {purged} letters never confirmed")
