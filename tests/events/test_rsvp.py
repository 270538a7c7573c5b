import threading

import pytest
from django.db import connection

from leveller.events.actions import events as event_actions
from leveller.events.actions import rsvps as rsvp_actions
from leveller.events.models import Rsvp, RsvpStatus


def test_rsvps_beyond_capacity_join_the_waitlist_in_order(make_event, people):
    event = make_event(capacity=2)
    a, b, c, d = people(4)
    assert rsvp_actions.rsvp(actor=a, event=event).status == "going"
    assert rsvp_actions.rsvp(actor=b, event=event).status == "going"
    third = rsvp_actions.rsvp(actor=c, event=event)
    fourth = rsvp_actions.rsvp(actor=d, event=event)
    assert (third.status, fourth.status) == ("waitlisted", "waitlisted")
    assert rsvp_actions.waitlist_position(third) == 1
    assert rsvp_actions.waitlist_position(fourth) == 2


def test_a_cancellation_promotes_the_first_in_line_and_emails_them(make_event, people, run_on_commit, mailoutbox):
    event = make_event(capacity=1)
    a, b, c = people(3)
    rsvp_actions.rsvp(actor=a, event=event)
    rsvp_actions.rsvp(actor=b, event=event)
    rsvp_actions.rsvp(actor=c, event=event)
    with run_on_commit():
        rsvp_actions.cancel_rsvp(actor=a, event=event)
    statuses = dict(Rsvp.objects.filter(event=event).values_list("member_id", "status"))
    assert statuses == {a.pk: "cancelled", b.pk: "going", c.pk: "waitlisted"}
    assert rsvp_actions.waitlist_position(Rsvp.objects.get(member=c)) == 1
    assert any(m.to == [b.email] and "A place came up" in m.subject for m in mailoutbox)


def test_rsvping_twice_keeps_one_place_and_rejoining_goes_to_the_back(make_event, people):
    event = make_event(capacity=1)
    a, b, c = people(3)
    rsvp_actions.rsvp(actor=a, event=event)
    rsvp_actions.rsvp(actor=a, event=event)
    rsvp_actions.rsvp(actor=b, event=event)
    rsvp_actions.rsvp(actor=c, event=event)
    rsvp_actions.cancel_rsvp(actor=b, event=event)
    again = rsvp_actions.rsvp(actor=b, event=event)
    assert again.status == "waitlisted"
    assert rsvp_actions.waitlist_position(again) == 2
    assert Rsvp.objects.filter(event=event, status="going").count() == 1


def test_raising_the_capacity_promotes_the_waitlist(make_event, people, staff):
    event = make_event(capacity=1)
    a, b, c = people(3)
    for person in (a, b, c):
        rsvp_actions.rsvp(actor=person, event=event)
    event_actions.update_event(actor=staff, event=event, capacity=3)
    assert Rsvp.objects.filter(event=event, status="going").count() == 3


def test_a_pending_or_finished_event_cannot_be_rsvpd(make_event, group, member, outsider):
    from django.core.exceptions import ValidationError

    pending = make_event(actor=member, group=group)
    assert pending.status == "pending"
    with pytest.raises(ValidationError):
        rsvp_actions.rsvp(actor=member, event=pending)


def _in_threads(functions):
    errors = []
    barrier = threading.Barrier(len(functions))

    def run(fn):
        try:
            barrier.wait()
            fn()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_simultaneous_rsvps_never_overfill_an_event(make_event, people):
    event = make_event(capacity=3)
    crowd = people(8)
    _in_threads([lambda m=m: rsvp_actions.rsvp(actor=m, event=event) for m in crowd])
    assert Rsvp.objects.filter(event=event, status=RsvpStatus.GOING).count() == 3
    assert Rsvp.objects.filter(event=event, status=RsvpStatus.WAITLISTED).count() == 5


@pytest.mark.django_db(transaction=True)
def test_simultaneous_cancellations_promote_exactly_as_many_as_freed(make_event, people):
    event = make_event(capacity=3)
    crowd = people(7)
    for person in crowd:
        rsvp_actions.rsvp(actor=person, event=event)
    leaving = crowd[:3]
    _in_threads(
        [lambda m=m: rsvp_actions.cancel_rsvp(actor=m, event=event) for m in leaving]
        + [lambda m=m: rsvp_actions.rsvp(actor=m, event=event) for m in people(2, prefix="late")]
    )
    going = list(Rsvp.objects.filter(event=event, status=RsvpStatus.GOING).values_list("member_id", flat=True))
    assert sorted(going) == sorted(m.pk for m in crowd[3:6])
    assert Rsvp.objects.filter(event=event, status=RsvpStatus.WAITLISTED).count() == 3
