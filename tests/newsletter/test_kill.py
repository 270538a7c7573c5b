"""kill -9 of a sending process at random points, 20 times: every subscriber gets exactly one copy, and the send
resumes (through its watchdog) within 15 s."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from leveller.newsletter import tasks
from leveller.newsletter.actions import issues as issue_actions
from leveller.newsletter.models import Delivery, Issue
from tests.newsletter.conftest import add_subscribers, make_issue

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.timeout(1200)]  # 20 processes

RUNS = int(os.environ.get("KILL_RUNS", 20))
SUBSCRIBERS = 20
SENDER = """
import os, sys
import django
django.setup()
from django.core.mail.utils import DNS_NAME
from leveller.newsletter import sending
str(DNS_NAME)  # the host name SMTP's EHLO sends: looked up once per process, slowly where DNS is away
print("go", flush=True)
sending.run(int(sys.argv[1]))
print("done", flush=True)
"""


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{os.path.abspath(db['NAME'])}"
    return f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _sender(issue_id: int, smtp_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leveller.settings",
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LEVELLER_NEWSLETTER_RATE": "40",
        "LEVELLER_NEWSLETTER_LEASE_SECONDS": "1",
        "LEVELLER_SITE_URL": "https://members.example.org",
    }
    return subprocess.Popen(
        [sys.executable, "-c", SENDER, str(issue_id)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )


def _wait_for_go(process: subprocess.Popen) -> None:
    ready, _, _ = select.select([process.stdout], [], [], 30)
    assert ready and process.stdout.readline().strip() == b"go"


def _publish(editor, title: str, monkeypatch) -> Issue:
    issue = make_issue(editor, title=title)
    with monkeypatch.context() as quiet:  # the test drives the sender itself
        quiet.setattr(tasks, "send_issue", type("NotQueued", (), {"enqueue": staticmethod(lambda **kwargs: None)}))
        quiet.setattr(tasks, "enqueue_at", lambda *args, **kwargs: None)
        issue_actions.publish_issue(actor=editor, issue=issue)
    return issue


def _resume(issue: Issue, smtp, title: str) -> float:
    """The watchdog, as the worker runs it every few seconds, until the send is finished. The send must resume
    (send again, or finish) within 15 s of the kill; finishing the rest may take longer on a loaded machine.
    Returns the seconds until it resumed."""
    from django_tasks.signals import task_finished

    started = time.monotonic()
    before = sum(1 for m in smtp.messages if m["Subject"].endswith(title))
    resumed = None
    failures = []

    def note_failure(sender, task_result, **kwargs):
        if task_result.errors:
            failures.append(task_result.errors[-1].traceback)

    task_finished.connect(note_failure)
    try:
        while (action := tasks.watch_send.call(issue_id=issue.pk)) != "finished":
            now = time.monotonic()
            if resumed is None and sum(1 for m in smtp.messages if m["Subject"].endswith(title)) > before:
                resumed = now
            issue.refresh_from_db()
            assert resumed is not None or now - started < 15, (
                f"the send did not resume within 15 s: watchdog {action!r}, lease until {issue.send_lease_until} "
                f"(now {timezone.now()}), deliveries {Counter(Delivery.objects.filter(issue=issue).values_list('state', flat=True))}, "
                f"task failures: {failures[-1:] or 'none'}"
            )
            assert now - started < 120, "the resumed send did not finish within 120 s"
            time.sleep(0.25)
    finally:
        task_finished.disconnect(note_failure)
    return (resumed or time.monotonic()) - started


def _first_copy(smtp, title: str, seconds: float = 30, *, copies: int = 1) -> None:
    deadline = time.monotonic() + seconds
    while sum(1 for m in list(smtp.messages) if m["Subject"].endswith(title)) < copies:
        assert time.monotonic() < deadline, f"the sender sent fewer than {copies}"
        time.sleep(0.002)


def _calibrate(editor, monkeypatch, smtp, port: int) -> tuple[float, float]:
    """How long a send takes on this machine now: to its first message, and from there to the end."""
    issue = _publish(editor, "Calibration", monkeypatch)
    sender = _sender(issue.pk, port)
    _wait_for_go(sender)
    started = time.monotonic()
    _first_copy(smtp, "Calibration")
    first = time.monotonic()
    assert sender.stdout.readline().strip() == b"done"
    sender.wait()
    return first - started, time.monotonic() - first


# It once failed after the whole suite ("did not resume within 15 s") and ran in a process of its own: a kill
# that landed after the last message but before the issue was marked done left nothing due, and the watchdog
# restarted only senders with something due (test_sending's ..._after_the_last_message). Calibration that ran
# slower than the runs made such late kills likely; mid-send kills now wait for a number of copies instead.
def test_a_newsletter_send_killed_at_random_points_gives_every_subscriber_exactly_one_copy(
    smtp, smtp_server, editor, monkeypatch, settings
):
    settings.NEWSLETTER_LEASE_SECONDS = 1
    subscribers = add_subscribers(SUBSCRIBERS)
    rng = random.Random(21)
    to_first, _ = _calibrate(editor, monkeypatch, smtp, smtp_server.port)
    killed_with_some_sent = lost_in_window = 0
    for run in range(RUNS):
        title = f"Issue {run}"
        issue = _publish(editor, title, monkeypatch)
        sender = _sender(issue.pk, smtp_server.port)
        _wait_for_go(sender)
        if run % 2:  # half the kills land while it starts, half while it sends
            time.sleep(rng.uniform(0, to_first * 1.2))
        else:  # after a random number of copies (a condition, not a time: calibration may run slower than this)
            _first_copy(smtp, title, copies=rng.randint(1, SUBSCRIBERS - 2))
            # Killed at once, the sender is mostly pacing before its next message. A kill between a message's
            # hand-over (recorded sent) and its final "." loses that copy: the ledger's at-most-once window, which
            # a random pause here hit once in 6 runs on PostgreSQL (not fixed; see docs/newsletter.md).
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait()
        before = sum(1 for m in smtp.messages if m["Subject"].endswith(title))
        killed_with_some_sent += 0 < before < SUBSCRIBERS
        print(f"run {run}: {before} sent before the kill")
        _resume(issue, smtp, title)
        copies = Counter(m["X-Envelope-To"] for m in smtp.messages if m["Subject"].endswith(title))
        assert not [email for email, n in copies.items() if n > 1], f"run {run}: a second copy: {copies}"
        missing = sorted({s.email for s in subscribers} - set(copies))
        lost_in_window += len(missing)
        assert len(missing) <= 1, f"run {run}: no copy for {missing}"
        assert set(Delivery.objects.filter(issue=issue).values_list("state", flat=True)) == {"sent"}
        issue.refresh_from_db()
        assert issue.send_status == "done"
    assert killed_with_some_sent >= RUNS // 4  # the kills really landed in the middle of sends
    # The one loss the ledger allows (docs/newsletter.md, "Exactly one copy"): a kill that lands between a
    # message's hand-over commit and the five bytes of its final "." (microseconds; longer when a loaded machine
    # preempts the sender right after the commit, or a test slowed by the load kills after the next message has
    # begun). It may happen at most once in the 20 runs.
    assert lost_in_window <= 1, f"{lost_in_window} copies lost: more than the hand-over window explains"
