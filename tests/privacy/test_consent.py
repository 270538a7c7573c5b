"""Consent per purpose: recorded with when, how and the exact words; withdrawn; checked by every sending path."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.html import escape

from leveller.accounts.models import Member
from leveller.privacy import consent
from leveller.privacy.actions import consent as consent_actions
from leveller.privacy.models import Consent, ImportRecord
from leveller.privacy.purposes import PURPOSES, Purpose

pytestmark = pytest.mark.django_db


def test_opt_in_purposes_need_a_yes_and_opt_out_ones_run_until_withdrawn(member):
    assert not consent.permits(Purpose.RESEARCH, member=member)
    assert not consent.permits(Purpose.PARTY_SHARING, member=member)
    assert consent.permits(Purpose.EVENT_REMINDERS, member=member)
    assert consent.permits(Purpose.CAMPAIGN_CALLS, member=member)
    consent_actions.record(actor=member, purpose=Purpose.RESEARCH, granted=True, method="form", member=member)
    consent_actions.record(actor=member, purpose=Purpose.EVENT_REMINDERS, granted=False, method="form", member=member)
    assert consent.permits(Purpose.RESEARCH, member=member)
    assert not consent.permits(Purpose.EVENT_REMINDERS, member=member)


def test_each_decision_keeps_when_how_and_the_exact_wording(member, staff):
    consent_actions.record(actor=member, purpose=Purpose.RESEARCH, granted=True, method="form", member=member)
    consent_actions.record(
        actor=staff,
        purpose=Purpose.RESEARCH,
        granted=False,
        method="admin",
        member=member,
        source="letter of 3 May",
        wording="Please stop surveying me.",
    )
    rows = list(Consent.objects.filter(member=member).order_by("recorded_at", "id"))
    assert [r.granted for r in rows] == [True, False]
    assert rows[0].wording == PURPOSES[Purpose.RESEARCH].wording and rows[0].method == "form"
    assert rows[1].wording == "Please stop surveying me." and rows[1].recorded_by == staff
    assert rows[1].source == "letter of 3 May"


def test_a_member_cannot_record_consent_for_someone_else(member, outsider):
    with pytest.raises(PermissionDenied):
        consent_actions.record(actor=outsider, purpose=Purpose.RESEARCH, granted=True, method="form", member=member)


def test_the_settings_page_shows_and_saves_each_purpose(member, client):
    client.force_login(member)
    page = client.get("/settings/data/").content.decode()
    for details in PURPOSES.values():
        assert escape(details.wording) in page
    kept_on = {"campaign_calls": "on", "group_messages": "on", "chat_notifications": "on"}
    client.post("/settings/data/consents/", {"research": "on", **kept_on})
    assert consent.permits(Purpose.RESEARCH, member=member)
    assert not consent.permits(Purpose.EVENT_REMINDERS, member=member)
    assert consent.permits(Purpose.CAMPAIGN_CALLS, member=member)
    assert Consent.objects.filter(member=member).count() == 2, "only the answers that changed are recorded"


def test_the_newsletter_purpose_is_the_newsletters_own_subscription(member, client):
    client.force_login(member)
    client.post(
        "/settings/data/consents/",
        {
            "newsletter": "on",
            "event_reminders": "on",
            "campaign_calls": "on",
            "group_messages": "on",
            "chat_notifications": "on",
        },
    )
    from leveller.newsletter.models import Subscriber

    assert Subscriber.objects.get(email=member.email).status == "subscribed"
    client.post("/settings/data/consents/", {"event_reminders": "on", "campaign_calls": "on"})
    assert Subscriber.objects.get(email=member.email).status == "unsubscribed"
    assert not consent.permits(Purpose.NEWSLETTER, member=member)


def test_the_api_lists_and_changes_consents(member, api_client):
    client = api_client(member)
    rows = {r["purpose"]: r for r in client.get("/api/v1/me/consents").json()}
    assert set(rows) == set(PURPOSES) and rows["research"]["allowed"] is False
    changed = {r["purpose"]: r for r in client.put("/api/v1/me/consents", {"research": True}).json()}
    assert changed["research"]["allowed"] is True and changed["research"]["method"] == "form"


def test_event_reminders_are_not_sent_to_a_member_who_withdrew(member, staff, run_on_commit):
    from leveller.events import reminders
    from leveller.events.actions import events as event_actions
    from leveller.events.actions import rsvps as rsvp_actions

    starts = (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    event = event_actions.create_event(
        actor=staff,
        title="Assembly",
        type="meeting",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        in_person=True,
        address="Hall",
        postcode="NW10 2SF",
    )
    other = Member.objects.get(email="staff@example.org")
    rsvp_actions.rsvp(actor=member, event=event)
    rsvp_actions.rsvp(actor=other, event=event)
    consent_actions.record(actor=member, purpose=Purpose.EVENT_REMINDERS, granted=False, method="form", member=member)
    mail.outbox.clear()
    with run_on_commit():
        sent = reminders.send_due_reminders(now=starts - dt.timedelta(hours=24))
    assert sent == 1 and [m.to for m in mail.outbox] == [["staff@example.org"]]


def test_permitted_applies_the_same_rule_to_a_whole_list(member, outsider, staff):
    consent_actions.record(actor=member, purpose=Purpose.PARTY_SHARING, granted=True, method="form", member=member)
    consent_actions.record(
        actor=outsider, purpose=Purpose.EVENT_REMINDERS, granted=False, method="form", member=outsider
    )
    everyone = Member.objects.all()
    assert list(consent.permitted(Purpose.PARTY_SHARING, everyone)) == [member]
    allowed = set(consent.permitted(Purpose.EVENT_REMINDERS, everyone))
    assert member in allowed and staff in allowed and outsider not in allowed
    for who in everyone:
        assert consent.permits(Purpose.EVENT_REMINDERS, member=who) == (who in allowed)


def test_the_party_export_holds_only_members_who_agreed(member, outsider, admin, client):
    consent_actions.record(actor=member, purpose=Purpose.PARTY_SHARING, granted=True, method="form", member=member)
    client.force_login(admin)
    response = client.post("/manage/privacy/party-export/")
    body = b"".join(response.streaming_content).decode()
    assert member.email in body and outsider.email not in body and admin.email not in body
    client.force_login(member)
    assert client.post("/manage/privacy/party-export/").status_code == 403


def test_a_contact_who_says_do_not_call_on_a_call_is_recorded_and_not_called_again(organiser, member):
    from leveller.phonebank.actions import calls as call_actions
    from leveller.phonebank.actions import contacts as contact_actions
    from leveller.phonebank.models import DoNotCall
    from tests.phonebank.conftest import WEDNESDAY_AFTERNOON, csv_bytes

    campaign = call_actions.create_campaign(actor=organiser, name="Calls", status="live", call_on_sundays=True)
    contact_actions.upload_contacts(actor=organiser, campaign=campaign, data=csv_bytes([("Eve", "+447400000009", "")]))
    campaign.refresh_from_db()
    call = call_actions.next_contact(actor=member, campaign=campaign, now=WEDNESDAY_AFTERNOON)
    assert consent.permits(Purpose.CAMPAIGN_CALLS, contact=call.contact)
    call_actions.record_outcome(actor=member, call=call, outcome="do_not_call", now=WEDNESDAY_AFTERNOON)
    row = Consent.objects.get(contact=call.contact)
    assert (row.purpose, row.granted, row.method, row.recorded_by) == ("campaign_calls", False, "call", member)
    assert DoNotCall.objects.filter(phone_e164="+447400000009").exists()
    assert not consent.permits(Purpose.CAMPAIGN_CALLS, phone="+447400000009")


def test_staff_withdrawing_a_members_call_consent_puts_their_number_on_do_not_call(staff):
    from leveller.phonebank.models import DoNotCall
    from tests.conftest import make_member

    person = make_member("Pat Phone", "pat@example.org", phone="+447400000077")
    consent_actions.record(actor=staff, purpose=Purpose.CAMPAIGN_CALLS, granted=False, method="call", member=person)
    assert DoNotCall.objects.filter(phone_e164="+447400000077").exists()


def test_contact_uploads_record_their_lawful_basis_and_source(organiser, api_client):
    from leveller.phonebank.actions import calls as call_actions
    from leveller.phonebank.actions import contacts as contact_actions
    from tests.phonebank.conftest import csv_bytes

    campaign = call_actions.create_campaign(actor=organiser, name="Petition follow-up", status="live")
    contact_actions.upload_contacts(
        actor=organiser,
        campaign=campaign,
        data=csv_bytes([("Eve", "+447400000009", "")]),
        basis="consent",
        source="petition, March 2026",
        wording="Call me about the campaign",
        purposes=["campaign_calls"],
    )
    record = ImportRecord.objects.get(kind="phonebank.contacts", object_id=str(campaign.pk))
    assert (record.basis, record.source, record.rows) == ("consent", "petition, March 2026", 1)
    contact = campaign.contacts.get()
    assert consent.permits(Purpose.CAMPAIGN_CALLS, contact=contact)
    assert not consent.permits(Purpose.RESEARCH, contact=contact), "a consent list covers only what it says"


def test_members_csv_imports_record_their_lawful_basis_and_source(staff, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    upload = SimpleUploadedFile("members.csv", b"email,name\nnew@example.org,New Person\n", content_type="text/csv")
    client.post("/manage/members/import/", {"file": upload, "basis": "contract", "source": "old database"})
    record = ImportRecord.objects.get(kind="accounts.members")
    assert (record.basis, record.source, record.rows) == ("contract", "old database", 1)
