"""100 callers hammer next/outcome in parallel over a 5,000-contact list (issue #4's concurrency test).

(2,000 contacts on SQLite: see CONTACTS.)

100 simulated callers are multiplexed over 25 threads, or as many as PostgreSQL's connection pool allows (each
thread plays its callers in turn, so 100 contacts can be held at once), because PostgreSQL's max_connections is
shared with the rest of the test run. A shared,
injected clock advances half a second per operation, so retries after the gap and call-backs happen within the
test. Checked: no contact is ever held by two callers at once, none is lost, attempts and retries follow the
rules, and the totals add up.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading
import traceback
from collections import defaultdict

import pytest
from django.conf import settings
from django.db import connection

from leveller.phonebank import stats
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.actions import contacts as contact_actions
from leveller.phonebank.models import RETRYABLE, Call, Contact, Outcome
from tests.phonebank.conftest import csv_bytes, uk_numbers
from tests.support.personas import make_member
from tests.support.services import on_sqlite

# 5,000 contacts on PostgreSQL, as the issue asks. SQLite runs the same test over 2,000: it has one writer at a
# time, so the run is ~15,000 serial transactions at 5,000, too long for the suite on a shared 2-core machine;
# bench/bench_phonebank.py drives the full numbers against a real server on both databases.
CONTACTS = 2000 if on_sqlite else 5000
CALLERS = 100
# Each thread keeps one database connection; PostgreSQL's connection pool (LEVELLER_DB_POOL_SIZE, 10) and
# max_connections (shared with the rest of the run) bound how many threads can hold one at once.
POOL = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
THREADS = min(25, POOL["max_size"] - 2) if POOL else 25  # the test itself holds one too
MAX_ATTEMPTS = 2
GAP_MINUTES = 1
START = dt.datetime(2031, 6, 11, 2, 0, tzinfo=dt.UTC)  # 03:00 in London; hours are 00:00-23:59 here
OUTCOMES = [
    (Outcome.ANSWERED, 40),
    (Outcome.NO_ANSWER, 20),
    (Outcome.BUSY, 5),
    (Outcome.VOICEMAIL, 5),
    (Outcome.REFUSED, 8),
    (Outcome.WRONG_NUMBER, 4),
    (Outcome.CALL_BACK, 5),
    (Outcome.DO_NOT_CALL, 3),
    (Outcome.INVALID_NUMBER, 3),
    ("release", 7),
]


class Clock:
    def __init__(self):
        self.lock = threading.Lock()
        self.ticks = 0

    def __call__(self, step: int = 1) -> dt.datetime:
        with self.lock:
            self.ticks += step
            return START + dt.timedelta(seconds=self.ticks / 2)


class Holdings:
    """Who holds what, as the callers see it; a second holder of one contact is a failure."""

    def __init__(self):
        self.lock = threading.Lock()
        self.holder: dict[int, int] = {}
        self.violations: list[str] = []

    def take(self, contact_id: int, caller_id: int) -> None:
        with self.lock:
            current = self.holder.get(contact_id)
            if current is not None and current != caller_id:
                self.violations.append(f"contact {contact_id} held by {current} and {caller_id}")
            self.holder[contact_id] = caller_id

    def drop(self, contact_id: int) -> None:
        with self.lock:
            self.holder.pop(contact_id, None)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_hundred_callers_in_parallel_never_share_a_contact_and_lose_none(organiser, settings):
    # Callers here work far faster than people: the abuse limits (tested in test_limits.py) stay out of the way.
    settings.PHONEBANK_NEXT_PER_MINUTE = settings.PHONEBANK_CONTACTS_PER_HOUR = 0
    settings.PHONEBANK_SYNC_IMPORT_ROWS = CONTACTS  # load in one go; the background path has its own test
    settings.PHONEBANK_LEASE_MINUTES = 240  # leases do not run out here (their expiry has its own test)
    settings.PHONEBANK_PROGRESS_SECONDS = 3600  # one hint, not one per call
    campaign = call_actions.create_campaign(
        actor=organiser,
        name="Hammer",
        status="live",
        calling_start="00:00",
        calling_end="23:59",
        call_on_sundays=True,
        max_attempts=MAX_ATTEMPTS,
        retry_after_minutes=GAP_MINUTES,
        questions=[{"id": "attend", "text": "Coming?", "kind": "single_choice", "choices": ["Yes", "No"]}],
    )
    rows = [(f"Person {i}", phone, "") for i, phone in enumerate(uk_numbers(CONTACTS))]
    job = contact_actions.upload_contacts(actor=organiser, campaign=campaign, data=csv_bytes(rows))
    assert job.loaded == CONTACTS
    campaign.refresh_from_db()
    callers = [make_member(f"Caller {i}", f"caller{i}@example.org", password=None) for i in range(CALLERS)]
    clock, holdings, errors = Clock(), Holdings(), []
    remaining = threading.Event()
    polls = [0]

    def play(my_callers: list, seed: int) -> None:
        rng = random.Random(seed)
        outcomes, weights = zip(*OUTCOMES, strict=True)
        held: dict[int, object] = {}
        try:
            while not remaining.is_set():
                idle = 0
                for caller in my_callers:
                    call = held.pop(caller.pk, None)
                    if call is None:
                        call = call_actions.next_contact(actor=caller, campaign=campaign, now=clock())
                        polls[0] += 1
                        if call is None:
                            idle += 1
                            clock(step=20)  # an idle caller waits a while before asking again
                            continue
                        holdings.take(call.contact_id, caller.pk)
                        held[caller.pk] = call
                        continue
                    holdings.drop(call.contact_id)
                    choice = rng.choices(outcomes, weights)[0]
                    now = clock()
                    if choice == "release":
                        call_actions.release_call(actor=caller, call=call, now=now)
                        continue
                    call_actions.record_outcome(
                        actor=caller,
                        call=call,
                        outcome=choice,
                        now=now,
                        answers={"attend": rng.choice(["Yes", "No"])} if choice == Outcome.ANSWERED else None,
                        callback_at=now + dt.timedelta(minutes=2) if choice == Outcome.CALL_BACK else None,
                    )
                if (
                    idle == len(my_callers)
                    and not held
                    and not Contact.objects.filter(campaign=campaign, done=False).exists()
                ):
                    remaining.set()
        except Exception:  # surfaced in the main thread
            errors.append(traceback.format_exc())
            remaining.set()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=play, args=(callers[i::THREADS], i), name=f"callers-{i}") for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert not errors, "\n".join(errors[:2])
    assert not holdings.violations, holdings.violations[:5]

    contacts = {c.pk: c for c in Contact.objects.filter(campaign=campaign)}
    assert len(contacts) == CONTACTS and all(c.done for c in contacts.values()), "no contact is lost"
    calls_by_contact = defaultdict(list)
    for call in Call.objects.filter(campaign=campaign).order_by("id"):
        calls_by_contact[call.contact_id].append(call)
    for contact_id, calls in calls_by_contact.items():
        contact = contacts[contact_id]
        assert all(c.ended_at is not None for c in calls), "no call is left open"
        made = [c for c in calls if c.outcome in Outcome.values]
        assert contact.attempts == len(made)
        retried = [c for c in made if c.outcome in RETRYABLE]
        assert len(retried) <= MAX_ATTEMPTS
        if contact.last_outcome in RETRYABLE:
            assert contact.attempts >= MAX_ATTEMPTS or contact.last_outcome != made[-1].outcome
        for before, after in itertools.pairwise(made):
            assert after.started_at >= before.ended_at, f"contact {contact_id}: a call began before the last ended"
            if before.outcome in RETRYABLE:
                assert after.started_at - before.ended_at >= dt.timedelta(minutes=GAP_MINUTES)
    numbers = stats.campaign_stats(campaign, clock())
    assert numbers["finished"] == CONTACTS and numbers["waiting"] == 0 and numbers["in_progress"] == 0
    assert numbers["calls"] == sum(
        len([c for c in v if c.outcome in Outcome.values]) for v in calls_by_contact.values()
    )
    assert numbers["reached"] == sum(1 for c in contacts.values() if c.reached)
    assert sum(numbers["by_outcome"].values()) == numbers["calls"]
    print(f"\n{'SQLite' if on_sqlite else 'PostgreSQL'}: {numbers['calls']} calls, {polls[0]} next requests")
