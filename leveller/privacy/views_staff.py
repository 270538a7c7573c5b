"""Staff pages: erasure requests, copies for requests by post, retention, the audit log, the party export."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leveller.accounts.models import Member
from leveller.core import audit, csvfile
from leveller.core.access import require_admin, require_staff
from leveller.core.models import AuditEntry
from leveller.core.page_errors import reported
from leveller.privacy import consent, retention
from leveller.privacy.actions import erasure as erasure_actions
from leveller.privacy.actions import exports as export_actions
from leveller.privacy.actions import retention as retention_actions
from leveller.privacy.models import ErasureRequest, ErasureStatus, ExportRequest, RetentionRun, Suppression
from leveller.privacy.purposes import Purpose


@login_required
@require_GET
def dashboard(request):
    require_staff(request.user)
    return render(
        request,
        "privacy/dashboard.html",
        {
            "open_requests": ErasureRequest.objects.filter(status=ErasureStatus.REQUESTED)
            .select_related("member")
            .order_by("due_at"),
            "done_requests": ErasureRequest.objects.exclude(status=ErasureStatus.REQUESTED).select_related(
                "decided_by"
            )[:20],
            "exports": ExportRequest.objects.select_related("member", "requested_by")[:20],
            "suppressed": Suppression.objects.count(),
            "last_run": RetentionRun.objects.filter(dry_run=False).first(),
        },
    )


@login_required
@require_POST
def decide(request, request_id: int):
    require_staff(request.user)
    made = get_object_or_404(ErasureRequest, pk=request_id)
    approve = request.POST.get("decision") == "approve"
    with reported(request, denied=True) as outcome:
        erasure_actions.decide_erasure(
            actor=request.user, request=made, approve=approve, note=request.POST.get("note", "")
        )
    if outcome.ok:
        messages.success(request, "Erased." if approve else "Refused; the member can see the reason.")
    return redirect("privacy:dashboard")


@login_required
@require_POST
def copy_for_member(request):
    """A subject-access request received by post or email: staff prepare the copy and send it on."""
    require_staff(request.user)
    member = Member.objects.filter(email__iexact=request.POST.get("email", "").strip()).first()
    if member is None:
        messages.error(request, "No member has that email address.")
        return redirect("privacy:dashboard")
    export_actions.request_export(actor=request.user, member=member, channel="post")
    messages.success(request, f"Preparing a copy of {member.display_name}'s data; it appears below when ready.")
    return redirect("privacy:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def retention_page(request):
    require_admin(request.user)
    if request.method == "POST":
        try:
            with reported(request):
                if "run" in request.POST:
                    run = retention_actions.run(actor=request.user, dry_run=False)
                    messages.success(request, f"Retention run: {run.total} removed.")
                else:
                    retention_actions.set_policy(
                        actor=request.user,
                        key=request.POST.get("key", ""),
                        days=int(request.POST.get("days") or 0),
                        enabled=request.POST.get("enabled") == "on",
                    )
                    messages.success(request, "Saved.")
        except ValueError:
            messages.error(request, "Days must be a number.")
        return redirect("privacy:retention")
    dry = retention_actions.run(actor=request.user, dry_run=True)
    return render(
        request,
        "privacy/retention.html",
        {"policies": retention.policies(), "dry": dry, "runs": RetentionRun.objects.filter(dry_run=False)[:30]},
    )


def _date(value: str):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def audit_log(request):
    require_admin(request.user)
    entries = AuditEntry.objects.select_related("actor")
    filters = {
        key: request.GET.get(key, "").strip()
        for key in ("actor", "action", "target_type", "target_id", "q", "since", "until")
    }
    if filters["actor"]:
        entries = entries.filter(actor__in=Member.objects.search(filters["actor"]))
    if filters["action"]:
        entries = entries.filter(action__startswith=filters["action"])
    if filters["target_type"]:
        entries = entries.filter(target_type=filters["target_type"])
    if filters["target_id"]:
        entries = entries.filter(target_id=filters["target_id"])
    if filters["q"]:
        entries = entries.filter(summary__icontains=filters["q"])
    since, until = _date(filters["since"]), _date(filters["until"])
    zone = timezone.get_current_timezone()
    if since:
        entries = entries.filter(created_at__gte=dt.datetime.combine(since, dt.time.min, zone))
    if until:
        entries = entries.filter(created_at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, zone))
    page = Paginator(entries.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    types = AuditEntry.objects.exclude(target_type="").values_list("target_type", flat=True).distinct()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/audit_log.html",
        {"page": page, "filters": filters, "types": sorted(set(types)), "query": query.urlencode()},
    )


@login_required
@require_POST
def party_export(request):
    """Members who agreed to their details being shared with the parent party: the export checks
    `party_sharing` for each one through the consent rule, and the export itself is audited."""
    require_admin(request.user)
    members = consent.permitted(Purpose.PARTY_SHARING, Member.objects.all()).order_by("id")
    audit.record(actor=request.user, action="privacy.party_export", summary=f"{members.count()} members")
    writer = csvfile.line_writer()

    def rows():
        yield writer.writerow(["membership_number", "name", "email", "phone", "postcode", "consent"])
        for member in members.iterator(chunk_size=1000):
            if consent.permits(Purpose.PARTY_SHARING, member=member):
                yield writer.writerow(
                    [
                        member.membership_number or "",
                        member.display_name,
                        member.email,
                        member.phone,
                        member.postcode,
                        "party_sharing",
                    ]
                )

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="shared-with-party.csv"'
    return response
