import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leveller.events.actions import events as event_actions
from leveller.events.actions import rsvps as rsvp_actions
from leveller.events.models import Event


def test_a_members_event_waits_for_an_organiser_of_that_group(
    make_event, group, member, organiser, mailoutbox, run_on_commit
):
    with run_on_commit():
        event = make_event(actor=member, group=group, repeat="weekly", count=3)
    assert set(Event.objects.filter(series=event.series).values_list("status", flat=True)) == {"pending"}
    assert any(m.to == [organiser.email] for m in mailoutbox)
    assert list(Event.objects.awaiting_approval_by(organiser)) == list(Event.objects.filter(series=event.series))
    event_actions.approve_event(actor=organiser, event=event)
    assert set(Event.objects.filter(series=event.series).values_list("status", flat=True)) == {"published"}


def test_an_organiser_of_another_group_cannot_approve(make_event, group, member, staff, people):
    from leveller.groups.actions import groups as group_actions

    (other_organiser,) = people(1, prefix="otherorg")
    group_actions.create_group(
        actor=staff, name="Leeds Left", kind="local", districts=["LS6"], organiser=other_organiser
    )
    event = make_event(actor=member, group=group)
    with pytest.raises(PermissionDenied):
        event_actions.approve_event(actor=other_organiser, event=event)
    assert Event.objects.awaiting_approval_by(other_organiser).count() == 0


def test_declining_needs_a_reason_and_tells_the_member(make_event, group, member, organiser, mailoutbox, run_on_commit):
    event = make_event(actor=member, group=group)
    with pytest.raises(ValidationError):
        event_actions.reject_event(actor=organiser, event=event, note="")
    with run_on_commit():
        event_actions.reject_event(actor=organiser, event=event, note="Clashes with the AGM")
    assert any(m.to == [member.email] and "Clashes with the AGM" in m.body for m in mailoutbox)


def test_only_staff_create_national_events_and_members_only_for_their_groups(make_event, group, member, outsider):
    with pytest.raises(PermissionDenied):
        make_event(actor=member)
    with pytest.raises(PermissionDenied):
        make_event(actor=outsider, group=group)


def test_only_hosts_edit_cancel_or_take_attendance(make_event, group, organiser, member, outsider):
    event = make_event(actor=organiser, group=group)
    for someone in (member, outsider):
        with pytest.raises(PermissionDenied):
            event_actions.update_event(actor=someone, event=event, title="Hijacked")
        with pytest.raises(PermissionDenied):
            event_actions.cancel_event(actor=someone, event=event)
        with pytest.raises(PermissionDenied):
            rsvp_actions.take_attendance(actor=someone, event=event, attended={})
    with pytest.raises(PermissionDenied):
        rsvp_actions.cancel_rsvp(actor=member, event=event, member=organiser)


def test_bad_input_gets_clear_errors(make_event, staff):
    with pytest.raises(ValidationError, match="not a UK postcode"):
        make_event(postcode="ZZZ")
    with pytest.raises(ValidationError, match="end after it starts"):
        make_event(length=-1)
    with pytest.raises(ValidationError, match="not a time zone"):
        make_event(time_zone="Mars/Olympus")
    with pytest.raises(ValidationError, match="https"):
        make_event(online=True, online_url="javascript:alert(1)")
    assert Event.objects.count() == 0


def test_attendance_is_recorded_by_the_host(make_event, staff, people):
    import datetime as dt

    from django.utils import timezone

    event = make_event(starts_at=timezone.now() + dt.timedelta(minutes=30))
    a, b = people(2)
    rsvp_actions.rsvp(actor=a, event=event)
    rsvp_actions.rsvp(actor=b, event=event)
    assert rsvp_actions.take_attendance(actor=staff, event=event, attended={a.pk: True, b.pk: False}) == 2
    assert dict(event.rsvps.values_list("member_id", "attended")) == {a.pk: True, b.pk: False}


def test_only_those_who_may_see_an_event_may_watch_its_live_stream(make_event, group, organiser, member, outsider):
    from leveller.realtime.registry import may_subscribe

    private = make_event(actor=organiser, group=group, audience="group")
    assert may_subscribe(member, f"event-{private.pk}")
    assert not may_subscribe(outsider, f"event-{private.pk}")
    assert not may_subscribe(outsider, "event-nonsense")
