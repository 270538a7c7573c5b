"""Everyone told: emails to a vote's electorate when nominations open, when voting opens, a reminder before
close to those who have not voted, and when results are published. One function per kind (send_*), each run
from the task queue (tasks.send_election_mail_task); each message has a one-click unsubscribe for its kind.

Secrecy: the reminder's recipients are worked out when it is sent, from the electorate minus the voter roll
(the existing one-ballot record), and the messages go out from inside the task over one SMTP connection. No
list of who was reminded is stored anywhere — not in a table, not in the task queue (whose row holds only the
election id and the kind), not in a log. Each election records only *when* each kind went out.
"""

from __future__ import annotations

import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from leveller.core import unsubscribe
from leveller.elections.eligibility import describe_electorate, eligible_members
from leveller.elections.models import Election, MailKind, MailOptOut, State, VoterRoll
from leveller.privacy import consent

log = logging.getLogger(__name__)
SALT = "leveller.elections.unsubscribe"
BATCH = 200


# --- unsubscribe links ---------------------------------------------------------------------------------


def unsubscribe_url(member_id: int, kind: str) -> str:
    token = unsubscribe.sign_token(f"{member_id}-{kind}", salt=SALT)
    return settings.SITE_URL + reverse("elections:unsubscribe", args=[token])


def read_unsubscribe(token: str) -> tuple[int, str] | None:
    value = unsubscribe.read_token(token, salt=SALT)
    if value is None or "-" not in value:
        return None
    member_id, kind = value.split("-", 1)
    if not member_id.isdigit() or kind not in MailKind.values:
        return None
    return int(member_id), kind


# --- who gets what --------------------------------------------------------------------------------------


def recipients(election: Election, kind: str):
    """The electorate, minus members who opted out of this kind. (Consent checks belong here, once.)"""
    opted_out = MailOptOut.objects.filter(kind=kind).values("member_id")
    electorate = consent.permitted(None, eligible_members(election))  # a membership notice: no purpose
    return electorate.exclude(pk__in=opted_out).exclude(email="")


def non_voters(election: Election):
    """Reminder recipients: computed from the voter roll at send time and never stored."""
    voted = VoterRoll.objects.filter(election=election).values("member_id")
    return recipients(election, MailKind.REMINDER).exclude(pk__in=voted)


def _claim(election: Election, kind: str) -> Election | None:
    """Mark `kind` as sent for this election (once only); None when it already went or the vote opted out."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if not election.email_members or kind in election.notices_sent:
            return None
        election.notices_sent = {**election.notices_sent, kind: timezone.now().isoformat()}
        election.save(update_fields=["notices_sent"])
    return election


def _message(election: Election, kind: str, member, connection) -> EmailMultiAlternatives:
    link = unsubscribe_url(member.pk, kind)
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "member": member,
        "election": election,
        "electorate": describe_electorate(election),
        "link": settings.SITE_URL + election.get_absolute_url(),
        "ballot_link": settings.SITE_URL + reverse("elections:ballot", args=[election.pk]),
        "results_link": settings.SITE_URL + reverse("elections:results", args=[election.pk]),
        "unsubscribe_url": link,
        "kind_label": MailKind(kind).label.lower(),
    }
    subject = " ".join(render_to_string(f"elections/email/{kind}_subject.txt", context).split())
    text = render_to_string(f"elections/email/{kind}.txt", context)
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    headers = {
        **unsubscribe.headers(link),
        "List-Id": f"{settings.SITE_NAME} votes: {MailKind(kind).label} <votes-{kind.replace('_', '-')}.{host}>",
        "Message-ID": make_msgid(f"vote{election.pk}.{kind}", domain=host),
        "Auto-Submitted": "auto-generated",
    }
    return EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [member.email], headers=headers, connection=connection
    )


def _deliver(election: Election, kind: str, members) -> int:
    """Send one message per member over one connection, in batches. Returns how many were accepted."""
    sent = 0
    connection = get_connection()
    batch = []
    with connection:
        for member in members.only("pk", "email", "display_name").iterator(chunk_size=BATCH):
            batch.append(_message(election, kind, member, connection))
            if len(batch) >= BATCH:
                sent += connection.send_messages(batch) or 0
                batch = []
        if batch:
            sent += connection.send_messages(batch) or 0
    log.info("election %s: %s email sent to %d members", election.pk, kind, sent)
    return sent


# --- one function per kind ------------------------------------------------------------------------------


def send_nominations_open(election: Election) -> int:
    election = Election.objects.get(pk=election.pk)
    if election.state != State.NOMINATIONS or (election := _claim(election, MailKind.NOMINATIONS_OPEN)) is None:
        return 0
    return _deliver(election, MailKind.NOMINATIONS_OPEN, recipients(election, MailKind.NOMINATIONS_OPEN))


def send_voting_open(election: Election) -> int:
    election = Election.objects.get(pk=election.pk)
    if election.state != State.VOTING or (election := _claim(election, MailKind.VOTING_OPEN)) is None:
        return 0
    return _deliver(election, MailKind.VOTING_OPEN, recipients(election, MailKind.VOTING_OPEN))


def reminder_due_at(election: Election):
    if election.voting_closes_at is None:
        return None
    return election.voting_closes_at - timezone.timedelta(hours=settings.ELECTIONS_REMINDER_HOURS)


def send_reminder(election: Election, now=None) -> int:
    """To members of the electorate who have not voted, once, in the last ELECTIONS_REMINDER_HOURS."""
    now = now or timezone.now()
    election = Election.objects.get(pk=election.pk)
    due = reminder_due_at(election)
    if not election.voting_open_now(now) or due is None or now < due:
        return 0
    if (election := _claim(election, MailKind.REMINDER)) is None:
        return 0
    return _deliver(election, MailKind.REMINDER, non_voters(election))


def send_results(election: Election) -> int:
    election = Election.objects.get(pk=election.pk)
    if election.state != State.PUBLISHED or (election := _claim(election, MailKind.RESULTS)) is None:
        return 0
    return _deliver(election, MailKind.RESULTS, recipients(election, MailKind.RESULTS))


SENDERS = {
    MailKind.NOMINATIONS_OPEN: send_nominations_open,
    MailKind.VOTING_OPEN: send_voting_open,
    MailKind.REMINDER: send_reminder,
    MailKind.RESULTS: send_results,
}


# --- queueing -------------------------------------------------------------------------------------------


def queue(election: Election, kind: str) -> None:
    """After the action's commit, queue the email of `kind` for this election."""
    from leveller.elections.tasks import send_election_mail_task

    if not election.email_members:
        return
    pk = election.pk
    transaction.on_commit(lambda: send_election_mail_task.enqueue(election_id=pk, kind=kind))


def schedule_reminder(election: Election) -> None:
    """After commit, queue the reminder for ELECTIONS_REMINDER_HOURS before close (where the queue can defer;
    a vote shorter than that gets no reminder, the voting-open email having just gone)."""
    from leveller.elections.tasks import send_election_mail_task

    if not election.email_members:
        return
    pk, due = election.pk, reminder_due_at(election)

    def enqueue() -> None:
        if due is None or due <= timezone.now() or not send_election_mail_task.get_backend().supports_defer:
            return
        send_election_mail_task.using(run_after=due).enqueue(election_id=pk, kind=MailKind.REMINDER)

    transaction.on_commit(enqueue)
