"""Data-rights fixtures: a member with a history in every domain, and another member whose data must never
leak into the first one's copy."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.conftest import make_member
from tests.phonebank.conftest import WEDNESDAY_AFTERNOON, csv_bytes

PHONE = "+447400555123"


@pytest.fixture(autouse=True)
def _quick(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PHONEBANK_PROGRESS_SECONDS = 0
    settings.PRIVACY_EXPORT_DIR = tmp_path / "exports"
    yield
    from leveller.phonebank import progress

    progress.cancel_pending()


@dataclass
class History:
    alice: object
    bob: object
    general: object
    dm: object
    bob_private: object
    event: object
    campaign: object
    call: object
    alice_message: object
    bob_dm_text: str
    bob_channel_text: str
    bob_private_text: str


@pytest.fixture
def history(staff, organiser, run_on_commit):
    """Alice (the requester) and Bob (someone else): chat, a DM between them, a private channel Alice is
    not in, an RSVP, calls Alice made, a campaign list Alice's own number is on, and consents."""
    from leveller.chat.actions import channels as channel_actions
    from leveller.chat.actions import messages as message_actions
    from leveller.events.actions import events as event_actions
    from leveller.events.actions import rsvps as rsvp_actions
    from leveller.phonebank.actions import calls as call_actions
    from leveller.phonebank.actions import contacts as contact_actions
    from leveller.privacy.actions import consent as consent_actions

    alice = make_member("Alice Example", "alice@example.org", phone=PHONE, postcode="NW10 2SF")
    bob = make_member("Bob Other", "bob@example.org", phone="+447400555456")
    general = channel_actions.create_channel(actor=organiser, name="general")
    for who in (alice, bob):
        channel_actions.add_channel_member(actor=who, channel=general, member=who)
    alice_message = message_actions.send_message(actor=alice, channel=general, text="Rent strike on Tuesday!")
    message_actions.send_message(actor=alice, channel=general, text="Who can bring leaflets?")
    bob_channel_text = "Bob's own channel post about his landlord"
    bob_message = message_actions.send_message(actor=bob, channel=general, text=bob_channel_text)
    message_actions.add_reaction(actor=alice, message=bob_message, emoji="👍")
    dm = channel_actions.open_dm(actor=alice, members=[bob])
    bob_dm_text = "Bob to Alice, privately: my rent went up 20%"
    message_actions.send_message(actor=bob, channel=dm, text=bob_dm_text)
    message_actions.send_message(actor=alice, channel=dm, text="Alice to Bob: come to the meeting")
    bob_private = channel_actions.create_channel(actor=bob, name="bob-secret", private=True)
    bob_private_text = "Bob's secret channel note"
    message_actions.send_message(actor=bob, channel=bob_private, text=bob_private_text)
    bob_dm_with_organiser = channel_actions.open_dm(actor=bob, members=[organiser])
    message_actions.send_message(actor=bob, channel=bob_dm_with_organiser, text="Bob to the organiser only")

    starts = timezone.now() + dt.timedelta(days=3)
    event = event_actions.create_event(
        actor=staff,
        title="Tenants' assembly",
        type="meeting",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        in_person=True,
        address="Willesden Library",
        postcode="NW10 2SF",
    )
    rsvp_actions.rsvp(actor=alice, event=event)
    rsvp_actions.rsvp(actor=bob, event=event)

    campaign = call_actions.create_campaign(
        actor=organiser,
        name="Rent survey",
        status="live",
        call_on_sundays=True,
        questions=[{"id": "rent", "text": "Is your rent fair?", "kind": "single_choice", "choices": ["Yes", "No"]}],
    )
    contact_actions.upload_contacts(
        actor=organiser,
        campaign=campaign,
        data=csv_bytes([("Carol Contact", "+447400000001", ""), ("Alice Example", PHONE, "")]),
    )
    campaign.refresh_from_db()
    call = call_actions.next_contact(actor=alice, campaign=campaign, now=WEDNESDAY_AFTERNOON)
    call_actions.record_outcome(
        actor=alice, call=call, outcome="answered", answers={"rent": "No"}, now=WEDNESDAY_AFTERNOON
    )
    about_alice = call_actions.next_contact(actor=bob, campaign=campaign, now=WEDNESDAY_AFTERNOON)
    call_actions.record_outcome(
        actor=bob, call=about_alice, outcome="answered", answers={"rent": "Yes"}, now=WEDNESDAY_AFTERNOON
    )
    consent_actions.record(actor=alice, purpose="research", granted=True, method="form", member=alice)
    consent_actions.record(actor=bob, purpose="party_sharing", granted=True, method="form", member=bob)
    return History(
        alice,
        bob,
        general,
        dm,
        bob_private,
        event,
        campaign,
        call,
        alice_message,
        bob_dm_text,
        bob_channel_text,
        bob_private_text,
    )


def read_zip(data: bytes) -> dict[str, object]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: (archive.read(name).decode() if name.endswith(".html") else json.loads(archive.read(name)))
            for name in archive.namelist()
        }


def all_text_in_database() -> list[tuple[str, str, str]]:
    """Every value of every text-like column of every table, read with plain SQL (independently of the
    code under test's own sweep)."""
    from django.db import connection

    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(f'SELECT CAST("{column.name}" AS TEXT) FROM "{table}"')  # noqa: S608 - introspected
                found.extend((table, column.name, row[0]) for row in cursor.fetchall() if row[0])
    return found
