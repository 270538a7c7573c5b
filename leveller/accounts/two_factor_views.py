"""Two-factor sign-in pages: parse, authorise, call accounts/actions/two_factor.py, render."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from leveller.accounts import two_factor
from leveller.accounts.actions import two_factor as two_factor_actions
from leveller.accounts.forms import TwoFactorCodeForm, TwoFactorDisableForm, TwoFactorPolicyForm, TwoFactorResetForm
from leveller.accounts.models import Member
from leveller.core.access import require_admin, require_staff
from leveller.core.page_errors import reported


def _status_context(request, **extra):
    member = request.user
    return {
        "enrolled": two_factor.is_enrolled(member),
        "required": two_factor.is_required_for(member),
        "codes_left": two_factor.codes_left(member),
        "disable_form": extra.pop("disable_form", TwoFactorDisableForm()),
        **extra,
    }


@never_cache
@login_required
def status(request):
    return render(request, "accounts/two_factor/status.html", _status_context(request))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """POST starts a set-up (a new secret); GET shows the one in progress, so a reload keeps the same QR code."""
    if request.method == "POST":
        with reported(request) as outcome:
            device = two_factor_actions.start_enrolment(actor=request.user)
        if not outcome.ok:
            return redirect("accounts:two_factor")
    else:
        device = two_factor.app_device(request.user, confirmed=False)
        if device is None:
            return redirect("accounts:two_factor")
    return _setup_page(request, device, TwoFactorCodeForm())


def _setup_page(request, device, form, status=200):
    context = {"form": form, "qr": two_factor.qr_svg(device), "secret": two_factor.secret_text(device)}
    return render(request, "accounts/two_factor/setup.html", context, status=status)


@never_cache
@login_required
@require_POST
def confirm(request):
    form = TwoFactorCodeForm(request.POST)
    device = two_factor.app_device(request.user, confirmed=False)
    if device is None:
        messages.error(request, "That set-up has expired: start again.")
        return redirect("accounts:two_factor")
    if form.is_valid():
        with reported(request, form=form, field="code") as outcome:
            codes = two_factor_actions.confirm_enrolment(
                actor=request.user, code=form.cleaned_data["code"], request=request
            )
        if outcome.ok:
            return _codes_page(request, codes, first=True)
    return _setup_page(request, device, form, status=400)


def _codes_page(request, codes: list[str], *, first: bool):
    shown = [two_factor.display_code(code) for code in codes]
    text = (
        f"{settings.SITE_NAME} recovery codes for {request.user.email}\n"
        "Each code works once, when you cannot use your authenticator app.\n\n" + "\n".join(shown) + "\n"
    )
    context = {"codes": shown, "first": first, "download": "data:text/plain;charset=utf-8," + quote(text)}
    return render(request, "accounts/two_factor/codes.html", context)  # never_cache: no-store


@never_cache
@login_required
@require_POST
def regenerate(request):
    with reported(request) as outcome:
        codes = two_factor_actions.regenerate_codes(actor=request.user)
    if not outcome.ok:
        return redirect("accounts:two_factor")
    return _codes_page(request, codes, first=False)


@never_cache
@login_required
@require_POST
def disable(request):
    form = TwoFactorDisableForm(request.POST)
    if form.is_valid():
        with reported(request, form=form, field="password") as outcome:
            two_factor_actions.disable(actor=request.user, password=form.cleaned_data["password"])
        if outcome.ok:
            messages.success(request, "Two-factor sign-in is off, and your API tokens were revoked.")
            return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor/status.html", _status_context(request, disable_form=form), status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def code(request):
    """The second step of logging in (or of a signed-in member whose session was not verified yet)."""
    member = two_factor.pending_member(request)
    if member is None and not request.user.is_authenticated:
        messages.info(request, "Log in again: that sign-in took too long.")
        return redirect("accounts:login")
    member = member or request.user
    if not two_factor.is_enrolled(member):
        return redirect("accounts:two_factor" if request.user.is_authenticated else "accounts:login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form, field="code", denied=True) as outcome:
            next_url = two_factor_actions.finish_login(request, code=form.cleaned_data["code"])
        if outcome.denied:  # the wait between password and code ran out: start from the password again
            return redirect("accounts:login")
        if outcome.ok:
            left = two_factor.codes_left(request.user)
            if left <= 3:
                messages.warning(
                    request, f"You have {left} recovery code(s) left: make new ones in Settings → Two-factor sign-in."
                )
            return redirect(next_url)
    return render(request, "accounts/two_factor/code.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def reset(request, member_id: int):
    require_staff(request.user)
    member = get_object_or_404(Member, pk=member_id)
    form = TwoFactorResetForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    with reported(request, denied=True) as outcome:
        two_factor_actions.reset(actor=request.user, member=member, reason=reason)
    if outcome.ok:
        messages.success(request, f"Two-factor sign-in is reset for {member}.")
    return redirect("accounts:profile", member_id=member.pk)


@login_required
@require_http_methods(["GET", "POST"])
def policy(request):
    require_admin(request.user)
    form = TwoFactorPolicyForm(request.POST or None, initial={"roles": sorted(two_factor.required_roles())})
    if request.method == "POST" and form.is_valid():
        roles = two_factor_actions.set_policy(actor=request.user, roles=form.cleaned_data["roles"])
        messages.success(request, f"Two-factor sign-in is now required for: {', '.join(roles) or 'nobody'}.")
        return redirect("accounts:two_factor_policy")
    return render(
        request,
        "accounts/two_factor/policy.html",
        {"form": form, "enrolled": two_factor.is_enrolled(request.user)},
        status=400 if form.errors else 200,
    )
