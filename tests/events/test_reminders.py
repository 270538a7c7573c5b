import datetime as dt

from django.utils import timezone

from leveller.events import reminders
from leveller.events.actions import events as event_actions
from leveller.events.actions import rsvps as rsvp_actions
from leveller.events.models import ReminderSent


def _sent_to(mailoutbox, member):
    return [m for m in mailoutbox if m.to == [member.email] and m.subject.startswith("Reminder")]


def test_one_reminder_per_rsvp_per_slot_by_the_injected_clock(make_event, people, run_on_commit, mailoutbox):
    start = timezone.now() + dt.timedelta(days=3)
    event = make_event(starts_at=start)
    start = event.starts_at
    a, b = people(2)
    rsvp_actions.rsvp(actor=a, event=event)
    rsvp_actions.rsvp(actor=b, event=event)

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
    rsvp_actions.rsvp(actor=a, event=event)
    rsvp_actions.rsvp(actor=b, event=event)
    with run_on_commit():
        reminders.send_due_reminders(now=start - dt.timedelta(hours=23))
        rsvp_actions.cancel_rsvp(actor=a, event=event)
        reminders.send_due_reminders(now=start - dt.timedelta(minutes=50))
    assert len(_sent_to(mailoutbox, a)) == 1  # the 24 h one, sent before they cancelled
    assert len(_sent_to(mailoutbox, b)) == 2


def test_waitlisted_members_and_cancelled_events_get_no_reminder(make_event, people, staff, mailoutbox, run_on_commit):
    start = timezone.now() + dt.timedelta(days=3)
    full = make_event(starts_at=start, capacity=1)
    gone = make_event(starts_at=start, title="Called off")
    start = full.starts_at
    a, b = people(2)
    rsvp_actions.rsvp(actor=a, event=full)
    rsvp_actions.rsvp(actor=b, event=full)
    rsvp_actions.rsvp(actor=b, event=gone)
    event_actions.cancel_event(actor=staff, event=gone, reason="Venue flooded")
    mailoutbox.clear()
    with run_on_commit():
        reminders.send_due_reminders(now=start - dt.timedelta(hours=2))
    assert [m.to for m in mailoutbox if m.subject.startswith("Reminder")] == [[a.email]]


def test_joining_within_the_last_hour_gets_only_the_one_hour_reminder(make_event, people, mailoutbox, run_on_commit):
    start = timezone.now() + dt.timedelta(days=3)
    event = make_event(starts_at=start)
    start = event.starts_at
    (a,) = people(1)
    rsvp_actions.rsvp(actor=a, event=event)
    with run_on_commit():
        reminders.send_due_reminders(now=start - dt.timedelta(minutes=40))
        reminders.send_due_reminders(now=start - dt.timedelta(minutes=20))
    assert [m.subject for m in _sent_to(mailoutbox, a)] == [f"Reminder: {event.title} is in an hour"]


def test_the_sweep_plans_its_next_run_for_the_next_reminder_due(make_event, people):
    start = timezone.now() + dt.timedelta(days=3)
    event = make_event(starts_at=start)
    start = event.starts_at
    (a,) = people(1)
    rsvp_actions.rsvp(actor=a, event=event)
    now = timezone.now()
    assert reminders.next_due(now) == start - dt.timedelta(hours=24)
    assert reminders.next_due(start - dt.timedelta(hours=23)) == start - dt.timedelta(hours=1)
    assert reminders.next_due(start) is None


def test_the_reminder_shows_the_joining_link_to_those_going(make_event, people, mailoutbox, run_on_commit):
    start = timezone.now() + dt.timedelta(days=3)
    event = make_event(starts_at=start, online=True, online_url="https://meet.example.org/secret-room")
    start = event.starts_at
    (a,) = people(1)
    rsvp_actions.rsvp(actor=a, event=event)
    with run_on_commit():
        reminders.send_due_reminders(now=start - dt.timedelta(hours=1))
    assert "https://meet.example.org/secret-room" in _sent_to(mailoutbox, a)[0].body


def test_a_late_rsvp_gets_no_tomorrow_reminder_but_does_get_the_hour_one(
    make_event, people, mailoutbox, run_on_commit, monkeypatch
):
    start = timezone.now() + dt.timedelta(hours=20)
    event = make_event(starts_at=start)
    start = event.starts_at
    (a,) = people(1)
    rsvp_actions.rsvp(actor=a, event=event)
    with run_on_commit():
        assert reminders.send_due_reminders(now=start - dt.timedelta(hours=19)) == 0
        assert reminders.send_due_reminders(now=start - dt.timedelta(minutes=55)) == 1


def test_with_the_database_queue_the_sweep_is_queued_once_for_the_first_reminder_due(make_event, people, settings):
    from django_tasks_db.models import DBTaskResult

    from leveller.events.tasks import sweep_reminders

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    start = timezone.now() + dt.timedelta(days=3)
    event = make_event(starts_at=start)
    a, b = people(2)
    rsvp_actions.rsvp(actor=a, event=event)
    reminders.schedule_for_event_start(event.starts_at)
    rsvp_actions.rsvp(actor=b, event=event)
    reminders.schedule_for_event_start(event.starts_at)  # b's RSVP: already queued, nothing added
    queued = DBTaskResult.objects.filter(task_path=sweep_reminders.module_path)
    assert [r.run_after for r in queued] == [event.starts_at - dt.timedelta(hours=24)]
    reminders.schedule_sweep(timezone.now())  # something due sooner is queued too
    assert queued.all().count() == 2


def test_the_sweep_task_sends_what_is_due_and_requeues_itself_for_the_next(
    make_event, people, settings, monkeypatch, mailoutbox, run_on_commit
):
    from django_tasks_db.models import DBTaskResult

    from leveller.events.tasks import sweep_reminders

    start = timezone.now() + dt.timedelta(days=3)
    event = make_event(starts_at=start)
    (a,) = people(1)
    rsvp_actions.rsvp(actor=a, event=event)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LEVELLER_REMINDER_SWEEP_MAX_MINUTES = 1440  # no safety-net run before the next reminder
    monkeypatch.setattr("leveller.core.clock.now", lambda: event.starts_at - dt.timedelta(hours=23))
    with run_on_commit():
        assert sweep_reminders.call() == 1
    (next_run,) = DBTaskResult.objects.filter(task_path=sweep_reminders.module_path)
    assert next_run.run_after == event.starts_at - dt.timedelta(hours=1)
