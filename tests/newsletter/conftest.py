"""A real SMTP server (aiosmtpd) for the newsletter tests, with switches to make it fail."""

from __future__ import annotations

import logging

import pytest
from aiosmtpd.controller import Controller

from leveller.newsletter.actions import issues as issue_actions
from leveller.newsletter.models import Subscriber
from tests.support.live import free_port
from tests.support.personas import make_member
from tests.support.smtp import Sink

logging.getLogger("mail.log").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def smtp_server():
    """One aiosmtpd server for the session (starting one takes about a second); each test resets it."""
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def smtp(db, settings, smtp_server):
    sink = Sink()
    smtp_server.handler = sink
    controller = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.NEWSLETTER_RATE = 0
    settings.SITE_URL = "https://members.example.org"
    return sink


@pytest.fixture
def editor(db):
    return make_member("Eddie Editor", "editor@example.org", roles=["staff", "editor"])


def add_subscribers(n: int, *, prefix: str = "reader") -> list[Subscriber]:
    import datetime as dt

    from django.utils import timezone

    return Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"{prefix}{i}@example.net",
                name=f"Reader {i}",
                status="subscribed",
                consent_at=timezone.now() - dt.timedelta(days=30),
                consent_source="test",
            )
            for i in range(n)
        ]
    )


def make_issue(editor, title: str = "Spring issue", body: str = "Hello **comrades**. [Join](/groups/)"):
    return issue_actions.create_issue(actor=editor, title=title, sections=[{"heading": "News", "body": body}])


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas get passwords; a fast hasher keeps these tests quick (what is tested here is not login)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
