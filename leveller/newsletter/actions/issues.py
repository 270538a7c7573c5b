"""Every change to the newsletter's issues: compose, schedule, publish, resume. Views, the API, tasks and
commands call these.

Subscribers' actions are in subscriptions.py, member voices (the question of the month) in voices.py; the send
engine's own per-message ledger is in sending.py.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from leveller.core import audit
from leveller.newsletter import content, emails
from leveller.newsletter.access import require_editor
from leveller.newsletter.models import (
    Answer,
    AnswerStatus,
    Delivery,
    DeliveryState,
    Issue,
    IssueStatus,
    Question,
    Section,
    SectionKind,
    SendStatus,
    Subscriber,
    SubscriberStatus,
)
from leveller.realtime.publish import publish

MAX_SECTIONS = 40


# --- issues ------------------------------------------------------------------------------------------------
def _unique_slug(title: str, *, exclude: int | None = None) -> str:
    base = slugify(title)[:60].strip("-") or "issue"
    slug, n = base, 2
    while Issue.objects.filter(slug=slug).exclude(pk=exclude).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError("Give the issue a title.")
    if len(title) > 200:
        raise ValidationError("The title is too long: keep it under 200 characters.")
    return title


def _touch(issue: Issue) -> None:
    issue.updated_at = timezone.now()
    issue.save(update_fields=["updated_at"])


@transaction.atomic
def create_issue(*, actor, title: str, summary: str = "", sections: list[dict] | None = None) -> Issue:
    require_editor(actor)
    title = _clean_title(title)
    if len(sections or []) > MAX_SECTIONS:
        raise ValidationError(f"An issue can have at most {MAX_SECTIONS} sections.")
    issue = Issue.objects.create(
        title=title, slug=_unique_slug(title), summary=(summary or "").strip()[:300], created_by=actor
    )
    for section in sections or []:
        add_section(
            actor=actor,
            issue=issue,
            kind=section.get("kind") or SectionKind.TEXT,
            heading=section.get("heading") or "",
            body=section.get("body") or "",
        )
    audit.record(actor=actor, action="newsletter.issue_created", target=issue, summary=title)
    return issue


@transaction.atomic
def update_issue(*, actor, issue: Issue, title: str, summary: str = "") -> Issue:
    require_editor(actor)
    issue.title = _clean_title(title)
    issue.summary = (summary or "").strip()[:300]
    if not issue.is_published:  # a published issue keeps its address
        issue.slug = _unique_slug(issue.title, exclude=issue.pk)
    issue.updated_at = timezone.now()
    issue.save(update_fields=["title", "summary", "slug", "updated_at"])
    return issue


def _default_question() -> Question | None:
    """The question whose chosen answers have not been printed yet, else the latest question."""
    waiting = (
        Answer.objects.filter(status=AnswerStatus.CHOSEN, printed_in__isnull=True)
        .order_by("-question__created_at")
        .values_list("question_id", flat=True)
        .first()
    )
    if waiting:
        return Question.objects.get(pk=waiting)
    return Question.objects.exclude(status="draft").first()


@transaction.atomic
def add_section(
    *, actor, issue: Issue, kind: str = SectionKind.TEXT, heading: str = "", body: str = "", group_id: int | None = None
) -> Section:
    require_editor(actor)
    if kind not in SectionKind.values:
        raise ValidationError(f"Unknown kind of section {kind!r}.")
    if issue.sections.count() >= MAX_SECTIONS:
        raise ValidationError(f"An issue can have at most {MAX_SECTIONS} sections.")
    position = (issue.sections.aggregate(top=Max("position"))["top"] or 0) + 1
    section = Section(issue=issue, position=position, kind=kind)
    if kind == SectionKind.ANSWERS:
        section.question = _default_question()
        heading = heading or (f"Members answer: {section.question.text}" if section.question else "Members answer")
    _fill_section(section, heading=heading, body=body, group_id=group_id)
    section.save()
    _touch(issue)
    return section


def _fill_section(section: Section, *, heading: str, body: str, group_id: int | None) -> None:
    heading, body = (heading or "").strip(), body or ""
    if len(heading) > 200:
        raise ValidationError("A section heading must be under 200 characters.")
    if len(body) > 50_000:
        raise ValidationError("This section is too long (over 50,000 characters): split it into two.")
    section.heading, section.body = heading, body
    if section.kind == SectionKind.SPOTLIGHT and group_id is not None:
        names = dict(content.spotlight_choices())
        if group_id and group_id not in names:
            raise ValidationError("Choose a group from the list.")
        section.group_id_ref = group_id or None
        section.group_name = names.get(group_id, "")


@transaction.atomic
def update_section(
    *,
    actor,
    section: Section,
    heading: str,
    body: str,
    group_id: int | None = None,
    question: Question | None = None,
) -> Section:
    require_editor(actor)
    _fill_section(section, heading=heading, body=body, group_id=group_id)
    if section.kind == SectionKind.ANSWERS and question is not None:
        section.question = question
    section.save()
    _touch(section.issue)
    return section


@transaction.atomic
def move_section(*, actor, section: Section, direction: str) -> None:
    require_editor(actor)
    ordered = list(section.issue.sections.order_by("position", "id"))
    index = next(i for i, s in enumerate(ordered) if s.pk == section.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in {"up", "down"}:
        raise ValidationError("Move a section up or down.")
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    _touch(section.issue)


@transaction.atomic
def remove_section(*, actor, section: Section) -> None:
    require_editor(actor)
    issue = section.issue
    section.delete()
    _touch(issue)


@transaction.atomic
def add_image(*, actor, issue: Issue, upload, alt: str):
    from leveller.newsletter.images import store_image

    require_editor(actor)
    return store_image(actor=actor, issue=issue, upload=upload, alt=alt)


# --- publishing --------------------------------------------------------------------------------------------
@transaction.atomic
def schedule_issue(*, actor, issue: Issue, publish_at: dt.datetime) -> Issue:
    from leveller.newsletter.tasks import enqueue_at, publish_scheduled

    require_editor(actor)
    if issue.is_published:
        raise ValidationError("This issue is already published.")
    if publish_at <= timezone.now():
        raise ValidationError("Choose a time in the future, or publish now.")
    if not issue.sections.exists():
        raise ValidationError("Add at least one section before scheduling.")
    issue.status, issue.publish_at = IssueStatus.SCHEDULED, publish_at
    issue.save(update_fields=["status", "publish_at"])
    audit.record(actor=actor, action="newsletter.issue_scheduled", target=issue, data={"at": publish_at.isoformat()})
    transaction.on_commit(lambda: enqueue_at(publish_scheduled, publish_at, issue_id=issue.pk))
    return issue


@transaction.atomic
def unschedule_issue(*, actor, issue: Issue) -> Issue:
    require_editor(actor)
    if issue.status == IssueStatus.SCHEDULED:
        issue.status, issue.publish_at = IssueStatus.DRAFT, None
        issue.save(update_fields=["status", "publish_at"])
    return issue


@transaction.atomic
def publish_issue(*, actor, issue: Issue, email: bool = True) -> Issue:
    """Publish to the web archive and, unless `email=False`, email every subscriber (in the background)."""
    require_editor(actor)
    return _publish(actor=actor, issue=issue, email=email)


def _publish(*, actor, issue: Issue, email: bool) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.is_published:
        raise ValidationError("This issue is already published.")
    if not issue.sections.exists():
        raise ValidationError("Add at least one section before publishing.")
    now = timezone.now()
    issue.status, issue.published_at, issue.publish_at = IssueStatus.PUBLISHED, now, None
    issue.save(update_fields=["status", "published_at", "publish_at"])
    # The email is fixed now: editing the issue later changes the web copy only.
    issue.email_subject, issue.email_html, issue.email_text = emails.render_snapshot(issue)
    issue.save(update_fields=["email_subject", "email_html", "email_text"])
    Answer.objects.filter(
        question_id__in=issue.sections.filter(kind=SectionKind.ANSWERS).values("question_id"),
        status=AnswerStatus.CHOSEN,
        printed_in__isnull=True,
    ).update(printed_in=issue)
    recipients = 0
    if email:
        recipients = _queue_deliveries(issue)
    audit.record(
        actor=actor,
        action="newsletter.issue_published",
        target=issue,
        data={"emailed": email, "recipients": recipients},
    )
    publish(streams=[f"newsletter-{issue.pk}"], type="newsletter.progress", payload={"issue": issue.pk})
    return issue


def _queue_deliveries(issue: Issue) -> int:
    from leveller.newsletter.tasks import WATCH_SECONDS, enqueue_at, send_issue, watch_send

    ids = list(Subscriber.objects.receiving().values_list("pk", flat=True))
    now = timezone.now()
    for start in range(0, len(ids), 2000):
        Delivery.objects.bulk_create(
            [Delivery(issue=issue, subscriber_id=pk, next_attempt_at=now) for pk in ids[start : start + 2000]],
            ignore_conflicts=True,
        )
    issue.send_status, issue.send_started_at = SendStatus.SENDING, now
    issue.save(update_fields=["send_status", "send_started_at"])
    watch_at = now + dt.timedelta(seconds=WATCH_SECONDS)
    if _durable_queue():
        # The database queue: the sender and its watchdog are queued in this very transaction, so a kill at any
        # point leaves either nothing published or a published issue with both queued (never one without them).
        send_issue.enqueue(issue_id=issue.pk)
        enqueue_at(watch_send, watch_at, issue_id=issue.pk)
    else:
        transaction.on_commit(lambda: send_issue.enqueue(issue_id=issue.pk))
        transaction.on_commit(lambda: enqueue_at(watch_send, watch_at, issue_id=issue.pk))
    return len(ids)


def _durable_queue() -> bool:
    from django.conf import settings

    return settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db")


@transaction.atomic
def publish_if_due(*, issue_id: int) -> Issue | None:
    """The worker publishes a scheduled issue when its time has come, on behalf of the editor who made it."""
    issue = (
        Issue.objects.select_for_update()
        .filter(pk=issue_id, status=IssueStatus.SCHEDULED, publish_at__lte=timezone.now())
        .first()
    )
    if issue is None:
        return None  # unscheduled, moved to a later time, or already published
    return _publish(actor=issue.created_by, issue=issue, email=True)


@transaction.atomic
def resume_send(*, actor, issue: Issue) -> int:
    """Start (again) the sender for an issue with deliveries waiting: after a pause or a lost worker."""
    from leveller.newsletter.tasks import send_issue

    require_editor(actor)
    waiting = issue.deliveries.filter(state=DeliveryState.PENDING).update(next_attempt_at=timezone.now())
    Issue.objects.filter(pk=issue.pk).update(send_status=SendStatus.SENDING, send_error="")
    transaction.on_commit(lambda: send_issue.enqueue(issue_id=issue.pk))
    return waiting


@transaction.atomic
def resend_unknown(*, actor, issue: Issue) -> int:
    """The editor's explicit choice: resend to recipients whose message was interrupted (may duplicate)."""
    require_editor(actor)
    count = issue.deliveries.filter(state=DeliveryState.UNKNOWN, subscriber__status=SubscriberStatus.SUBSCRIBED).update(
        state=DeliveryState.PENDING, next_attempt_at=timezone.now(), last_error=""
    )
    audit.record(actor=actor, action="newsletter.resend_unknown", target=issue, data={"count": count})
    if count:
        resume_send(actor=actor, issue=issue)
    return count


def send_test(*, actor, issue: Issue) -> None:
    """Email the editor a preview of the issue as it would go out now."""
    from leveller.core.tasks import deliver_email

    require_editor(actor)
    subject, html, text = emails.render_snapshot(issue)
    fake = Issue(pk=issue.pk, email_subject=f"[Preview] {subject}", email_html=html, email_text=text)
    message = emails.Personaliser.for_issue(fake).message(subscriber_id=0, email=actor.email, name=actor.display_name)
    html_part = message.alternatives[0][0]
    headers = {k: v for k, v in message.extra_headers.items() if k != "Message-ID"}
    transaction.on_commit(
        lambda: deliver_email.enqueue(
            to=actor.email, subject=str(message.subject), text=str(message.body), html=str(html_part), headers=headers
        )
    )
