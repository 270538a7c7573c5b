"""The newsletter's part of members' data rights."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from leveller.newsletter.models import (
    Answer,
    Delivery,
    Image,
    Issue,
    Question,
    Section,
    Subscriber,
    SubscriberStatus,
)
from leveller.privacy.registry import declare, eraser, exporter, retention

declare(
    Issue,
    what="Newsletter issues and the email as sent",
    why="The members' newsletter",
    basis="Legitimate interests",
    kept="Kept as the archive",
    who="Everyone, once published; editors before",
)
declare(
    Section,
    what="The sections of an issue",
    why="The newsletter",
    basis="Legitimate interests",
    kept="As long as the issue",
    who="As for the issue",
)
declare(
    Image,
    what="Pictures in an issue",
    why="The newsletter",
    basis="Legitimate interests",
    kept="As long as the issue",
    who="As for the issue",
)
declare(
    Subscriber,
    what="Subscribers' email, name, postcode, and their consent: when, how, the exact wording; unsubscribes",
    why="Emailing the newsletter to those who asked for it",
    basis="Consent",
    kept="Until they unsubscribe and are erased; unconfirmed sign-ups are deleted after the retention period",
    who="Editors and staff",
)
declare(
    Delivery,
    what="Which subscriber was sent which issue, and whether it bounced",
    why="Sending each issue once, and stopping to bouncing addresses",
    basis="Consent",
    kept="As long as the subscriber",
    who="Editors and staff",
)
declare(
    Question,
    what="The question of the month",
    why="Members' voices in the newsletter",
    basis="Legitimate interests",
    kept="Kept as the archive",
    who="Members; editors",
)
declare(
    Answer,
    what="Members' answers to the question of the month, and whether to print their name and group "
    "(may reveal political opinions)",
    why="Members' voices in the newsletter",
    basis="Consent (the member chooses to answer and what to show); Article 9(2)(a)",
    kept="Kept; on erasure signed 'Former member', or deleted if they asked",
    who="Editors; readers of an issue that prints it (with the name only if the member agreed)",
    special=True,
)


@exporter("newsletter_subscription", title="Your newsletter subscription and consent", order=60)
def export_subscription(member):
    rows = Subscriber.objects.filter(email__iexact=member.email).values(
        "email",
        "name",
        "postcode",
        "status",
        "created_at",
        "requested_at",
        "consent_at",
        "consent_source",
        "consent_wording",
        "unsubscribed_at",
        "bounced_at",
    )
    yield from rows.iterator()


@exporter("newsletter_submissions", title="Your answers to the question of the month", order=61)
def export_answers(member):
    rows = Answer.objects.filter(member=member).values(
        "question__text", "body", "show_name", "show_group", "status", "submitted_at", "printed_in__title"
    )
    for row in rows.order_by("id").iterator():
        yield {
            "question": row["question__text"],
            "text": row["body"],
            "show_name": row["show_name"],
            "show_group": row["show_group"],
            "status": row["status"],
            "created_at": row["submitted_at"],
            "printed_in": row["printed_in__title"],
        }


@eraser("newsletter", order=140)
def erase_newsletter(member, *, delete_content: bool, identity) -> dict:
    mine = Subscriber.objects.filter(Q(email__iexact=identity.email) | Q(member=member))
    counts = {"newsletter subscriptions": mine.delete()[1].get("newsletter.Subscriber", 0)}
    if delete_content:
        counts["newsletter answers"] = Answer.objects.filter(member=member, printed_in__isnull=True).delete()[0]
    return counts


@retention(
    "newsletter.unconfirmed",
    title="Unconfirmed newsletter sign-ups",
    days=30,
    describe="Sign-ups whose confirmation link was never clicked are deleted after this long.",
)
def delete_unconfirmed(*, days: int, now: dt.datetime, dry_run: bool) -> int:
    stale = Subscriber.objects.filter(status=SubscriberStatus.PENDING, created_at__lt=now - dt.timedelta(days=days))
    return stale.count() if dry_run else stale.delete()[1].get("newsletter.Subscriber", 0)
