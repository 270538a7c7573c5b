"""The send engine: emails one issue to its recipients over one reused SMTP connection, at a set rate.

Every recipient has a Delivery row. The engine's ledger, per message (exactly once, see docs/newsletter.md):

1. SMTP    MAIL / RCPT / DATA and the whole message, except the final "." that ends it (the row is still
           "pending": a sender killed here leaves nothing at the server, which drops an unfinished message)
2. commit  pending -> sent (a conditional UPDATE: only one sender can hand a row over; if another did, or the
           subscriber left meanwhile, the connection is dropped and the unfinished message with it)
3. SMTP    the final "." and the server's reply: 250 and it is done; a refusal (5xx -> bounced, 4xx -> pending
           with back-off, out of tries -> failed) is written over the "sent"

So a sender that stops at any point - a crash, kill -9, a deploy - leaves every row either pending (the server
never got that message whole: it is sent on resume) or sent (the server has it, or is about to take it: it is
never resent). The only window where the two disagree is between step 2's commit and writing step 3's five
bytes. A sender holds the issue's lease (NEWSLETTER_LEASE_SECONDS, renewed as it goes), so only one sends an
issue at a time and a dead sender's issue is resumed within seconds (tasks.watch_send). Rows left "sending" by
an older version of this engine become "unknown" and are not resent.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
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

RENEW_EVERY = 2.0  # seconds between lease renewals (the lease is NEWSLETTER_LEASE_SECONDS)
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
    """Test seams: `after_sent(n)` runs after the n-th message of this run is accepted and recorded;
    `mid_data(n)` while the server has all of it but its final "." (the row still pending); `handed_over(n)`
    after the row is committed "sent" and before the final "."."""

    after_sent: Callable[[int], None] | None = None
    mid_data: Callable[[int], None] | None = None
    handed_over: Callable[[int], None] | None = None


class HandedToOther(Exception):
    """The row was no longer pending when we came to hand it over (unsubscribed, or another sender)."""


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

    def send(
        self, personaliser: Personaliser, subscriber_id: int, email: str, name: str, hand_over: Callable[[], None]
    ) -> None:
        """Send one message; `hand_over()` records it sent just before the server can take it (see the ledger)."""
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
            try:
                transmit(smtp, personaliser.envelope_from, email, data, hand_over)
            except HandedToOther:
                self.close()  # drops the unfinished message at the server
                raise
        else:
            message = personaliser.message(subscriber_id=subscriber_id, email=email, name=name)
            message.connection = self.backend
            hand_over()
            self.backend.send_messages([message])

    def close(self) -> None:
        if self.backend is not None:
            smtp = getattr(self.backend, "connection", None)
            if smtp is not None and getattr(smtp, "leveller_in_data", False):
                smtp.close()  # mid-message: drop the socket, and the server drops the unfinished message
                self.backend.connection = None
            try:
                self.backend.close()
            except Exception:  # a dead connection cannot be closed politely
                log.debug("closing a broken SMTP connection", exc_info=True)
            self.backend = None


CRLF = b"\r\n"


def transmit(smtp: smtplib.SMTP, sender: str, to: str, data: bytes, hand_over: Callable[[], None]) -> None:
    """smtplib's sendmail() for one recipient, with `hand_over()` between the message and its final ".":
    an SMTP server keeps a message only once that "." arrives."""
    smtp.ehlo_or_helo_if_needed()
    options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, reply = smtp.mail(sender, options)
    if code != 250:
        _rset(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(to)
    if code not in (250, 251):
        _rset(smtp, code)
        raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
    code, reply = smtp.docmd("data")
    if code != 354:
        _rset(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    body = re.sub(rb"(?m)^\.", b"..", data)
    if body[-2:] != CRLF:
        body += CRLF
    smtp.leveller_in_data = True  # until the reply: QUIT now would become part of the message
    smtp.send(body)
    hand_over()
    smtp.send(b"." + CRLF)
    code, reply = smtp.getreply()
    smtp.leveller_in_data = False
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def _rset(smtp: smtplib.SMTP, code: int) -> None:
    if code == 421:
        smtp.close()
    else:
        smtp._rset()


# --- the lease -------------------------------------------------------------------------------------------
def acquire(issue_id: int, owner: str) -> bool:
    now = timezone.now()
    free = Q(send_lease_until__isnull=True) | Q(send_lease_until__lt=now)
    with transaction.atomic():
        return bool(
            Issue.objects.filter(free, pk=issue_id).update(send_lease_until=now + _lease(), send_lease_owner=owner)
        )


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)


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
def hand_over(delivery_id: int) -> bool:
    """Commit pending -> sent for this row (step 2 of the ledger): one statement that commits by itself.

    No transaction.atomic() around it: in autocommit mode the UPDATE is its own transaction, so the hand-over is
    one round trip to the database instead of three (BEGIN, UPDATE, COMMIT). That round trip is the ledger's
    one window (docs/newsletter.md, "Exactly one copy"), so it is kept as short as it can be."""
    now = db_connection.ops.adapt_datetimefield_value(timezone.now())
    table = Delivery._meta.db_table
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, sent_at = %s, claimed_at = %s, attempts = attempts + 1, "  # noqa: S608
            "last_error = '' WHERE id = %s AND state = %s",
            [DeliveryState.SENT, now, now, delivery_id, DeliveryState.PENDING],
        )
        return cursor.rowcount == 1


def record(delivery_id: int, subscriber_id: int, outcome: Outcome, *, handed_over: bool = False) -> str:
    """Write the result of a failed SMTP attempt (or a late refusal of a handed-over one); returns the state."""
    now = timezone.now()
    with transaction.atomic():
        attempts = Delivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 0
        if not handed_over:
            attempts += 1  # the try that failed before the row was handed over (which counts it)
        if outcome.state == DeliveryState.BOUNCED:
            from leveller.newsletter.actions import subscriptions

            Delivery.objects.filter(pk=delivery_id).update(
                state=DeliveryState.BOUNCED, attempts=attempts, last_error=outcome.error
            )
            subscriptions.mark_bouncing(actor=None, subscriber_id=subscriber_id, reason=outcome.error)
            return DeliveryState.BOUNCED
        if outcome.halt or outcome.stop:  # not the recipient's fault: give the try back
            attempts = max(attempts - 1, 0)
        if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
            Delivery.objects.filter(pk=delivery_id).update(
                state=DeliveryState.FAILED, attempts=attempts, last_error=outcome.error
            )
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
    while True:
        batch = list(
            Delivery.objects.filter(issue_id=issue.pk, state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("id")
            .values_list("id", "subscriber_id", "subscriber__email", "subscriber__name")[:BATCH]
        )
        if not batch:
            return
        for delivery_id, subscriber_id, email, name in batch:
            pacer.wait()
            outcome, handed = _send_one(
                connection, personaliser, delivery_id, subscriber_id, email, name, report, hooks
            )
            if outcome is None:
                pass  # skipped (unsubscribed meanwhile) or taken by another sender
            elif outcome.state == DeliveryState.SENT:
                _tally(report, DeliveryState.SENT)
                if hooks.after_sent:
                    hooks.after_sent(report.sent)
            else:
                _tally(report, record(delivery_id, subscriber_id, outcome, handed_over=handed))
                if outcome.reconnect:
                    connection.close()
                if outcome.halt:
                    report.halted = outcome.halt
                    return
                if outcome.stop:
                    report.stopped = outcome.error
                    return
            now = time.monotonic()
            if now - last_beat > RENEW_EVERY:
                renew(issue.pk, owner)
                last_beat = now
            if now - last_push > PROGRESS_EVERY:
                push_progress(issue.pk)
                last_push = now


def _send_one(
    connection: Connection,
    personaliser: Personaliser,
    delivery_id: int,
    subscriber_id: int,
    email: str,
    name: str,
    report: Report,
    hooks: Hooks,
) -> tuple[Outcome | None, bool]:
    """(outcome, whether the row was handed over); outcome None: the row was no longer ours to send."""
    handed = False
    n = report.sent + 1

    def over() -> None:
        nonlocal handed
        if hooks.mid_data:
            hooks.mid_data(n)
        if not hand_over(delivery_id):
            raise HandedToOther(delivery_id)
        handed = True
        if hooks.handed_over:
            hooks.handed_over(n)

    try:
        connection.send(personaliser, subscriber_id, email, name, over)
    except HandedToOther:
        return None, False
    except Exception as error:  # every failure is classified; none may stop the loop unrecorded
        return classify(error), handed
    return Outcome(DeliveryState.SENT), True


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
