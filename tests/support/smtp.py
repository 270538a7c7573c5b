"""A real SMTP server (aiosmtpd) for tests that check what is actually sent: the recorded messages."""

from __future__ import annotations

import email
import email.policy
import threading


class Sink:
    """Records every accepted message. `refuse[address] = "550 ..."` refuses a recipient; `fail_data_after = n`
    answers the (n+1)-th and later DATA with `data_failure` (e.g. 421: the server goes away mid-send)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: dict[str, str] = {}
        self.fail_data_after: int | None = None
        self.data_failure = "421 4.3.2 Service shutting down"
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_data_after is not None and len(self.messages) >= self.fail_data_after:
                return self.data_failure
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 OK: queued"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]

    def recipients(self) -> list[str]:
        return [m["X-Envelope-To"] for m in self.messages]


def start_server():
    """Start aiosmtpd on a free port with an empty Sink; returns the controller (stop it when done)."""
    import logging

    from aiosmtpd.controller import Controller

    from tests.support.live import free_port

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def use_server(settings, controller) -> Sink:
    """Point Django's SMTP backend at `controller` with a fresh Sink, and return the Sink."""
    sink = Sink()
    controller.handler = sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://members.example.org"
    return sink
