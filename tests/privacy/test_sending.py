"""Every sending path checks the purpose it needs: a member who withdrew it gets nothing, one who agreed (or
never said no to an opt-out purpose) gets it. Service messages need no purpose but never reach the erased."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone

from leveller.privacy import consent
from leveller.privacy.actions import consent as consent_actions
from leveller.privacy.purposes import PURPOSES, PUSH_PURPOSES, SENDING_PATHS, Purpose
from tests.conftest import make_member
from tests.phonebank.conftest import WEDNESDAY_AFTERNOON, csv_bytes

pytestmark = pytest.mark.django_db


def withdraw(member, purpose):
    consent_actions.record(actor=member, purpose=purpose, granted=False, method="form", member=member)


@pytest.fixture
def wanda(db):
    """Wanda withdrew every purpose that can be withdrawn."""
    wanda = make_member("Wanda Withdrawn", "wanda@example.org", roles=["member"])
    for purpose in PURPOSES:
        withdraw(wanda, purpose)
    return wanda


@pytest.fixture
def yusuf(db):
    """Yusuf never said no."""
    return make_member("Yusuf Yes", "yusuf@example.org", roles=["member"])


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_each_sending_path_names_a_real_purpose_or_says_it_is_a_service_message():
    from leveller.push.models import ALL_KINDS

    for send in SENDING_PATHS:
        assert send.purpose is None or send.purpose in PURPOSES, send.path
        assert send.why
    assert set(PUSH_PURPOSES) == set(ALL_KINDS), "say which purpose each push kind needs"
    assert {s.purpose for s in SENDING_PATHS} >= {
        Purpose.GROUP_MESSAGES,
        Purpose.CHAT_NOTIFICATIONS,
        Purpose.EVENT_REMINDERS,
        Purpose.CAMPAIGN_CALLS,
    }


def test_a_group_email_skips_members_who_withdrew_group_messages(staff, organiser, wanda, yusuf, run_on_commit):
    from leveller.groups.actions import groups as groups_actions

    group = groups_actions.create_group(actor=staff, name="Brent", kind="local", districts="NW10", organiser=organiser)
    for who in (wanda, yusuf):
        groups_actions.join_group(actor=who, group=group)
    with run_on_commit():
        groups_actions.message_group(
            actor=organiser, group=group, subject="Meeting moved", text="Library.", by_email=True
        )
    assert len(to(yusuf.email)) == 1 and to(yusuf.email)[0].subject == "[Brent] Meeting moved"
    assert to(wanda.email) == []


def test_the_chat_digest_skips_a_member_who_withdrew_chat_notifications(organiser, wanda, yusuf, run_on_commit):
    from leveller.chat.actions import channels as channel_actions
    from leveller.chat.actions import messages as message_actions
    from leveller.chat.handles import handle_for
    from leveller.chat.models import ChatProfile
    from leveller.chat.tasks import send_mention_digest

    general = channel_actions.create_channel(actor=organiser, name="general")
    for who in (wanda, yusuf):
        channel_actions.add_channel_member(actor=who, channel=general, member=who)
        with run_on_commit():
            message_actions.send_message(actor=organiser, channel=general, text=f"@{handle_for(who)} are you in?")
    ChatProfile.objects.update(digest_due_at=timezone.now() - dt.timedelta(seconds=1))
    with run_on_commit():
        assert send_mention_digest.call(yusuf.pk) == 1
        assert send_mention_digest.call(wanda.pk) == 0
    assert len(to(yusuf.email)) == 1 and to(wanda.email) == []


@pytest.fixture
def pushed(monkeypatch):
    from leveller.push import delivery

    calls = []

    def fake_webpush(*, subscription_info, data, headers, **kwargs):
        calls.append((subscription_info["endpoint"], json.loads(data)))

    monkeypatch.setattr(delivery, "webpush", fake_webpush)
    return calls


def _device(member):
    from leveller.push.actions import notifications as notifications_actions
    from tests.push.test_push import browser_subscription

    body = browser_subscription(member.pk)
    notifications_actions.subscribe(
        actor=member, endpoint=body["endpoint"], p256dh=body["keys"]["p256dh"], auth=body["keys"]["auth"]
    )
    return body["endpoint"]


@pytest.mark.parametrize(
    ("kind", "purpose"),
    [("mention", Purpose.CHAT_NOTIFICATIONS), ("announcement", Purpose.GROUP_MESSAGES), ("event_reminder", None)],
)
def test_a_push_goes_only_to_members_who_allow_its_purpose(kind, purpose, wanda, yusuf, pushed, run_on_commit):
    from leveller.push.actions import notifications as notifications_actions

    purpose = purpose or PUSH_PURPOSES[kind]
    mine, theirs = _device(yusuf), _device(wanda)
    with run_on_commit():
        queued = notifications_actions.notify(
            kind=kind, member_ids=[wanda.pk, yusuf.pk], title="Hello", body="", url="/", tag=f"{kind}-1"
        )
    assert queued == 1
    assert [endpoint for endpoint, _ in pushed] == [mine]
    assert theirs not in [endpoint for endpoint, _ in pushed]
    assert not consent.permits(purpose, member=wanda) and consent.permits(purpose, member=yusuf)


def test_a_push_held_through_quiet_hours_is_dropped_if_consent_is_withdrawn_meanwhile(yusuf, pushed, run_on_commit):
    from leveller.push import delivery
    from leveller.push.actions import notifications as notifications_actions
    from leveller.push.models import PushMessage, State

    _device(yusuf)
    with run_on_commit():
        notifications_actions.notify(
            kind="mention", member_ids=[yusuf.pk], title="Hi", body="", url="/", tag="channel-9"
        )
    message = PushMessage.objects.get(member=yusuf)
    PushMessage.objects.filter(pk=message.pk).update(state=State.HELD, sent_at=None)
    pushed.clear()
    withdraw(yusuf, Purpose.CHAT_NOTIFICATIONS)
    assert delivery.deliver(message.pk) == 0
    assert pushed == [] and PushMessage.objects.get(pk=message.pk).state == State.WITHDRAWN


def test_event_reminders_skip_a_member_who_withdrew_them(staff, wanda, yusuf, run_on_commit, settings):
    from leveller.events import reminders
    from leveller.events.actions import events as events_actions
    from leveller.events.actions import rsvps as rsvps_actions

    starts = timezone.now() + dt.timedelta(days=3)
    event = events_actions.create_event(
        actor=staff,
        title="Tenants' assembly",
        type="meeting",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        in_person=True,
        address="Willesden Library",
        postcode="NW10 2SF",
    )
    for who in (wanda, yusuf):
        rsvps_actions.rsvp(actor=who, event=event)
    mail.outbox.clear()
    with run_on_commit():
        reminders.send_due_reminders(now=event.starts_at - dt.timedelta(hours=24))
    assert len(to(yusuf.email)) == 1 and to(wanda.email) == []


def _campaign(organiser, rows, **upload):
    from leveller.phonebank.actions import calls as call_actions
    from leveller.phonebank.actions import contacts as contact_actions

    campaign = call_actions.create_campaign(actor=organiser, name="Rent survey", status="live", call_on_sundays=True)
    contact_actions.upload_contacts(actor=organiser, campaign=campaign, data=csv_bytes(rows), **upload)
    campaign.refresh_from_db()
    return campaign


def test_a_list_held_on_consent_is_called_only_where_calls_were_agreed(organiser, yusuf):
    from leveller.phonebank.actions import calls as call_actions

    campaign = _campaign(
        organiser,
        [("Carol Contact", "+447400000001", "")],
        basis="consent",
        source="survey sign-up sheet",
        purposes=["research"],
        wording="Contact me about research.",
    )
    assert call_actions.next_contact(actor=yusuf, campaign=campaign, now=WEDNESDAY_AFTERNOON) is None
    contact = campaign.contacts.get()
    assert contact.done and contact.last_outcome == "do_not_call"


def test_a_contact_who_agreed_by_hand_is_called_and_one_who_withdrew_is_not(organiser, yusuf):
    from leveller.phonebank.actions import calls as call_actions

    campaign = _campaign(organiser, [("Carol Contact", "+447400000001", ""), ("Dan Contact", "+447400000002", "")])
    carol, dan = campaign.contacts.order_by("name")
    consent_actions.record_by_hand(
        actor=organiser,
        purpose=Purpose.CAMPAIGN_CALLS,
        granted=False,
        method="form",
        contact=dan,
        wording="Please do not phone me.",
        source="letter of 2 June",
    )
    call = call_actions.next_contact(actor=yusuf, campaign=campaign, now=WEDNESDAY_AFTERNOON)
    assert call.contact == carol
    call_actions.record_outcome(actor=yusuf, call=call, outcome="answered", answers={}, now=WEDNESDAY_AFTERNOON)
    assert call_actions.next_contact(actor=yusuf, campaign=campaign, now=WEDNESDAY_AFTERNOON) is None


def test_election_notices_are_service_messages_but_never_reach_a_deactivated_member(wanda, yusuf):
    from leveller.accounts.models import Member

    assert consent.permits(None, member=wanda), "a service message needs no purpose"
    Member.objects.filter(pk=wanda.pk).update(is_active=False)
    wanda.refresh_from_db()
    assert not consent.permits(None, member=wanda)
    assert list(consent.permitted(None, Member.objects.filter(pk__in=[wanda.pk, yusuf.pk]))) == [yusuf]


def test_a_service_message_is_not_sent_to_a_suppressed_address():
    from leveller.privacy import suppression

    suppression.add(email="gone@example.org", phone="")
    assert not consent.permits(None, email="gone@example.org")
    assert consent.permits(None, email="here@example.org")
