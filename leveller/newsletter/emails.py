"""The issue email: rendered once at publication (a snapshot), personalised per recipient at send time."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from leveller.newsletter import content
from leveller.newsletter.models import Issue
from leveller.newsletter.tokens import unsubscribe_url

NAME = "\x00LEVELLER-NAME\x00"
UNSUBSCRIBE = "\x00LEVELLER-UNSUBSCRIBE\x00"


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

    @classmethod
    def for_issue(cls, issue: Issue) -> Personaliser:
        host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
        return cls(
            issue_id=issue.pk,
            subject=issue.email_subject,
            html_parts=tuple(tuple(p.split(UNSUBSCRIBE)) for p in issue.email_html.split(NAME)),
            text_parts=tuple(tuple(p.split(UNSUBSCRIBE)) for p in issue.email_text.split(NAME)),
            from_email=settings.NEWSLETTER_FROM_EMAIL,
            list_id=f"{settings.SITE_NAME} newsletter <newsletter.{host}>",
            domain=host,
        )

    @staticmethod
    def _fill(parts, name: str, link: str) -> str:
        return name.join(link.join(chunk) for chunk in parts)

    def message(self, *, subscriber_id: int, email: str, name: str, connection=None) -> EmailMultiAlternatives:
        from django.utils.html import escape

        first = (name or "").strip().split(" ")[0] or "friend"
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
