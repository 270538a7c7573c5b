from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leveller.core.models import AuditEntry
from leveller.phonebank import limits
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.actions import contacts as contact_actions
from leveller.phonebank.models import Contact, DoNotCall
from tests.phonebank.conftest import WEDNESDAY_AFTERNOON as NOW
from tests.phonebank.conftest import csv_bytes

pytestmark = pytest.mark.django_db


def test_a_caller_is_handed_one_contact_under_a_lease_and_the_view_is_audited(make_campaign, member):
    campaign = make_campaign(contacts=3)
    call = call_actions.next_contact(actor=member, campaign=campaign, now=NOW)
    assert call.contact.holder_id == member.pk
    assert call.lease_expires_at == NOW + dt.timedelta(minutes=10)
    again = call_actions.next_contact(actor=member, campaign=campaign, now=NOW + dt.timedelta(minutes=1))
    assert again.pk == call.pk, "a caller holding a contact gets the same one back, not a second"
    assert AuditEntry.objects.filter(action="phonebank.contact_viewed", actor=member).count() == 2


def test_two_callers_never_get_the_same_contact(make_campaign, member, outsider):
    campaign = make_campaign(contacts=2)
    first = call_actions.next_contact(actor=member, campaign=campaign, now=NOW)
    second = call_actions.next_contact(actor=outsider, campaign=campaign, now=NOW)
    assert first.contact_id != second.contact_id
    assert call_actions.next_contact(actor=campaign.created_by, campaign=campaign, now=NOW) is None


def test_an_expired_lease_returns_the_contact_to_the_queue_and_the_first_caller_loses_it(
    make_campaign, member, outsider
):
    campaign = make_campaign(contacts=1)
    first = call_actions.next_contact(actor=member, campaign=campaign, now=NOW)
    assert call_actions.next_contact(actor=outsider, campaign=campaign, now=NOW + dt.timedelta(minutes=9)) is None
    second = call_actions.next_contact(actor=outsider, campaign=campaign, now=NOW + dt.timedelta(minutes=11))
    assert second.contact_id == first.contact_id
    first.refresh_from_db()
    assert first.outcome == "expired"
    with pytest.raises(call_actions.LeaseLost):
        call_actions.record_outcome(actor=member, call=first, outcome="answered", now=NOW + dt.timedelta(minutes=12))


def test_no_answer_is_retried_after_the_gap_until_max_attempts(make_campaign, member):
    campaign = make_campaign(contacts=1, max_attempts=2, retry_after_minutes=60)
    call = call_actions.next_contact(actor=member, campaign=campaign, now=NOW)
    call_actions.record_outcome(actor=member, call=call, outcome="no_answer", now=NOW)
    assert call_actions.next_contact(actor=member, campaign=campaign, now=NOW + dt.timedelta(minutes=59)) is None
    retry = call_actions.next_contact(actor=member, campaign=campaign, now=NOW + dt.timedelta(minutes=61))
    assert retry.contact_id == call.contact_id
    call_actions.record_outcome(actor=member, call=retry, outcome="busy", now=NOW + dt.timedelta(minutes=62))
    contact = Contact.objects.get(pk=call.contact_id)
    assert contact.done and contact.attempts == 2
    assert call_actions.next_contact(actor=member, campaign=campaign, now=NOW + dt.timedelta(hours=5)) is None


def test_answers_are_checked_and_hidden_conditional_answers_dropped(make_campaign, member):
    campaign = make_campaign(contacts=1)
    call = call_actions.next_contact(actor=member, campaign=campaign, now=NOW)
    with pytest.raises(ValidationError, match="not one of the choices"):
        call_actions.record_outcome(actor=member, call=call, outcome="answered", answers={"attend": "Perhaps"}, now=NOW)
    with pytest.raises(ValidationError, match="from 1 to 5"):
        call_actions.record_outcome(actor=member, call=call, outcome="answered", answers={"mood": 9}, now=NOW)
    with pytest.raises(ValidationError, match="not an outcome"):
        call_actions.record_outcome(actor=member, call=call, outcome="hung up", now=NOW)
    done = call_actions.record_outcome(
        actor=member,
        call=call,
        outcome="answered",
        now=NOW,
        answers={"attend": "Yes", "why_not": "childcare", "issues": ["Repairs", "Rent"], "mood": "4"},
    )
    assert done.answers == {"attend": "Yes", "issues": ["Rent", "Repairs"], "mood": 4}


def test_a_call_back_returns_at_its_time_in_the_contacts_zone_to_the_same_caller(make_campaign, member, outsider):
    campaign = make_campaign(contacts=1)
    call = call_actions.next_contact(actor=member, campaign=campaign, now=NOW)
    # 18:30 London time is 17:30 UTC in June
    call_actions.record_outcome(actor=member, call=call, outcome="call_back", callback_at="2031-06-11T18:30", now=NOW)
    at = dt.datetime(2031, 6, 11, 17, 30, tzinfo=dt.UTC)
    assert call_actions.next_contact(actor=outsider, campaign=campaign, now=at - dt.timedelta(minutes=1)) is None
    # the first caller is online, so the call-back waits for them
    call_actions.next_contact(actor=member, campaign=campaign, now=at - dt.timedelta(minutes=1))
    assert call_actions.next_contact(actor=outsider, campaign=campaign, now=at + dt.timedelta(minutes=1)) is None
    back = call_actions.next_contact(actor=member, campaign=campaign, now=at + dt.timedelta(minutes=1))
    assert back.contact_id == call.contact_id


def test_a_call_back_outside_calling_hours_is_refused(make_campaign, member):
    campaign = make_campaign(contacts=1)
    call = call_actions.next_contact(actor=member, campaign=campaign, now=NOW)
    with pytest.raises(ValidationError, match="outside calling hours"):
        call_actions.record_outcome(
            actor=member, call=call, outcome="call_back", callback_at="2031-06-11T22:00", now=NOW
        )


def test_do_not_call_blocks_the_number_in_every_campaign_now_and_later(make_campaign, member, organiser):
    first = make_campaign(contacts=1, name="First")
    second = make_campaign(contacts=1, name="Second")
    call = call_actions.next_contact(actor=member, campaign=first, now=NOW)
    call_actions.record_outcome(actor=member, call=call, outcome="do_not_call", now=NOW)
    assert DoNotCall.objects.filter(phone_e164=call.contact.phone_e164).exists()
    assert call_actions.next_contact(actor=member, campaign=second, now=NOW) is None
    third = make_campaign(name="Third")
    job = contact_actions.upload_contacts(
        actor=organiser, campaign=third, data=csv_bytes([("Same Person", call.contact.phone_e164, "")])
    )
    assert job.loaded == 0 and job.do_not_call == 1 and job.do_not_call_rows == [2]


def test_releasing_keeps_the_contact_for_its_caller_during_the_cool_down_then_anyone_gets_it(
    make_campaign, member, outsider
):
    campaign = make_campaign(contacts=1)
    call = call_actions.next_contact(actor=member, campaign=campaign, now=NOW)
    call_actions.release_call(actor=member, call=call, now=NOW)
    assert call_actions.next_contact(actor=outsider, campaign=campaign, now=NOW) is None
    later = NOW + limits.cooldown() + dt.timedelta(seconds=1)
    other = call_actions.next_contact(actor=outsider, campaign=campaign, now=later)
    assert other.contact_id == call.contact_id
    with pytest.raises(call_actions.LeaseLost):
        call_actions.record_outcome(actor=member, call=call, outcome="answered", now=NOW)


def test_only_allowed_callers_may_call_and_only_live_campaigns_serve(make_campaign, member, outsider, organiser):
    campaign = make_campaign(contacts=1, callers_mode="named", callers=[member.pk])
    with pytest.raises(PermissionDenied):
        call_actions.next_contact(actor=outsider, campaign=campaign, now=NOW)
    assert call_actions.next_contact(actor=member, campaign=campaign, now=NOW) is not None
    call_actions.update_campaign(actor=organiser, campaign=campaign, status="paused")
    campaign.refresh_from_db()
    with pytest.raises(ValidationError, match="paused"):
        call_actions.next_contact(actor=member, campaign=campaign, now=NOW)


def test_nobody_is_served_outside_calling_hours_in_the_contacts_own_time_zone(make_campaign, member, organiser):
    campaign = make_campaign(call_on_sundays=False)
    data = b"name,phone,time zone\nLondon Lou,+447400000001,\nNew York Nat,+12125550123,\nSydney Sam,+61298765432,\n"
    contact_actions.upload_contacts(actor=organiser, campaign=campaign, data=data)
    campaign.refresh_from_db()

    def served_at(when: dt.datetime) -> set[str]:
        Contact.objects.update(available_at=dt.datetime(2031, 1, 1, tzinfo=dt.UTC))
        names = set()
        while (call := call_actions.next_contact(actor=member, campaign=campaign, now=when)) is not None:
            names.add(call.contact.name)
            call_actions.release_call(actor=member, call=call, now=when)
            Contact.objects.filter(pk=call.contact_id).update(available_at=when + dt.timedelta(days=30))
        return names

    # Wednesday 09:30 UTC: London 10:30 (open), New York 05:30 (closed), Sydney 19:30 (open)
    assert served_at(dt.datetime(2031, 6, 11, 9, 30, tzinfo=dt.UTC)) == {"London Lou", "Sydney Sam"}
    # Wednesday 19:30 UTC: London 20:30 (closed), New York 15:30 (open), Sydney 05:30 Thursday (closed)
    assert served_at(dt.datetime(2031, 6, 11, 19, 30, tzinfo=dt.UTC)) == {"New York Nat"}
    # Saturday 23:30 UTC: Sydney is at 09:30 on Sunday: closed, Sundays are off; New York 19:30 Saturday: open
    assert served_at(dt.datetime(2031, 6, 14, 23, 30, tzinfo=dt.UTC)) == {"New York Nat"}
    # 10:00 sharp opens, 20:00 sharp closes (London in summer time: UTC+1)
    assert served_at(dt.datetime(2031, 6, 11, 9, 0, tzinfo=dt.UTC)) == {"London Lou", "Sydney Sam"}
    assert served_at(dt.datetime(2031, 6, 11, 8, 59, tzinfo=dt.UTC)) == {"Sydney Sam"}
    assert served_at(dt.datetime(2031, 6, 11, 19, 0, tzinfo=dt.UTC)) == {"New York Nat"}


def test_progress_hints_are_throttled_with_a_trailing_hint(
    settings, make_campaign, member, django_capture_on_commit_callbacks
):
    from leveller.phonebank import progress
    from leveller.realtime.models import Event

    settings.PHONEBANK_PROGRESS_SECONDS = 60
    campaign = make_campaign(contacts=5)
    progress._last_sent.pop(campaign.pk, None)
    before = Event.objects.filter(stream=f"campaign-{campaign.pk}", type="phonebank.progress").count()
    for _ in range(5):
        call = call_actions.next_contact(actor=member, campaign=campaign, now=NOW)
        call_actions.record_outcome(actor=member, call=call, outcome="refused", now=NOW)
    after = Event.objects.filter(stream=f"campaign-{campaign.pk}", type="phonebank.progress").count()
    assert after - before == 1, "ten changes in a burst send one hint now (and one trailing hint later)"
    assert campaign.pk in progress._trailing
