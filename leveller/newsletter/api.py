"""Newsletter API at /api/v1/newsletter: public sign-up, and editors' issues (create, publish, progress)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from leveller.core import limits
from leveller.core.openapi import Detail
from leveller.newsletter import sending
from leveller.newsletter.access import issue_for_editor, require_editor
from leveller.newsletter.actions import issues as issue_actions
from leveller.newsletter.actions import subscriptions
from leveller.newsletter.models import Issue, SectionKind, Subscriber

PREFIX = "/newsletter"
router = Router()

ACCEPTED = {"detail": "Thanks. If that address is not already subscribed, we have emailed it a link to confirm."}


class SubscriptionIn(Schema):
    email: str
    name: str = ""
    postcode: str = ""


class SectionIn(Schema):
    heading: str = ""
    body: str = ""
    kind: str = SectionKind.TEXT


class IssueIn(Schema):
    title: str
    summary: str = ""
    sections: list[SectionIn] = []


def signup_allowed(request) -> bool:
    """At most NEWSLETTER_SIGNUPS_PER_HOUR sign-ups an hour from one address (shared with the web form)."""
    rate = limits.Rate("newsletter-signup", settings.NEWSLETTER_SIGNUPS_PER_HOUR, 3600)
    return limits.hit(rate, limits.client_ip(request)).allowed


@router.post("/subscriptions", auth=None, response={202: Detail, 400: Detail, 429: Detail})
def subscribe(request, data: SubscriptionIn):
    """Double opt-in sign-up. Always the same answer, so it cannot be used to learn who is subscribed."""
    if not signup_allowed(request):
        return Status(429, {"detail": "Too many sign-ups from your network. Try again in an hour."})
    from leveller.privacy import rejoin
    from leveller.privacy.suppression import Suppressed

    try:
        subscriptions.request_subscription(
            actor=None, email=data.email, name=data.name, postcode=data.postcode, source="api"
        )
    except Suppressed:  # refused; the same answer, and only the address's owner can come back (privacy/rejoin.py)
        rejoin.offer(email=data.email, name=data.name, postcode=data.postcode)
    return Status(202, ACCEPTED)


class IssueRowOut(Schema):
    id: int
    title: str
    status: str
    published_at: datetime | None


class SectionOut(Schema):
    id: int
    kind: str
    heading: str
    body: str


class IssueOut(Schema):
    id: int
    title: str
    slug: str
    status: str
    url: str | None
    published_at: datetime | None
    publish_at: datetime | None
    send_status: str
    send_error: str
    recipients: int
    sent: int
    failed: int
    bounced: int
    pending: int
    unsubscribed_after: int
    sections: list[SectionOut]


def issue_out(issue: Issue) -> dict:
    counts = sending.counts(issue.pk)
    return {
        "id": issue.pk,
        "title": issue.title,
        "slug": issue.slug,
        "status": issue.status,
        "url": settings.SITE_URL + issue.get_absolute_url() if issue.is_published else None,
        "published_at": issue.published_at,
        "publish_at": issue.publish_at,
        "send_status": issue.send_status,
        "send_error": issue.send_error,
        "recipients": counts["recipients"],
        "sent": counts["sent"],
        "failed": counts["failed"] + counts["bounced"] + counts["unknown"],
        "bounced": counts["bounced"],
        "pending": counts["pending"] + counts["sending"],
        "unsubscribed_after": Subscriber.objects.filter(unsubscribed_after=issue).count(),
        "sections": [
            {"id": s.pk, "kind": s.kind, "heading": s.heading, "body": s.body}
            for s in issue.sections.order_by("position", "id")
        ],
    }


@router.get("/issues", response=list[IssueRowOut])
def list_issues(request):
    require_editor(request.auth)
    return [
        {"id": i.pk, "title": i.title, "status": i.status, "published_at": i.published_at}
        for i in Issue.objects.all()[:200]
    ]


@router.post("/issues", response={201: IssueOut})
def create_issue(request, data: IssueIn):
    issue = issue_actions.create_issue(
        actor=request.auth,
        title=data.title,
        summary=data.summary,
        sections=[section.dict() for section in data.sections],
    )
    return Status(201, issue_out(issue))


@router.get("/issues/{issue_id}", response=IssueOut)
def get_issue(request, issue_id: int):
    return issue_out(issue_for_editor(request.auth, issue_id))


@router.post("/issues/{issue_id}/publish", response={202: IssueOut})
def publish_issue(request, issue_id: int):
    issue = issue_for_editor(request.auth, issue_id)
    issue = issue_actions.publish_issue(actor=request.auth, issue=issue)
    return Status(202, issue_out(get_object_or_404(Issue, pk=issue.pk)))
