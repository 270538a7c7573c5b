"""The issue email: rendered once at publication (a snapshot), personalised per recipient at send time."""

from __future__ import annotations

import binascii
import secrets
from dataclasses import dataclass
from email.header import Header
from email.utils import formatdate, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.utils.html import escape

from leveller.newsletter import content
from leveller.newsletter.models import Issue
from leveller.newsletter.tokens import UnsubscribeLinks, unsubscribe_url

NAME = "%%LEVELLER-NAME-5f1c9e%%"
UNSUBSCRIBE = "%%LEVELLER-UNSUBSCRIBE-5f1c9e%%"


def render_snapshot(issue: Issue) -> tuple[str, str, str]:
    """(subject, html, text) with placeholders for the greeting name and the unsubscribe link."""
    context = {
        "issue": issue,
        "blocks": content.blocks(issue, for_email=True),
        "web_url": settings.SITE_URL + issue.get_absolute_url(),
        "archive_url": settings.SITE_URL + "/newsletter/",
        "greeting_name": NAME,
        "unsubscribe_url": UNSUBSCRIBE,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    html = render_to_string("newsletter/email/issue.html", context)
    text = render_to_string("newsletter/email/issue.txt", context)
    return f"{settings.SITE_NAME}: {issue.title}", html, text


@dataclass(frozen=True)
class Personaliser:
    """Fills one recipient's name and unsubscribe link into the snapshot: cheap string joins, no templates."""

    issue_id: int
    subject: str
    html_parts: tuple[tuple[str, ...], ...]
    text_parts: tuple[tuple[str, ...], ...]
    from_email: str
    list_id: str
    domain: str
    head: bytes = b""
    envelope_from: str = ""
    links: UnsubscribeLinks | None = None

    @classmethod
    def for_issue(cls, issue: Issue) -> Personaliser:
        host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
        from_email = settings.NEWSLETTER_FROM_EMAIL
        list_id = f"{settings.SITE_NAME} newsletter <newsletter.{host}>"
        head = "".join(
            f"{name}: {value}\r\n"
            for name, value in (
                ("From", sanitize_address(from_email, "utf-8")),
                ("Subject", _encode_header(issue.email_subject, "Subject")),
                ("MIME-Version", "1.0"),
                ("List-Id", _encode_header(list_id, "List-Id")),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ("Content-Type", f'multipart/alternative; boundary="{BOUNDARY}"'),
            )
        )
        return cls(
            issue_id=issue.pk,
            subject=issue.email_subject,
            html_parts=tuple(tuple(p.split(UNSUBSCRIBE)) for p in issue.email_html.split(NAME)),
            text_parts=tuple(tuple(p.split(UNSUBSCRIBE)) for p in issue.email_text.split(NAME)),
            from_email=from_email,
            list_id=list_id,
            domain=host,
            head=head.encode("ascii"),
            envelope_from=parseaddr(from_email)[1],
            links=UnsubscribeLinks(),
        )

    @staticmethod
    def _fill(parts, name: str, link: str) -> str:
        return name.join(link.join(chunk) for chunk in parts)

    def wire(self, *, subscriber_id: int, email: str, name: str) -> bytes:
        """The whole message as SMTP DATA bytes (CRLF, quoted-printable parts), built with string joins and
        C-speed encoding: what the send engine puts on the wire for each recipient."""
        first = _first_name(name)
        link = self.links.url(subscriber_id)
        text = self._fill(self.text_parts, first, link)
        html = self._fill(self.html_parts, escape(first), escape(link))
        per_recipient = (
            f"To: {_address(email)}\r\n"
            f"Date: {formatdate()}\r\n"
            f"Message-ID: {make_msgid(f'issue{self.issue_id}.s{subscriber_id}', domain=self.domain)}\r\n"
            f"List-Unsubscribe: <{link}>\r\n\r\n"
        )
        return b"".join(
            (
                self.head,
                per_recipient.encode("ascii"),
                PART_TEXT,
                _qp(text),
                PART_HTML,
                _qp(html),
                CLOSE,
            )
        )

    def message(self, *, subscriber_id: int, email: str, name: str, connection=None) -> EmailMultiAlternatives:
        """The same message as a Django EmailMessage (previews, and email backends other than SMTP)."""
        first = _first_name(name)
        link = unsubscribe_url(subscriber_id)
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": self.list_id,
            "Message-ID": make_msgid(f"issue{self.issue_id}.s{subscriber_id}", domain=self.domain),
        }
        message = EmailMultiAlternatives(
            self.subject,
            self._fill(self.text_parts, first, link),
            self.from_email,
            [email],
            headers=headers,
            connection=connection,
        )
        message.attach_alternative(self._fill(self.html_parts, escape(first), escape(link)), "text/html")
        return message


BOUNDARY = "=_leveller_" + secrets.token_hex(12)
PART_TEXT = (
    f"This is a multi-part message in MIME format.\r\n\r\n--{BOUNDARY}\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
).encode("ascii")
PART_HTML = (
    f"\r\n--{BOUNDARY}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
).encode("ascii")
CLOSE = f"\r\n--{BOUNDARY}--\r\n".encode("ascii")


def _first_name(name: str) -> str:
    return (name or "").strip().split(" ")[0] or "friend"


def _encode_header(value: str, name: str) -> str:
    value = " ".join(value.split())
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, header_name=name).encode(linesep="\r\n")


def _qp(text: str) -> bytes:
    """Quoted-printable with CRLF line ends (lines under 76 characters; '.' stuffing is smtplib's job)."""
    data = text.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(data, istext=True).replace(b"\n", b"\r\n")


def _address(email: str) -> str:
    """Addresses were validated when stored; plain ASCII ones need no encoding (the common, fast case)."""
    if email.isascii() and email.isprintable() and " " not in email and "," not in email:
        return email
    return sanitize_address(email, "utf-8")
