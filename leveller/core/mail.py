"""Email goes out through the background queue, after the action's transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from leveller.core.tasks import deliver_email


def send_templated(*, to: str, template: str, context: dict, headers: dict | None = None) -> None:
    """Render `<template>_subject.txt`, `<template>.txt` and, when present, `<template>.html`; queue it."""
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    html: str
    try:
        html = render_to_string(f"{template}.html", context)
    except Exception:  # templates without an HTML part
        html = ""
    transaction.on_commit(
        lambda: deliver_email.enqueue(to=to, subject=subject, text=text, html=html, headers=headers or {})
    )
