"""The send engine: emails one issue to its recipients over one reused SMTP connection, at a set rate.

Every recipient has a Delivery row. The engine's ledger, per message:

1. commit  pending -> sending  (a conditional UPDATE: only one sender can claim a row)
2. SMTP    MAIL / RCPT / DATA on the open connection
3. commit  sending -> sent | bounced (5xx) | pending with back-off (4xx, lost connection) | failed (out of tries)

A sender holds the issue's lease (renewed as it goes), so only one sends an issue at a time. When a sender
takes the lease, any row still "sending" belonged to a sender that stopped between steps 1 and 3: the SMTP
server may or may not have accepted that message, and nobody can tell. Such rows become "unknown" and are
NOT resent (at-most-once: no one ever gets a second copy); the editor sees how many and may choose to resend
to them. A stop between messages - the usual case: a crash, a deploy, a restart - loses nothing, and a
resumed send delivers exactly one copy to everyone. See docs/newsletter.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from leveller.newsletter.emails import Personaliser
from leveller.newsletter.models import Delivery, DeliveryState, Issue, SendStatus
from leveller.realtime.publish import publish

log = logging.getLogger(__name__)

LEASE_SECONDS = 60
PROGRESS_EVERY = 1.0  # seconds between progress pushes
BATCH = 500


class LeaseLost(Exception):
    """Another sender took over this issue; stop at once."""


class ServerUnavailable(Exception):
    """The SMTP server cannot be reached or refuses the connection: nobody's fault but the network's."""


@dataclass
class Outcome:
    state: str
    error: str = ""
    reconnect: bool = False
    halt: str = ""  # a reason to pause the send until an editor resumes it (the server refuses our sender)
    stop: bool = False  # stop this run and try again later (the server cannot be reached)


@dataclass
class Report:
    issue_id: int
    acquired: bool = True
    recovered_unknown: int = 0
    sent: int = 0
    bounced: int = 0
    retrying: int = 0
    failed: int = 0
    halted: str = ""
    stopped: str = ""
    counts: dict = field(default_factory=dict)


@dataclass
class Hooks:
    """Test seams: `after_sent(n)` runs after the n-th message of this run is recorded; `before_record(n)`
    runs after the SMTP server accepted it but before that is recorded (the ambiguous window)."""

    after_sent: Callable[[int], None] | None = None
    before_record: Callable[[int], None] | None = None


def classify(error: Exception) -> Outcome:
    """Permanent (5xx) -> bounced; temporary (4xx, lost connection) -> retry with back-off."""
    if isinstance(error, ServerUnavailable):
        return Outcome(DeliveryState.PENDING, f"Cannot reach the mail server: {error}"[:300], reconnect=True, stop=True)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(error.recipients.values()), (450, b""))
        text = f"{code} {_text(message)}"
        return Outcome(DeliveryState.BOUNCED if code >= 500 else DeliveryState.PENDING, text, reconnect=code == 421)
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
        text = f"{error.smtp_code} {_text(error.smtp_error)}"
        if error.smtp_code >= 500:
            return Outcome(DeliveryState.PENDING, text, reconnect=True, halt=f"The mail server refused us: {text}")
        return Outcome(DeliveryState.PENDING, text, reconnect=True)
    if isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {_text(error.smtp_error)}"
        if error.smtp_code >= 500:
            return Outcome(DeliveryState.BOUNCED, text)
        return Outcome(DeliveryState.PENDING, text, reconnect=error.smtp_code == 421)
    return Outcome(DeliveryState.PENDING, f"{type(error).__name__}: {error}"[:300], reconnect=True)


def _text(message) -> str:
    return (message.decode(errors="replace") if isinstance(message, bytes) else str(message))[:250]


def backoff(attempts: int) -> float:
    """Seconds before the next try: base, 2x base, 4x base … capped at six hours."""
    return min(settings.NEWSLETTER_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600)


class Pacer:
    """At most `rate` messages a second (0 = as fast as the server takes them), without bursts after a stall."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = max(self.next_at, now) + self.interval


class Connection:
    """One SMTP connection (Django's configured email backend), opened once and reused for every message.

    With the SMTP backend, each message goes out as prebuilt bytes on the backend's open smtplib connection
    (same host, port, TLS and login as every other email); other backends (console, memory) get a Django
    EmailMessage."""

    def __init__(self):
        self.backend = None

    def send(self, personaliser: Personaliser, subscriber_id: int, email: str, name: str) -> None:
        if self.backend is None:
            backend = get_connection(fail_silently=False)
            try:
                backend.open()
            except smtplib.SMTPAuthenticationError:
                raise
            except (OSError, smtplib.SMTPException) as error:
                raise ServerUnavailable(str(error) or type(error).__name__) from error
            self.backend = backend
        smtp = getattr(self.backend, "connection", None)
        if isinstance(self.backend, SMTPBackend) and smtp is not None:
            data = personaliser.wire(subscriber_id=subscriber_id, email=email, name=name)
            smtp.sendmail(personaliser.envelope_from, [email], data)
        else:
            message = personaliser.message(subscriber_id=subscriber_id, email=email, name=name)
            message.connection = self.backend
            self.backend.send_messages([message])

    def close(self) -> None:
        if self.backend is not None:
            try:
                self.backend.close()
            except Exception:  # a dead connection cannot be closed politely
                log.debug("closing a broken SMTP connection", exc_info=True)
            self.backend = None


# --- the lease -------------------------------------------------------------------------------------------
def acquire(issue_id: int, owner: str) -> bool:
    now = timezone.now()
    free = Q(send_lease_until__isnull=True) | Q(send_lease_until__lt=now)
    with transaction.atomic():
        return bool(
            Issue.objects.filter(free, pk=issue_id).update(send_lease_until=now + _lease(), send_lease_owner=owner)
        )


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=LEASE_SECONDS)


def renew(issue_id: int, owner: str) -> None:
    with transaction.atomic():
        if not Issue.objects.filter(pk=issue_id, send_lease_owner=owner).update(
            send_lease_until=timezone.now() + _lease()
        ):
            raise LeaseLost(issue_id)


def release(issue_id: int, owner: str) -> None:
    with transaction.atomic():
        Issue.objects.filter(pk=issue_id, send_lease_owner=owner).update(send_lease_until=None, send_lease_owner="")


def recover_stale(issue_id: int) -> int:
    """Rows left "sending" by a sender that died mid-message: mark them unknown, never resend them."""
    with transaction.atomic():
        return Delivery.objects.filter(issue_id=issue_id, state=DeliveryState.SENDING).update(
            state=DeliveryState.UNKNOWN,
            last_error="The sender stopped while this message was with the mail server; not resent.",
        )


# --- the ledger --------------------------------------------------------------------------------------------
def claim(delivery_id: int, *, sent_before: int | None = None) -> bool:
    """Commit pending -> sending for this row and, in the same statement, record the previous message as sent:
    one commit per message instead of two, with the same guarantees (each row is "sending" in the database
    before its SMTP call, and "sent" before the next SMTP call starts)."""
    now = db_connection.ops.adapt_datetimefield_value(timezone.now())
    if _can_return():
        return _claim_returning(delivery_id, sent_before, now)
    table = Delivery._meta.db_table
    with transaction.atomic(), db_connection.cursor() as cursor:
        if sent_before is not None:
            cursor.execute(
                f"UPDATE {table} SET state = %s, sent_at = %s, last_error = '' WHERE id = %s",  # noqa: S608
                [DeliveryState.SENT, now, sent_before],
            )
        cursor.execute(
            f"UPDATE {table} SET state = %s, claimed_at = %s, attempts = attempts + 1 "  # noqa: S608
            "WHERE id = %s AND state = %s",
            [DeliveryState.SENDING, now, delivery_id, DeliveryState.PENDING],
        )
        return cursor.rowcount == 1


CLAIM_SQL = """
UPDATE {table} SET
  state = CASE WHEN id = %(prev)s THEN %(sent)s ELSE %(sending)s END,
  sent_at = CASE WHEN id = %(prev)s THEN %(now)s ELSE sent_at END,
  last_error = CASE WHEN id = %(prev)s THEN '' ELSE last_error END,
  claimed_at = CASE WHEN id = %(prev)s THEN claimed_at ELSE %(now)s END,
  attempts = CASE WHEN id = %(prev)s THEN attempts ELSE attempts + 1 END
WHERE id = %(prev)s OR (id = %(id)s AND state = %(pending)s)
RETURNING id
"""


def _claim_returning(delivery_id: int, sent_before: int | None, now) -> bool:
    """The hot path of a send: ONE statement (its own transaction in autocommit), no ORM, no savepoints."""
    params = {
        "prev": -1 if sent_before is None else sent_before,
        "id": delivery_id,
        "now": now,
        "sent": DeliveryState.SENT,
        "sending": DeliveryState.SENDING,
        "pending": DeliveryState.PENDING,
    }
    with db_connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL.format(table=Delivery._meta.db_table), params)
        return any(row[0] == delivery_id for row in cursor.fetchall())


def _can_return() -> bool:
    """UPDATE … RETURNING: PostgreSQL, and SQLite from 3.35."""
    if db_connection.vendor == "postgresql":
        return True
    if db_connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version_info >= (3, 35)
    return False


def record(delivery_id: int, subscriber_id: int, outcome: Outcome) -> str:
    """Write the result of one SMTP attempt; returns the final state."""
    now = timezone.now()
    with transaction.atomic():
        if outcome.state == DeliveryState.SENT:
            Delivery.objects.filter(pk=delivery_id).update(state=DeliveryState.SENT, sent_at=now, last_error="")
            return DeliveryState.SENT
        if outcome.state == DeliveryState.BOUNCED:
            from leveller.newsletter import subscriptions

            Delivery.objects.filter(pk=delivery_id).update(state=DeliveryState.BOUNCED, last_error=outcome.error)
            subscriptions.mark_bouncing(actor=None, subscriber_id=subscriber_id, reason=outcome.error)
            return DeliveryState.BOUNCED
        attempts = Delivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 0
        if outcome.halt or outcome.stop:  # not the recipient's fault: give the try back
            attempts = max(attempts - 1, 0)
        if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
            Delivery.objects.filter(pk=delivery_id).update(state=DeliveryState.FAILED, last_error=outcome.error)
            return DeliveryState.FAILED
        Delivery.objects.filter(pk=delivery_id).update(
            state=DeliveryState.PENDING,
            attempts=attempts,
            last_error=outcome.error,
            next_attempt_at=now + _seconds(0 if outcome.halt else backoff(max(attempts, 1))),
        )
        return DeliveryState.PENDING


def _seconds(value: float) -> dt.timedelta:
    return dt.timedelta(seconds=value)


def counts(issue_id: int) -> dict[str, int]:
    rows = Delivery.objects.filter(issue_id=issue_id).values("state").annotate(n=Count("id")).order_by()
    result = dict.fromkeys(DeliveryState.values, 0)
    for row in rows:
        result[row["state"]] = row["n"]
    result["recipients"] = sum(result[s] for s in DeliveryState.values)
    return result


def push_progress(issue_id: int, *, status: str | None = None) -> dict:
    data = counts(issue_id)
    issue = Issue.objects.filter(pk=issue_id).values("send_status", "send_error").first() or {}
    payload = {"issue": issue_id, **data, "status": status or issue.get("send_status", ""), **_error(issue)}
    with transaction.atomic():
        publish(streams=[f"newsletter-{issue_id}"], type="newsletter.progress", payload=payload)
    return payload


def _error(issue: dict) -> dict:
    return {"error": issue.get("send_error", "")}


# --- the loop ----------------------------------------------------------------------------------------------
def run(issue_id: int, *, hooks: Hooks | None = None) -> Report:
    """Send every due pending delivery of this issue. Safe to call again at any time (it resumes)."""
    hooks = hooks or Hooks()
    owner = uuid.uuid4().hex
    report = Report(issue_id=issue_id)
    if not acquire(issue_id, owner):
        report.acquired = False
        return report
    connection = Connection()
    try:
        report.recovered_unknown = recover_stale(issue_id)
        issue = Issue.objects.get(pk=issue_id)
        _set_status(issue_id, SendStatus.SENDING, error="")
        _loop(issue, owner, connection, report, hooks)
        _finish(issue_id, report)
    finally:
        connection.close()
        release(issue_id, owner)
    return report


def _loop(issue: Issue, owner: str, connection: Connection, report: Report, hooks: Hooks) -> None:
    personaliser = Personaliser.for_issue(issue)
    pacer = Pacer(settings.NEWSLETTER_RATE)
    last_beat = last_push = time.monotonic()
    unrecorded: int | None = None  # a message the server accepted, recorded "sent" with the next claim
    try:
        while True:
            batch = list(
                Delivery.objects.filter(
                    issue_id=issue.pk, state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now()
                )
                .order_by("id")
                .values_list("id", "subscriber_id", "subscriber__email", "subscriber__name")[:BATCH]
            )
            if not batch:
                return
            for delivery_id, subscriber_id, email, name in batch:
                pacer.wait()
                claimed = claim(delivery_id, sent_before=unrecorded)
                if unrecorded is not None:
                    _tally(report, DeliveryState.SENT)
                    unrecorded = None
                if not claimed:
                    continue  # skipped (unsubscribed meanwhile) or taken
                outcome = _send_one(connection, personaliser, subscriber_id, email, name)
                if outcome.state == DeliveryState.SENT:
                    if hooks.before_record:
                        hooks.before_record(report.sent + 1)
                    unrecorded = delivery_id
                    if hooks.after_sent:  # tests: record at once so the hook sees it recorded
                        record(delivery_id, subscriber_id, outcome)
                        _tally(report, DeliveryState.SENT)
                        unrecorded = None
                        hooks.after_sent(report.sent)
                else:
                    _tally(report, record(delivery_id, subscriber_id, outcome))
                    if outcome.reconnect:
                        connection.close()
                    if outcome.halt:
                        report.halted = outcome.halt
                        return
                    if outcome.stop:
                        report.stopped = outcome.error
                        return
                now = time.monotonic()
                if now - last_beat > 2:
                    renew(issue.pk, owner)
                    last_beat = now
                if now - last_push > PROGRESS_EVERY:
                    push_progress(issue.pk)
                    last_push = now
    finally:
        if unrecorded is not None:
            record(unrecorded, 0, Outcome(DeliveryState.SENT))
            _tally(report, DeliveryState.SENT)


def _send_one(connection: Connection, personaliser: Personaliser, subscriber_id: int, email: str, name: str):
    try:
        connection.send(personaliser, subscriber_id, email, name)
    except Exception as error:  # every failure is classified; none may stop the loop unrecorded
        return classify(error)
    return Outcome(DeliveryState.SENT)


def _tally(report: Report, state: str) -> None:
    if state == DeliveryState.SENT:
        report.sent += 1
    elif state == DeliveryState.BOUNCED:
        report.bounced += 1
    elif state == DeliveryState.FAILED:
        report.failed += 1
    else:
        report.retrying += 1


def _set_status(issue_id: int, status: str, **fields) -> None:
    with transaction.atomic():
        Issue.objects.filter(pk=issue_id).update(send_status=status, **{f"send_{k}": v for k, v in fields.items()})


def _finish(issue_id: int, report: Report) -> None:
    pending = Delivery.objects.filter(issue_id=issue_id, state=DeliveryState.PENDING)
    if report.halted:
        _set_status(issue_id, SendStatus.PAUSED, error=report.halted[:500])
    elif pending.exists():
        when = max(pending.aggregate(at=Min("next_attempt_at"))["at"], timezone.now() + dt.timedelta(seconds=1))
        _set_status(issue_id, SendStatus.SENDING, error=report.stopped)
        from leveller.newsletter.tasks import send_issue_later

        send_issue_later(issue_id, when)
    else:
        _set_status(issue_id, SendStatus.DONE, finished_at=timezone.now())
    report.counts = push_progress(issue_id)
