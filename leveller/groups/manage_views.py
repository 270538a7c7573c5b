"""Pages for group organisers (membership, messages, activity) and for staff (the approvals queue)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from leveller.accounts.models import Member
from leveller.core.access import require_staff
from leveller.core.page_errors import reported
from leveller.groups.access import managed_group
from leveller.groups.actions import groups as group_actions
from leveller.groups.activity import activity_for
from leveller.groups.forms import AddMemberForm, DecisionForm, EditForm, MessageForm
from leveller.groups.models import Group, GroupMessage, GroupStatus


def _memberships(group: Group):
    rows = group.memberships.filter(member__is_active=True).select_related("member")
    return rows.order_by("-role", "member__display_name")


def _manage_context(request, group: Group, **forms) -> dict:
    districts = " ".join(group.districts.values_list("outcode", flat=True))
    return {
        "group": group,
        "memberships": _memberships(group),
        "activity": activity_for(group),
        "recent_messages": GroupMessage.objects.filter(group=group).select_related("sender")[:5],
        "add_form": forms.get("add_form") or AddMemberForm(),
        "message_form": forms.get("message_form") or MessageForm(),
        "edit_form": forms.get("edit_form")
        or EditForm(
            initial={"description": group.description, "meeting_pattern": group.meeting_pattern, "districts": districts}
        ),
        "emails_per_day": group_actions.emails_per_day(),
    }


@login_required
def manage(request, slug: str):
    group = managed_group(request.user, slug=slug)
    return render(request, "groups/manage.html", _manage_context(request, group))


@login_required
def members_fragment(request, slug: str):
    group = managed_group(request.user, slug=slug)
    context = {"group": group, "memberships": _memberships(group)}
    return render(request, "groups/_members_table.html", context)


@login_required
@require_POST
def add_member(request, slug: str):
    group = managed_group(request.user, slug=slug)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        member = Member.objects.active().filter(email__iexact=form.cleaned_data["email"]).first()
        if member is None:
            form.add_error("email", "No active member has that email address.")
        else:
            with reported(request, form=form) as outcome:
                group_actions.add_group_member(
                    actor=request.user, group=group, member=member, role=form.cleaned_data["role"]
                )
            if outcome.ok:
                messages.success(request, f"{member.display_name} is now in {group.name}.")
                return redirect("groups:manage", slug=group.slug)
    return render(request, "groups/manage.html", _manage_context(request, group, add_form=form), status=400)


@login_required
@require_POST
def remove_member(request, slug: str, member_id: int):
    group = managed_group(request.user, slug=slug)
    member = get_object_or_404(Member, pk=member_id)
    with reported(request) as outcome:
        group_actions.remove_group_member(actor=request.user, group=group, member=member)
    if outcome.ok:
        messages.success(request, f"{member.display_name} was removed from {group.name}.")
    return redirect("groups:manage", slug=group.slug)


@login_required
@require_POST
def set_role(request, slug: str, member_id: int):
    group = managed_group(request.user, slug=slug)
    member = get_object_or_404(Member, pk=member_id)
    with reported(request) as outcome:
        group_actions.set_group_role(actor=request.user, group=group, member=member, role=request.POST.get("role", ""))
    if outcome.ok:
        messages.success(request, f"{member.display_name}'s role is saved.")
    return redirect("groups:manage", slug=group.slug)


@login_required
@require_POST
def send_message(request, slug: str):
    group = managed_group(request.user, slug=slug)
    form = MessageForm(request.POST)
    if form.is_valid():
        with reported(request, form=form) as outcome:
            sent = group_actions.message_group(actor=request.user, group=group, **form.cleaned_data)
        if outcome.ok:
            where = " and ".join(
                p for p, on in (("posted in the channel", sent.to_channel), ("emailed", sent.by_email)) if on
            )
            messages.success(request, f"Your message was {where}.")
            return redirect("groups:manage", slug=group.slug)
    return render(request, "groups/manage.html", _manage_context(request, group, message_form=form), status=400)


@login_required
@require_POST
def edit(request, slug: str):
    group = managed_group(request.user, slug=slug)
    form = EditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        districts = data["districts"] if request.user.is_staff_member else None
        with reported(request, form=form) as outcome:
            group_actions.update_group(
                actor=request.user,
                group=group,
                description=data["description"],
                meeting_pattern=data["meeting_pattern"],
                districts=districts,
            )
        if outcome.ok:
            messages.success(request, "The group's details are saved.")
            return redirect("groups:manage", slug=group.slug)
    return render(request, "groups/manage.html", _manage_context(request, group, edit_form=form), status=400)


@login_required
def approvals(request):
    require_staff(request.user)
    pending = (
        Group.objects.filter(status=GroupStatus.PROPOSED)
        .select_related("parent", "proposed_by")
        .prefetch_related("districts")
        .order_by("created_at")
    )
    decided = Group.objects.filter(status__in=[GroupStatus.APPROVED, GroupStatus.REJECTED], decided_at__isnull=False)
    return render(
        request,
        "groups/approvals.html",
        {
            "pending": pending,
            "decided": decided.select_related("decided_by").order_by("-decided_at")[:10],
            "form": DecisionForm(),
        },
    )


@login_required
@require_http_methods(["POST"])
def decide(request, slug: str):
    require_staff(request.user)
    group = get_object_or_404(Group, slug=slug)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    with reported(request, flash=False) as outcome:
        if request.POST.get("decision") == "approve":
            group_actions.approve_group(actor=request.user, group=group, note=note)
            messages.success(request, f"{group.name} is approved; its proposer is now its organiser.")
        else:
            group_actions.reject_group(actor=request.user, group=group, note=note)
            messages.success(request, f"{group.name} was rejected.")
    if not outcome.ok:
        messages.error(request, f"{group.name}: {outcome.text}")
    return redirect("groups:approvals")
