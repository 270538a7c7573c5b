"""Background work: sending one letter to its MP, and the follow-up sweep."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task

log = logging.getLogger(__name__)


def letter_message(letter) -> EmailMessage:
    """The email to the MP: from the site (so it is not refused as spoofed), in the writer's name, with the
    writer's address for replies, and the writer's postal address so the MP can see they are a constituent."""
    from email.utils import formataddr, parseaddr

    _, sender = parseaddr(settings.DEFAULT_FROM_EMAIL)
    footer = "\n".join(
        [letter.writer_name, letter.address, letter.postcode, letter.writer_email]
        if letter.postcode not in letter.address
        else [letter.writer_name, letter.address, letter.writer_email]
    )
    body = (
        f"{letter.body}\n\n{footer}\n\n--\n"
        f"{letter.writer_name} wrote this letter with {settings.SITE_NAME}'s campaign “{letter.campaign.title}”. "
        "Reply to this email to answer them directly."
    )
    return EmailMessage(
        subject=letter.subject,
        body=body,
        from_email=formataddr((f"{letter.writer_name} via {settings.SITE_NAME}", sender)),
        to=[letter.mp_email],
        reply_to=[formataddr((letter.writer_name, letter.writer_email))],
        headers={"X-Leveller-Letter": str(letter.pk), "Auto-Submitted": "no"},
    )


@task()
def deliver_letter(*, letter_id: int) -> str:
    from leveller.lobbying.actions import letters

    letter = letters.claim_for_sending(letter_id)
    if letter is None:
        return "not queued"
    try:
        letter_message(letter).send()
    except smtplib.SMTPRecipientsRefused as error:
        code, reason = next(iter(error.recipients.values()), (550, b"refused"))
        text = f"{code} {reason.decode(errors='replace') if isinstance(reason, bytes) else reason}"
        if code >= 500:
            letters.record_bounced(letter_id=letter_id, reason=text)
            return "bounced"
        return letters.record_failed(letter_id=letter_id, reason=text)
    except smtplib.SMTPSenderRefused as error:  # our own From address: not the MP's fault, nothing bounced
        return letters.record_failed(letter_id=letter_id, reason=f"{error.smtp_code} sender refused", temporary=False)
    except smtplib.SMTPResponseException as error:
        text = f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
        if error.smtp_code >= 500 and error.smtp_code not in (530, 535, 554):
            letters.record_bounced(letter_id=letter_id, reason=text)
            return "bounced"
        return letters.record_failed(letter_id=letter_id, reason=text, temporary=error.smtp_code < 500)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("letter %s not sent: %s", letter_id, error)
        return letters.record_failed(letter_id=letter_id, reason=str(error) or error.__class__.__name__)
    letters.record_sent(letter_id=letter_id)
    return "sent"


@task()
def ask_follow_ups() -> int:
    from leveller.lobbying import followups

    return followups.send_due_follow_ups()


@task()
def purge_unconfirmed_letters() -> int:
    from leveller.lobbying.actions import letters

    return letters.purge_unconfirmed()
