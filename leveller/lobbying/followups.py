"""The follow-up question, "Has your MP replied?", asked once, LOBBYING_FOLLOW_UP_DAYS after a letter is sent.

Sending a letter queues a deferred task for the day it falls due (tasks.ask_follow_ups); the task runs the
sweep below, which asks every letter that is due and not yet asked. Claiming a letter is one conditional
UPDATE (follow_up_asked_at from NULL to now), so however often or concurrently the sweep runs, each writer is
asked once. `leveller lobbying_follow_ups` runs the same sweep by hand.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leveller.core.mail import send_templated
from leveller.lobbying import tokens
from leveller.lobbying.models import Letter, LetterState, Reply
from leveller.privacy import consent

log = logging.getLogger(__name__)


def delay() -> dt.timedelta:
    return dt.timedelta(days=settings.LOBBYING_FOLLOW_UP_DAYS)


def due(now: dt.datetime):
    return Letter.objects.filter(
        state=LetterState.SENT, sent_at__lte=now - delay(), follow_up_asked_at__isnull=True, reply=""
    )


def send_due_follow_ups(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Ask every writer whose letter is due. Returns how many were asked."""
    now = now or timezone.now()
    asked = 0
    for letter_id in list(due(now).order_by("sent_at").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            claimed = Letter.objects.filter(pk=letter_id, follow_up_asked_at__isnull=True).update(
                follow_up_asked_at=now
            )
            if not claimed:
                continue
            letter = Letter.objects.select_related("campaign").get(pk=letter_id)
            if not consent.permits(None, email=letter.writer_email):  # a service message, but never to the erased
                continue
            link = tokens.follow_up_url(letter.pk)
            send_templated(
                to=letter.writer_email,
                template="lobbying/email/follow_up",
                context={
                    "letter": letter,
                    "campaign": letter.campaign,
                    "answers": [(value, label, f"{link}?answer={value}") for value, label in ANSWERS],
                    "link": link,
                },
            )
            asked += 1
    return asked


ANSWERS = [(Reply.YES.value, "Yes, they replied"), (Reply.NO.value, "No reply yet"),
           (Reply.AGREED.value, "They replied and agreed")]  # fmt: skip


def schedule(letter: Letter) -> None:
    """After a letter is sent: run the sweep on the day its follow-up falls due (when the queue can defer)."""
    from django_tasks import task_backends

    from leveller.lobbying.tasks import ask_follow_ups

    backend = task_backends[ask_follow_ups.backend]
    if not getattr(backend, "supports_defer", False):
        return  # the immediate backend (tests): tests run the sweep with their own clock
    at = letter.sent_at + delay()
    transaction.on_commit(lambda: ask_follow_ups.using(run_after=at).enqueue())
