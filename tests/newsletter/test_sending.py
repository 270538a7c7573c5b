"""Sending an issue over a real SMTP server: one copy each, resumable, bounces and retries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from leveller.newsletter import sending
from leveller.newsletter.actions import issues as issue_actions
from leveller.newsletter.actions import subscriptions
from leveller.newsletter.models import Delivery, DeliveryState, Subscriber, SubscriberStatus
from tests.newsletter.conftest import add_subscribers, make_issue


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing in the sender can catch and record it."""


def publish_without_sending(editor, issue, monkeypatch):
    """Publish (creating the deliveries). The test transaction never commits, so the background send that
    publishing queues on commit does not start: each test drives the sender itself."""
    issue_actions.publish_issue(actor=editor, issue=issue)


def test_every_subscriber_gets_one_personalised_copy_with_unsubscribe_headers(smtp, editor, run_on_commit):
    subscribers = add_subscribers(5)
    issue = make_issue(editor)
    with run_on_commit():
        issue_actions.publish_issue(actor=editor, issue=issue)
    assert sorted(smtp.recipients()) == sorted(s.email for s in subscribers)
    message = smtp.to("reader3@example.net")[0]
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<https://members.example.org/newsletter/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Dear Reader," in text and "Dear Reader," in html
    assert unsubscribe.strip("<>") in text and unsubscribe.strip("<>").replace("&", "&amp;") in html
    assert 'href="https://members.example.org/groups/"' in html  # relative links made absolute
    assert "https://members.example.org/newsletter/" in text
    assert Delivery.objects.filter(issue=issue, state=DeliveryState.SENT).count() == 5


def test_a_send_killed_half_way_and_resumed_delivers_exactly_one_copy_to_each(smtp, editor, monkeypatch):
    subscribers = add_subscribers(12)
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)

    def kill_after_five(n):
        if n == 5:
            raise WorkerKilled

    with monkeypatch.context() as killed:
        killed.setattr(sending, "release", lambda *args: None)  # a killed process releases nothing
        with pytest.raises(WorkerKilled):
            sending.run(issue.pk, hooks=sending.Hooks(after_sent=kill_after_five))
    assert len(smtp.messages) == 5
    # The killed worker never released its lease; a restarted worker waits for it to expire.
    assert not sending.run(issue.pk).acquired
    issue.__class__.objects.filter(pk=issue.pk).update(send_lease_until=timezone.now() - dt.timedelta(seconds=1))

    report = sending.run(issue.pk)
    assert report.sent == 7 and report.recovered_unknown == 0
    assert sorted(smtp.recipients()) == sorted(s.email for s in subscribers)  # each exactly once
    issue.refresh_from_db()
    assert issue.send_status == "done"


def test_a_mail_server_that_goes_away_mid_send_is_retried_and_nobody_gets_two_copies(smtp, editor, monkeypatch):
    subscribers = add_subscribers(8)
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)
    smtp.fail_data_after = 3
    first = sending.run(issue.pk)
    assert first.sent == 3 and first.retrying == 5
    assert Delivery.objects.filter(issue=issue, state=DeliveryState.PENDING).count() == 5
    assert Delivery.objects.filter(issue=issue, next_attempt_at__gt=timezone.now()).count() == 5  # backing off

    smtp.fail_data_after = None
    assert sending.run(issue.pk).sent == 0  # not due yet
    Delivery.objects.filter(issue=issue).update(next_attempt_at=timezone.now())
    assert sending.run(issue.pk).sent == 5
    assert sorted(smtp.recipients()) == sorted(s.email for s in subscribers)


def test_a_permanent_failure_marks_the_address_bouncing_and_is_never_retried(smtp, editor, monkeypatch):
    add_subscribers(3)
    smtp.refuse["reader1@example.net"] = "550 5.1.1 No such mailbox"
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)
    report = sending.run(issue.pk)
    assert report.sent == 2 and report.bounced == 1
    delivery = Delivery.objects.get(issue=issue, subscriber__email="reader1@example.net")
    assert delivery.state == DeliveryState.BOUNCED and delivery.attempts == 1 and "550" in delivery.last_error
    bouncing = Subscriber.objects.get(email="reader1@example.net")
    assert bouncing.status == SubscriberStatus.BOUNCING

    Delivery.objects.filter(issue=issue).update(next_attempt_at=timezone.now())
    sending.run(issue.pk)
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1  # not tried again
    assert smtp.recipients().count("reader1@example.net") == 0
    # and the next issue does not go to it at all
    second = make_issue(editor, title="Summer issue")
    publish_without_sending(editor, second, monkeypatch)
    assert not Delivery.objects.filter(issue=second, subscriber=bouncing).exists()


def test_a_temporary_failure_is_retried_with_back_off_and_then_given_up(smtp, editor, monkeypatch, settings):
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    add_subscribers(1)
    smtp.refuse["reader0@example.net"] = "451 4.7.1 Greylisted, try later"
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)
    before = timezone.now()
    sending.run(issue.pk)
    delivery = Delivery.objects.get(issue=issue)
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=settings.NEWSLETTER_RETRY_SECONDS - 1)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    sending.run(issue.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 2
    assert Subscriber.objects.get(pk=delivery.subscriber_id).status == SubscriberStatus.SUBSCRIBED


def test_a_sender_killed_while_the_server_has_all_but_the_end_of_a_message_resends_it_once(smtp, editor, monkeypatch):
    subscribers = add_subscribers(4)
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)

    def die_mid_message(n):
        if n == 2:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        sending.run(issue.pk, hooks=sending.Hooks(mid_data=die_mid_message))
    assert len(smtp.messages) == 1  # the server dropped the unfinished second message
    second = Delivery.objects.filter(issue=issue).order_by("id")[1]
    assert second.state == DeliveryState.PENDING  # so it is sent again on resume
    issue.__class__.objects.filter(pk=issue.pk).update(send_lease_until=None)
    report = sending.run(issue.pk)
    assert report.sent == 3 and report.recovered_unknown == 0
    assert sorted(smtp.recipients()) == sorted(s.email for s in subscribers)  # each exactly once


def test_a_message_refused_after_it_was_handed_over_is_written_over(smtp, editor, monkeypatch):
    subscribers = add_subscribers(2)
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)
    smtp.fail_data_after = 1
    smtp.data_failure = "554 5.7.1 Message rejected as spam"
    report = sending.run(issue.pk)
    assert report.sent == 1 and report.bounced == 1
    bounced = Delivery.objects.get(issue=issue, subscriber=subscribers[1])
    assert bounced.state == DeliveryState.BOUNCED and bounced.sent_at is not None and "554" in bounced.last_error


def test_rows_left_sending_by_an_older_engine_are_not_resent_automatically(smtp, editor, monkeypatch):
    add_subscribers(3)
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)
    stale = Delivery.objects.filter(issue=issue).order_by("id").first()
    Delivery.objects.filter(pk=stale.pk).update(state=DeliveryState.SENDING, attempts=1)
    report = sending.run(issue.pk)
    assert report.recovered_unknown == 1 and report.sent == 2
    # The editor may choose to resend those (knowing they may get a second copy).
    assert issue_actions.resend_unknown(actor=editor, issue=issue) == 1
    sending.run(issue.pk)
    assert Delivery.objects.get(pk=stale.pk).state == DeliveryState.SENT


def test_someone_who_unsubscribes_during_a_send_gets_nothing_more(smtp, editor, monkeypatch):
    add_subscribers(4)
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)

    def unsubscribe_the_last(n):
        if n == 1:
            subscriptions.unsubscribe(actor=None, subscriber=Subscriber.objects.get(email="reader3@example.net"))

    sending.run(issue.pk, hooks=sending.Hooks(after_sent=unsubscribe_the_last))
    assert "reader3@example.net" not in smtp.recipients() and len(smtp.messages) == 3
    assert Delivery.objects.get(issue=issue, subscriber__email="reader3@example.net").state == DeliveryState.SKIPPED


def test_only_one_sender_works_on_an_issue_at_a_time(smtp, editor, monkeypatch):
    add_subscribers(2)
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)
    assert sending.acquire(issue.pk, "first")
    assert not sending.run(issue.pk).acquired
    assert smtp.messages == []


def test_editing_a_published_issue_changes_the_web_copy_but_not_the_email(smtp, editor, monkeypatch, client):
    add_subscribers(1)
    issue = make_issue(editor, body="Original words.")
    publish_without_sending(editor, issue, monkeypatch)
    section = issue.sections.get()
    issue_actions.update_section(actor=editor, section=section, heading="News", body="Corrected words.")
    sending.run(issue.pk)
    text = smtp.messages[0].get_body(("plain",)).get_content()
    assert "Original words." in text and "Corrected words." not in text
    issue.refresh_from_db()
    assert "Corrected words." in client.get(issue.get_absolute_url()).content.decode()


def test_the_pacer_keeps_to_the_configured_rate():
    pacer = sending.Pacer(200)
    import time

    start = time.monotonic()
    for _ in range(21):
        pacer.wait()
    assert time.monotonic() - start >= 0.099


def test_smtp_errors_are_classified_permanent_or_temporary():
    import smtplib

    assert sending.classify(smtplib.SMTPRecipientsRefused({"a@b": (550, b"no")})).state == "bounced"
    assert sending.classify(smtplib.SMTPRecipientsRefused({"a@b": (452, b"full")})).state == "pending"
    assert sending.classify(smtplib.SMTPDataError(554, b"rejected")).state == "bounced"
    assert sending.classify(smtplib.SMTPServerDisconnected("gone")).reconnect
    assert sending.classify(ConnectionRefusedError()).state == "pending"
    halted = sending.classify(smtplib.SMTPSenderRefused(553, b"not allowed", "from@x"))
    assert halted.halt and halted.state == "pending"  # our problem, not the recipient's: no bounce


def test_fast_unsubscribe_links_are_the_signed_links_the_unsubscribe_page_accepts(db):
    from leveller.newsletter import tokens

    links = tokens.UnsubscribeLinks()
    for subscriber_id in (1, 42, 987654):
        assert links.url(subscriber_id) == tokens.unsubscribe_url(subscriber_id)
        assert (
            tokens.subscriber_for_unsubscribe(links.url(subscriber_id).rstrip("/").rsplit("/", 1)[-1]) == subscriber_id
        )


def test_the_watchdog_restarts_a_send_whose_worker_died(smtp, editor, monkeypatch):
    from leveller.newsletter import tasks

    subscribers = add_subscribers(3)
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)
    assert sending.acquire(issue.pk, "a worker that then died")
    assert tasks.watch_send.call(issue_id=issue.pk) == "waiting"  # its lease is still running
    issue.__class__.objects.filter(pk=issue.pk).update(send_lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.watch_send.call(issue_id=issue.pk) == "restarted"
    assert sorted(smtp.recipients()) == sorted(s.email for s in subscribers)
    assert tasks.watch_send.call(issue_id=issue.pk) == "finished"


def test_the_watchdog_finishes_a_send_whose_worker_died_after_the_last_message(smtp, editor, monkeypatch):
    """Killed after handing over the last message but before marking the issue done: nothing is due, yet the send
    must not stay "sending" for ever (the kill test's "did not resume within 15 s" when a kill landed late)."""
    from leveller.newsletter import tasks
    from leveller.newsletter.models import Delivery

    add_subscribers(2)
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)
    assert sending.acquire(issue.pk, "a worker that then died")
    Delivery.objects.filter(issue=issue).update(state="sent", attempts=1, sent_at=timezone.now())
    issue.__class__.objects.filter(pk=issue.pk).update(send_lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.watch_send.call(issue_id=issue.pk) == "restarted"
    issue.refresh_from_db()
    assert issue.send_status == "done"
    assert smtp.recipients() == []  # nobody is sent anything again
    assert tasks.watch_send.call(issue_id=issue.pk) == "finished"


def test_a_subscribers_name_cannot_inject_html_into_the_email(smtp, editor, run_on_commit):
    from leveller.newsletter.models import Subscriber

    Subscriber.objects.create(
        email="x@example.net", name="<img src=x onerror=alert(1)>", status="subscribed", consent_at=timezone.now()
    )
    with run_on_commit():
        issue_actions.publish_issue(actor=editor, issue=make_issue(editor))
    html = smtp.messages[0].get_body(("html",)).get_content()
    assert "<img src=x" not in html and "Dear &lt;img" in html


def test_an_unreachable_mail_server_pauses_the_send_without_using_up_anyones_tries(smtp, editor, monkeypatch, settings):
    from tests.support.live import free_port

    add_subscribers(3)
    issue = make_issue(editor)
    publish_without_sending(editor, issue, monkeypatch)
    settings.EMAIL_PORT = free_port()  # nothing listens there
    report = sending.run(issue.pk)
    assert report.stopped.startswith("Cannot reach the mail server") and report.retrying == 1
    assert list(Delivery.objects.filter(issue=issue).values_list("state", "attempts")) == [("pending", 0)] * 3
    issue.refresh_from_db()
    assert issue.send_status == "sending" and "Cannot reach" in issue.send_error


def test_publishing_queues_the_sender_and_its_watchdog_in_the_same_transaction(editor, settings, transactional_db):
    """A kill between the commit and anything after it cannot leave an issue sending with no sender."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    add_subscribers(2)
    issue = make_issue(editor)
    with pytest.raises(RuntimeError), transaction.atomic():
        issue_actions.publish_issue(actor=editor, issue=issue)
        assert DBTaskResult.objects.filter(task_path__endswith="send_issue").exists()
        raise RuntimeError("killed before commit")
    assert not DBTaskResult.objects.exists()  # rolled back together
    issue_actions.publish_issue(actor=editor, issue=issue)
    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert {"leveller.newsletter.tasks.send_issue", "leveller.newsletter.tasks.watch_send"} <= paths


def test_links_signed_before_a_key_rotation_still_work_while_the_old_key_is_a_fallback(db, settings):
    """Ada rotates SECRET_KEY, keeping the old one in SECRET_KEY_FALLBACKS: Bea's unsubscribe link from last
    month's issue and her unexpired confirmation link still work; once the old key is dropped they do not."""
    from leveller.newsletter import tokens

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "the-old-key-" + "x" * 40, []
    unsubscribe = tokens.UnsubscribeLinks().url(42).rstrip("/").rsplit("/", 1)[-1]
    confirm = tokens.confirm_token(42, "bea@example.org")

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "the-new-key-" + "y" * 40, ["the-old-key-" + "x" * 40]
    assert tokens.subscriber_for_unsubscribe(unsubscribe) == 42
    assert tokens.read_confirm_token(confirm)["s"] == 42
    assert tokens.unsubscribe_token(42) != unsubscribe  # new links are signed with the new key

    settings.SECRET_KEY_FALLBACKS = []
    assert tokens.subscriber_for_unsubscribe(unsubscribe) is None
    assert tokens.read_confirm_token(confirm) is None
