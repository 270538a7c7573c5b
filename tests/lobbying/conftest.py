"""Lobbying fixtures: a real SMTP sink (aiosmtpd, as the newsletter tests use), campaigns and writers."""

from __future__ import annotations

import datetime as dt

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from leveller.lobbying import geography
from leveller.lobbying.actions import campaigns
from tests.newsletter.conftest import Sink
from tests.support.live import free_port
from tests.support.personas import make_member

# SW1A 1AA (Buckingham Palace) is in Cities of London and Westminster; its sector also touches Battersea.
POSTCODE = "SW1A 1AA"
SEAT = "Cities of London and Westminster"

TEMPLATE = """Dear {mp_name},

As your constituent in {constituency}, I ask you to vote against the Bill.

{personal_paragraph}

Yours sincerely,
{member_name}
{member_town}"""

PERSONAL = "My rent went up by a third this year and my landlord will not fix the damp in my flat."


@pytest.fixture(scope="session")
def lobbying_smtp_server():
    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def smtp(db, settings, lobbying_smtp_server):
    sink = Sink()
    lobbying_smtp_server.handler = sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", lobbying_smtp_server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://members.example.org"
    return sink


def seat(code_or_postcode: str = POSTCODE) -> geography.Constituency:
    return geography.lookup(code_or_postcode).best.constituency


@pytest.fixture
def campaign(organiser):
    made = campaigns.create_campaign(
        actor=organiser,
        title="Vote against the Renters Bill",
        ask="Ask your MP to **vote against** the Bill at second reading.",
        subject="Please vote against the Bill, {mp_name}",
        template=TEMPLATE,
        opens_at=timezone.now() - dt.timedelta(days=1),
    )
    return campaigns.set_status(actor=organiser, campaign=made, status="published")


@pytest.fixture
def writer(db):
    return make_member("Wren Writer", "wren@example.org", roles=["member"], postcode=POSTCODE)


def letter_fields(**overrides) -> dict:
    return {"postcode": POSTCODE, "address": "1 The Mall\nLondon", "town": "London", "personal": PERSONAL,
            **overrides}  # fmt: skip
