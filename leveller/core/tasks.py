"""Background tasks shared by every domain."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def deliver_email(*, to: str, subject: str, text: str, html: str = "", headers: dict | None = None) -> None:
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@task()
def prune_events() -> int:
    from leveller.realtime.prune import prune

    return prune()
