"""Members' "Your data" pages: consent, copies, erasure, who has viewed their record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leveller.accounts.tokens import member_for_token
from leveller.core.page_errors import reported
from leveller.privacy import consent, exporting, policy
from leveller.privacy.actions import consent as consent_actions
from leveller.privacy.actions import erasure as erasure_actions
from leveller.privacy.actions import exports as export_actions
from leveller.privacy.models import ErasureRequest, ErasureStatus, ExportRequest
from leveller.privacy.purposes import PURPOSES

VIEW_ACTIONS = ("phonebank.contact_viewed", "member.viewed", "privacy.export_requested", "privacy.export_downloaded")


def viewers_of(member):
    """Who has looked at this member's record: profile views by staff, phonebank views of a contact with their
    number, and copies staff made of their data."""
    from leveller.core.data_rights import about_member

    return (
        about_member(member)
        .filter(action__in=VIEW_ACTIONS)
        .exclude(actor=member)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def _context(request, **extra):
    member = request.user
    return {
        "consents": consent.current(member),
        "exports": ExportRequest.objects.filter(member=member)[:5],
        "erasure": ErasureRequest.objects.filter(member_ref=member.pk).first(),
        "viewer_count": viewers_of(member).count(),
        "consent_history": consent.history(member=member)[:50],
        "messages_policy": policy.current().messages_on_erasure,
        **extra,
    }


@login_required
@require_GET
def your_data(request):
    return render(request, "privacy/your_data.html", _context(request))


@login_required
@require_POST
def save_consents(request):
    choices = {purpose: request.POST.get(purpose) == "on" for purpose in PURPOSES}
    changed = consent_actions.set_member_choices(
        actor=request.user, member=request.user, choices=choices, source="settings: your data"
    )
    messages.success(request, "Your choices are saved." if changed else "Nothing changed.")
    return redirect("privacy:your_data")


@login_required
@require_POST
def ask_for_copy(request):
    export = export_actions.request_export(actor=request.user, member=request.user, channel="settings")
    messages.success(request, "We are preparing your copy. We will email you a link when it is ready.")
    return redirect("privacy:export_status", export_id=export.pk)


@login_required
@require_GET
def export_status(request, export_id: int):
    export = get_object_or_404(ExportRequest, pk=export_id, member=request.user)
    template = "privacy/_export_row.html" if request.htmx else "privacy/export_status.html"
    return render(request, template, {"export": export, "file_ok": exporting.usable_file(export) is not None})


def download(request, export_id: int, token: str):
    """The zip, for the member it is about (or staff), presenting the link's secret as well."""
    user = request.user
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = member_for_token(header[7:].strip())
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return redirect(f"/login/?next={request.path}")
    export = get_object_or_404(ExportRequest, pk=export_id, token=token)
    if export.member_id != user.pk and not user.is_staff_member:
        raise Http404
    path = exporting.usable_file(export)
    if path is None:
        return render(request, "privacy/export_gone.html", {"export": export}, status=410)
    export_actions.mark_downloaded(actor=user, export=export)
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"my-data-{export.created_at:%Y-%m-%d}.zip")


@login_required
@require_POST
def ask_for_erasure(request):
    if request.POST.get("confirm") != "on":
        messages.error(request, "Tick the box to confirm you understand erasure cannot be undone.")
        return redirect("privacy:your_data")
    with reported(request, denied=True) as outcome:
        erasure_actions.request_erasure(
            actor=request.user,
            reason=request.POST.get("reason", ""),
            delete_content=request.POST.get("delete_content") == "on",
        )
    if outcome.ok:
        messages.success(request, "Your request is recorded. Staff will review it; you can withdraw it until then.")
    return redirect("privacy:your_data")


@login_required
@require_POST
def cancel_erasure(request, request_id: int):
    made = get_object_or_404(ErasureRequest, pk=request_id, member_ref=request.user.pk, status=ErasureStatus.REQUESTED)
    erasure_actions.cancel_erasure(actor=request.user, request=made)
    messages.success(request, "Your erasure request is withdrawn.")
    return redirect("privacy:your_data")


@require_http_methods(["GET", "POST"])
def rejoin(request, token: str):
    from leveller.newsletter.actions.subscriptions import SIGNUP_WORDING
    from leveller.privacy import rejoin as rejoining

    data = rejoining.read(token)
    if data is None:
        context = {"error": "This link has expired or is not valid. Sign up again to get a new one."}
        return render(request, "privacy/rejoin.html", context, status=410)
    if request.method == "POST":
        subscriber = rejoining.accept(token=token)
        return render(request, "privacy/rejoin.html", {"done": True, "subscriber": subscriber})
    return render(request, "privacy/rejoin.html", {"email": data["e"], "wording": SIGNUP_WORDING})


@login_required
@require_GET
def who_viewed(request):
    from django.core.paginator import Paginator

    page = Paginator(viewers_of(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "privacy/who_viewed.html", {"page": page})
