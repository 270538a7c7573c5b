"""Sending a letter when the MP's mail server says no, or cannot be reached: a refused address bounces and the
organiser is told; our own sender refused, a message refused as spam or a server that is down fails the letter
(nobody is told it bounced) so the organiser can retry it; a letter is never sent twice. The follow-up sweep
and the purge of unconfirmed letters run as tasks and by hand (`manage.py lobbying_follow_ups`)."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from leveller.lobbying.actions import letters
from leveller.lobbying.models import Letter, LetterState
from leveller.lobbying.tasks import ask_follow_ups, deliver_letter, purge_unconfirmed_letters
from tests.lobbying.conftest import letter_fields, seat
from tests.support.live import free_port
from tests.support.smtp import Sink

pytestmark = pytest.mark.django_db


class RefusesOurSender(Sink):
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        return "553 5.7.1 Sender address rejected: not owned by you"


class RefusesAfterData(Sink):
    """Accepts the MP's address, then refuses the message itself with `reply`; takes every other message."""

    def __init__(self, address: str, reply: str):
        super().__init__()
        self.address, self.reply = address, reply

    async def handle_DATA(self, server, session, envelope):
        if self.address in envelope.rcpt_tos:
            return self.reply
        return await super().handle_DATA(server, session, envelope)


def write(campaign, writer, run_on_commit) -> Letter:
    with run_on_commit():
        letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    letter.refresh_from_db()
    return letter


def test_a_message_refused_for_good_after_data_bounces_and_the_organiser_is_told(
    smtp, lobbying_smtp_server, campaign, writer, run_on_commit
):
    sink = lobbying_smtp_server.handler = RefusesAfterData(seat().mp.email, "552 5.2.2 Mailbox full")
    letter = write(campaign, writer, run_on_commit)
    assert letter.state == LetterState.BOUNCED and letter.error.startswith("552")
    [report] = sink.to("organiser@example.org")
    assert "bounced" in report["Subject"] and "552 5.2.2 Mailbox full" in report.get_content()
    assert not sink.to("wren@example.org")  # no "your copy" of a letter that did not arrive


def test_a_message_refused_as_spam_fails_without_a_bounce_report(
    smtp, lobbying_smtp_server, campaign, writer, run_on_commit
):
    sink = lobbying_smtp_server.handler = RefusesAfterData(seat().mp.email, "554 5.7.1 Message rejected as spam")
    letter = write(campaign, writer, run_on_commit)
    assert letter.state == LetterState.FAILED and "554" in letter.error and "spam" in letter.error
    assert not sink.messages  # no bounce report, no copy


def test_a_passing_refusal_after_data_fails_the_letter_when_the_queue_cannot_wait(
    smtp, campaign, writer, run_on_commit
):
    smtp.fail_data_after, smtp.data_failure = 0, "451 4.3.0 Try again later"
    letter = write(campaign, writer, run_on_commit)
    assert letter.state == LetterState.FAILED and letter.error.startswith("451") and letter.attempts == 1


def test_our_own_sender_refused_fails_the_letter_and_is_not_the_mps_bounce(
    smtp, lobbying_smtp_server, campaign, writer, run_on_commit
):
    lobbying_smtp_server.handler = RefusesOurSender()
    letter = write(campaign, writer, run_on_commit)
    assert letter.state == LetterState.FAILED and letter.error == "553 sender refused"


def test_a_mail_server_that_cannot_be_reached_fails_the_letter_and_logs_it(
    smtp, settings, campaign, writer, run_on_commit, caplog
):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="leveller.lobbying.tasks"):
        letter = write(campaign, writer, run_on_commit)
    assert letter.state == LetterState.FAILED and letter.error
    assert f"letter {letter.pk} not sent" in caplog.text


def test_a_letter_already_sent_is_not_sent_again(smtp, campaign, writer, run_on_commit):
    letter = write(campaign, writer, run_on_commit)
    assert letter.state == LetterState.SENT
    assert deliver_letter.call(letter_id=letter.pk) == "not queued"
    assert deliver_letter.call(letter_id=999_999) == "not queued"
    assert len(smtp.to(seat().mp.email)) == 1


def test_the_email_to_the_mp_does_not_repeat_a_postcode_already_in_the_address(smtp, campaign, writer, run_on_commit):
    from leveller.lobbying.tasks import letter_message

    with run_on_commit():
        letter = letters.write_letter(
            actor=writer, campaign=campaign, **letter_fields(address="1 The Mall\nLondon SW1A 1AA")
        )
    body = letter_message(Letter.objects.get(pk=letter.pk)).body
    assert body.count("SW1A 1AA") == 1
    assert "Reply to this email to answer them directly." in body


# --- the follow-up sweep and the purge, as tasks and by hand ---------------------------------------------


def _sent_days_ago(letter: Letter, days: int) -> None:
    Letter.objects.filter(pk=letter.pk).update(sent_at=timezone.now() - dt.timedelta(days=days))


def _unconfirmed_letter(campaign, *, days_old: int) -> Letter:
    fields = {"name": "Sam", "email": "sam@example.net", "consent": True, **letter_fields()}
    stale = letters.write_letter(actor=None, campaign=campaign, **fields)
    Letter.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(days=days_old))
    return stale


def test_the_follow_up_task_asks_writers_whose_letters_are_due(smtp, campaign, writer, run_on_commit):
    letter = write(campaign, writer, run_on_commit)
    with run_on_commit():
        assert ask_follow_ups.call() == 0  # sent today: not due
        _sent_days_ago(letter, 15)
        assert ask_follow_ups.call() == 1
        assert ask_follow_ups.call() == 0  # asked once only
    assert [m for m in smtp.to("wren@example.org") if "replied" in m["Subject"]]


def test_the_purge_task_deletes_letters_never_confirmed(smtp, campaign):
    stale = _unconfirmed_letter(campaign, days_old=8)
    assert purge_unconfirmed_letters.call() == 1
    assert not Letter.objects.filter(pk=stale.pk).exists()


def test_the_command_asks_and_purges_and_says_how_many(smtp, campaign, writer, run_on_commit):
    letter = write(campaign, writer, run_on_commit)
    _sent_days_ago(letter, 20)
    stale = _unconfirmed_letter(campaign, days_old=8)
    out = io.StringIO()
    with run_on_commit():
        call_command("lobbying_follow_ups", stdout=out)
    assert out.getvalue().strip() == "asked 1 writers; deleted 1 letters never confirmed"
    assert [m for m in smtp.to("wren@example.org") if "replied" in m["Subject"]]
    assert Letter.objects.get(pk=letter.pk).follow_up_asked_at is not None
    assert not Letter.objects.filter(pk=stale.pk).exists()
    out = io.StringIO()
    call_command("lobbying_follow_ups", stdout=out)
    assert out.getvalue().strip() == "asked 0 writers; deleted 0 letters never confirmed"


def test_the_command_refuses_arguments_it_does_not_know_and_does_nothing(smtp, campaign, writer, run_on_commit):
    letter = write(campaign, writer, run_on_commit)
    _sent_days_ago(letter, 20)
    with pytest.raises(CommandError, match="unrecognized arguments"):
        call_command("lobbying_follow_ups", "--everyone")
    assert Letter.objects.get(pk=letter.pk).follow_up_asked_at is None
