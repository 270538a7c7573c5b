"""Group pages anyone may see (directory, finder, group page) and members' own actions (join, leave, propose).

Anonymous visitors see approved groups without any member data.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from leveller.core.page_errors import reported
from leveller.groups import finder
from leveller.groups.access import membership_of, visible_group
from leveller.groups.actions import groups as group_actions
from leveller.groups.forms import FinderForm, ProposeForm
from leveller.groups.models import Group, GroupMembership, Kind, Role

DIRECTORY_SECTIONS = [
    (Kind.REGIONAL, "Regional groups"),
    (Kind.LOCAL, "Local groups"),
    (Kind.CAMPAIGN, "Campaign action groups"),
    (Kind.ONLINE, "Online groups"),
    (Kind.ABROAD, "Groups abroad"),
    (Kind.ALUMNI, "Alumni groups"),
]


def channel_url(group: Group) -> str | None:
    if not group.channel_id:
        return None
    for name in ("chat:channel", "chat:channel_detail"):
        try:
            return reverse(name, args=[group.channel_id])
        except NoReverseMatch:
            continue
    return None


def directory(request):
    query = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    groups = Group.objects.approved().select_related("parent").annotate(member_count=Count("memberships"))
    if query:
        groups = groups.filter(Q(name__icontains=query) | Q(campaign__icontains=query) | Q(town__icontains=query))
    if kind in Kind.values:
        groups = groups.filter(kind=kind)
    by_kind: dict[str, list[Group]] = {}
    for group in groups.order_by("name"):
        by_kind.setdefault(group.kind, []).append(group)
    sections = [(k, label, by_kind[k]) for k, label in DIRECTORY_SECTIONS if by_kind.get(k)]
    mine = []
    if request.user.is_authenticated:
        mine = list(Group.objects.filter(memberships__member=request.user).order_by("name"))
    return render(
        request,
        "groups/directory.html",
        {"sections": sections, "query": query, "kind": kind, "kinds": DIRECTORY_SECTIONS, "mine": mine},
    )


def find(request):
    """The public group finder: a plain GET form, so it works without JavaScript and can be bookmarked."""
    initial = request.GET.get("postcode", "")
    if "postcode" not in request.GET:
        initial = finder.default_query_for(request.user)
    form = FinderForm({"postcode": initial} if initial else None)
    result, error = None, None
    if initial:
        with reported(request, flash=False) as outcome:
            result = finder.find(initial)
        if not outcome.ok:
            error = outcome.text
            form.add_error("postcode", error)
    context = {"form": form, "result": result, "error": error, "query": initial}
    return render(request, "groups/find.html", context, status=400 if error else 200)


def detail(request, slug: str):
    group = visible_group(request.user, slug=slug)
    mine = membership_of(request.user, group)
    context = {
        "group": group,
        "membership": mine,
        "districts": list(group.districts.values_list("outcode", flat=True)),
        "children": list(group.children.approved().order_by("name")) if group.kind == Kind.REGIONAL else [],
        "member_count": group.memberships.filter(member__is_active=True).count(),
        "can_manage": group_actions.is_group_organiser(request.user, group),
        "channel_url": channel_url(group) if mine or getattr(request.user, "is_staff_member", False) else None,
    }
    if request.user.is_authenticated:
        context["organisers"] = [
            m.member
            for m in GroupMembership.objects.filter(group=group, role=Role.ORGANISER, member__is_active=True)
            .select_related("member")
            .order_by("member__display_name")
        ]
    return render(request, "groups/detail.html", context)


@login_required
@require_POST
def join(request, slug: str):
    group = visible_group(request.user, slug=slug)
    with reported(request, denied=True) as outcome:
        group_actions.join_group(actor=request.user, group=group)
    if outcome.ok:
        messages.success(request, f"You joined {group.name}. Welcome!")
    return redirect(group.get_absolute_url())


@login_required
@require_POST
def leave(request, slug: str):
    group = visible_group(request.user, slug=slug)
    with reported(request) as outcome:
        group_actions.leave_group(actor=request.user, group=group)
    if outcome.ok:
        messages.success(request, f"You left {group.name}.")
    return redirect(group.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def propose(request):
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with reported(request, form=form, denied=True) as outcome:
            group = group_actions.propose_group(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                districts=data["districts"],
                parent=data["parent"],
                campaign=data["campaign"],
                country=data["country"] or "GB",
                town=data["town"],
                description=data["description"],
                meeting_pattern=data["meeting_pattern"],
                note=data["note"],
            )
        if outcome.ok:
            messages.success(request, f"Thank you. Staff will review “{group.name}” and you will hear back.")
            return redirect(group.get_absolute_url())
    return render(request, "groups/propose.html", {"form": form})
