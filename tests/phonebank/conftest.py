"""Phonebank test helpers: a campaign with contacts, a fixed clock inside calling hours everywhere it matters."""

from __future__ import annotations

import datetime as dt

import pytest

from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.actions import contacts as contact_actions

# A Wednesday, 14:00 in London (13:00 UTC in summer time): inside default calling hours for UK contacts.
WEDNESDAY_AFTERNOON = dt.datetime(2031, 6, 11, 13, 0, tzinfo=dt.UTC)

QUESTIONS = [
    {
        "id": "attend",
        "text": "Will you come to the meeting?",
        "kind": "single_choice",
        "choices": ["Yes", "No", "Maybe"],
    },
    {
        "id": "why_not",
        "text": "What would help you come?",
        "kind": "text",
        "show_if": {"question": "attend", "answer": "No"},
    },
    {
        "id": "issues",
        "text": "Which issues matter?",
        "kind": "multiple_choice",
        "choices": ["Rent", "Repairs", "Evictions"],
    },
    {"id": "mood", "text": "How angry are you about rents?", "kind": "scale"},
]


def csv_bytes(rows: list[tuple], header=("name", "phone", "postcode")) -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def uk_numbers(count: int, start: int = 0) -> list[str]:
    """Distinct, valid UK mobile numbers (07700 900xxx is Ofcom's drama range; beyond it, 07400 xxxxxx)."""
    return [f"+447400{start + i:06d}" for i in range(count)]


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PHONEBANK_PROGRESS_SECONDS = 0  # every change hints at once (the throttle has its own test)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # personas, quickly
    yield
    from leveller.phonebank import progress

    progress.cancel_pending()  # no trailing hint may fire into a later test


@pytest.fixture
def make_campaign(organiser):
    def make(*, contacts: int = 0, status: str = "live", **fields):
        fields.setdefault("questions", QUESTIONS)
        fields.setdefault("script", "Hi {first_name}, I'm calling from the tenants' union.")
        fields.setdefault("call_on_sundays", True)
        campaign = call_actions.create_campaign(
            actor=organiser, name=fields.pop("name", "Test campaign"), status=status, **fields
        )
        if contacts:
            rows = [(f"Contact {i}", phone, "") for i, phone in enumerate(uk_numbers(contacts))]
            contact_actions.upload_contacts(actor=organiser, campaign=campaign, data=csv_bytes(rows))
        campaign.refresh_from_db()
        return campaign

    return make
