import datetime as dt

from django.utils import timezone

from leveller.events import actions, reminders
from leveller.events.models import ReminderSent


def _sent_to(mailoutbox, member):
    return [m for m in mailoutbox if m.to == [member.email] and m.subject.startswith("Reminder")]


def test_one_reminder_per_rsvp_per_slot_by_the_injected_clock(make_event, people, run_on_commit, mailoutbox):
    start = timezone.now() + dt.timedelta(days=3)
    event = make_event(starts_at=start)
    start = event.starts_at
    a, b = people(2)
    actions.rsvp(actor=a, event=event)
    actions.rsvp(actor=b, event=event)

    with run_on_commit():
        assert reminders.send_due_reminders(now=start - dt.timedelta(hours=30)) == 0
        assert reminders.send_due_reminders(now=start - dt.timedelta(hours=24)) == 2
        assert reminders.send_due_reminders(now=start - dt.timedelta(hours=20)) == 0  # already sent
        assert reminders.send_due_reminders(now=start - dt.timedelta(minutes=59)) == 2
        assert reminders.send_due_reminders(now=start - dt.timedelta(minutes=30)) == 0
        assert reminders.send_due_reminders(now=start + dt.timedelta(minutes=1)) == 0
    assert [m.subject for m in _sent_to(mailoutbox, a)] == [
        f"Reminder: {event.title} is tomorrow",
        f"Reminder: {event.title} is in an hour",
    ]
    assert ReminderSent.objects.count() == 4


def test_no_reminder_after_cancelling(make_event, people, run_on_commit, mailoutbox):
    start = timezone.now() + dt.timedelta(days=3)
    event = make_event(starts_at=start)
    start = event.starts_at
    a, b = people(2)
    actions.rsvp(actor=a, event=event)
    actions.rsvp(actor=b, event=event)
    with run_on_commit():
        reminders.send_due_reminders(now=start - dt.timedelta(hours=23))
        actions.cancel_rsvp(actor=a, event=event)
        reminders.send_due_reminders(now=start - dt.timedelta(minutes=50))
    assert len(_sent_to(mailoutbox, a)) == 1  # the 24 h one, sent before they cancelled
    assert len(_sent_to(mailoutbox, b)) == 2


def test_waitlisted_members_and_cancelled_events_get_no_reminder(make_event, people, staff, mailoutbox, run_on_commit):
    start = timezone.now() + dt.timedelta(days=3)
    full = make_event(starts_at=start, capacity=1)
    gone = make_event(starts_at=start, title="Called off")
    start = full.starts_at
    a, b = people(2)
    actions.rsvp(actor=a, event=full)
    actions.rsvp(actor=b, event=full)
    actions.rsvp(actor=b, event=gone)
    actions.cancel_event(actor=staff, event=gone, reason="Venue flooded")
    mailoutbox.clear()
    with run_on_commit():
        reminders.send_due_reminders(now=start - dt.timedelta(hours=2))
    assert [m.to for m in mailoutbox if m.subject.startswith("Reminder")] == [[a.email]]


def test_joining_within_the_last_hour_gets_only_the_one_hour_reminder(make_event, people, mailoutbox, run_on_commit):
    start = timezone.now() + dt.timedelta(days=3)
    event = make_event(starts_at=start)
    start = event.starts_at
    (a,) = people(1)
    actions.rsvp(actor=a, event=event)
    with run_on_commit():
        reminders.send_due_reminders(now=start - dt.timedelta(minutes=40))
        reminders.send_due_reminders(now=start - dt.timedelta(minutes=20))
    assert [m.subject for m in _sent_to(mailoutbox, a)] == [f"Reminder: {event.title} is in an hour"]


def test_the_sweep_plans_its_next_run_for_the_next_reminder_due(make_event, people):
    start = timezone.now() + dt.timedelta(days=3)
    event = make_event(starts_at=start)
    start = event.starts_at
    (a,) = people(1)
    actions.rsvp(actor=a, event=event)
    now = timezone.now()
    assert reminders.next_due(now) == start - dt.timedelta(hours=24)
    assert reminders.next_due(start - dt.timedelta(hours=23)) == start - dt.timedelta(hours=1)
    assert reminders.next_due(start) is None


def test_the_reminder_shows_the_joining_link_to_those_going(make_event, people, mailoutbox, run_on_commit):
    start = timezone.now() + dt.timedelta(days=3)
    event = make_event(starts_at=start, online=True, online_url="https://meet.example.org/secret-room")
    start = event.starts_at
    (a,) = people(1)
    actions.rsvp(actor=a, event=event)
    with run_on_commit():
        reminders.send_due_reminders(now=start - dt.timedelta(hours=1))
    assert "https://meet.example.org/secret-room" in _sent_to(mailoutbox, a)[0].body
