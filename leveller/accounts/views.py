"""Account pages: parse, authorise, call an action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from leveller.accounts import avatars, two_factor
from leveller.accounts.actions import avatar as avatar_actions
from leveller.accounts.actions import members as member_actions
from leveller.accounts.forms import (
    AvatarForm,
    EmailChangeForm,
    ImportForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    TokenForm,
)
from leveller.accounts.importing import import_members
from leveller.accounts.models import ApiToken, Member
from leveller.accounts.tokens import member_for_token
from leveller.core import audit
from leveller.core.access import require_staff
from leveller.core.page_errors import reported


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        member = form.get_user()
        if two_factor.is_enrolled(member):  # the password was right: now the code (accounts/two_factor.py)
            two_factor.begin_login(self.request, member, next_url=self.get_redirect_url())
            return redirect("accounts:two_factor_code")
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        member_actions.password_changed(actor=form.user, member=form.user, how="reset")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        revoked = member_actions.password_changed(actor=self.request.user, member=self.request.user, how="changed")
        if revoked:
            messages.info(self.request, f"Your password is changed; your {revoked} API token(s) stopped working.")
        return response


@require_http_methods(["GET", "POST"])
def accept_invitation(request, secret: str):
    invitation = member_actions.invitation_for(secret)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=410)
    form = SetPasswordForm(invitation.member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form, field="new_password1") as outcome:
            member = member_actions.accept_invitation(secret=secret, password=form.cleaned_data["new_password1"])
        if outcome.ok:
            login(request, member, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome! Your password is set and you are logged in.")
            return redirect("core:home")
    return render(request, "accounts/accept_invitation.html", {"form": form, "member": invitation.member})


def confirm_email(request, secret: str):
    with reported(request, flash=False) as outcome:
        member = member_actions.confirm_email_change(secret=secret)
    if not outcome.ok:
        return render(
            request, "accounts/message.html", {"title": "Link not valid", "text": outcome.messages[0]}, status=410
        )
    messages.success(request, f"Your email address is now {member.email}.")
    return redirect("accounts:settings" if request.user.is_authenticated else "accounts:login")


def profile(request, member_id: int):
    if not request.user.is_authenticated:
        return redirect(f"/login/?next=/members/{member_id}/")
    member = get_object_or_404(Member.objects.active(), pk=member_id)
    can_see_contact = request.user.is_staff_member or request.user.pk == member.pk
    if can_see_contact and request.user.pk != member.pk:
        audit.record(actor=request.user, action="member.viewed", target=member, summary="profile with contact details")
    context = {"profile": member, "can_see_contact": can_see_contact}
    if request.user.is_staff_member and request.user.pk != member.pk:
        context["two_factor_on"] = two_factor.is_enrolled(member)
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    member = request.user
    form = ProfileForm(request.POST or None, instance=Member.objects.get(pk=member.pk), prefix="profile")
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        with reported(request, form=form) as outcome:
            member_actions.update_profile(actor=member, member=member, **fields)
        if outcome.ok:
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:settings")
    return render(request, "accounts/settings.html", _settings_context(request, form))


def _settings_context(request, form, **extra):
    return {
        "form": form,
        "email_form": extra.pop("email_form", EmailChangeForm()),
        "token_form": extra.pop("token_form", TokenForm()),
        "avatar_form": extra.pop("avatar_form", AvatarForm()),
        "tokens": ApiToken.objects.filter(member=request.user, revoked_at__isnull=True),
        **extra,
    }


@login_required
@require_POST
def change_avatar(request):
    form = AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        with reported(request, form=form) as outcome:
            avatar_actions.set_avatar(actor=request.user, upload=form.cleaned_data["picture"])
        if outcome.ok:
            messages.success(request, "Your picture is saved.")
            return redirect("accounts:settings")
    profile_form = ProfileForm(instance=request.user, prefix="profile")
    return render(
        request, "accounts/settings.html", _settings_context(request, profile_form, avatar_form=form), status=400
    )


@login_required
@require_POST
def remove_avatar(request):
    avatar_actions.remove_avatar(actor=request.user)
    messages.success(request, "Your picture is removed: others see your initials.")
    return redirect("accounts:settings")


def _viewer(request):
    """A logged-in member, or the member of a Bearer token (API clients are given avatar URLs too)."""
    if request.user.is_authenticated:
        return request.user
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return member_for_token(secret.strip()) if scheme.lower() == "bearer" else None


@require_http_methods(["GET", "HEAD"])
def avatar(request, member_id: int, digest: str):
    """A member's picture, to members only (chat shows it; visitors see nothing). Its URL names its content, so
    it is cached for a year; an old URL (a page rendered before the member changed it) leads to the new one."""
    if _viewer(request) is None:
        return redirect_to_login(request.get_full_path())
    name = member_id < 2**63 and Member.objects.filter(pk=member_id).values_list("avatar", flat=True).first()
    current = avatars.parse(name or "")
    if current is None:
        raise Http404("No such picture.")
    if current[1] != digest:
        moved = HttpResponseRedirect(avatars.url_for(Member(pk=member_id, avatar=name)))
        moved["Cache-Control"] = "private, no-cache"
        return moved
    try:
        with default_storage.open(name, "rb") as handle:
            picture = handle.read()  # a few kilobytes (256×256 WebP): no streaming response needed
    except FileNotFoundError:
        raise Http404("No such picture.") from None
    response = HttpResponse(picture, content_type="image/webp")
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def change_email(request):
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        with reported(request, form=form, field="new_email") as outcome:
            member_actions.request_email_change(actor=request.user, new_email=form.cleaned_data["new_email"])
        if outcome.ok:
            messages.success(request, "Check your new address for a confirmation link.")
            return redirect("accounts:settings")
    profile_form = ProfileForm(instance=request.user, prefix="profile")
    return render(
        request, "accounts/settings.html", _settings_context(request, profile_form, email_form=form), status=400
    )


@login_required
@require_POST
def create_token(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        profile_form = ProfileForm(instance=request.user, prefix="profile")
        return render(
            request, "accounts/settings.html", _settings_context(request, profile_form, token_form=form), status=400
        )
    token, secret = member_actions.create_api_token(
        actor=request.user, member=request.user, name=form.cleaned_data["name"]
    )
    profile_form = ProfileForm(instance=request.user, prefix="profile")
    return render(
        request, "accounts/settings.html", _settings_context(request, profile_form, new_secret=secret, new_token=token)
    )


@login_required
@require_POST
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, member=request.user)
    member_actions.revoke_api_token(actor=request.user, token=token)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("accounts:settings")


@login_required
@require_http_methods(["GET", "POST"])
def members_admin(request):
    require_staff(request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with reported(request, form=form, denied=True, on_fields=False) as outcome:
            member = member_actions.invite_member(
                actor=request.user,
                email=data["email"],
                display_name=data["display_name"],
                roles=data["roles"] or None,
                country=data["country"] or "GB",
                postcode=data["postcode"],
                phone=data["phone"],
                status=data["status"],
            )
        if outcome.ok:
            messages.success(request, f"Invitation sent to {member.email}.")
            return redirect("accounts:members_admin")
    query = request.GET.get("q", "")
    members = Member.objects.search(query).prefetch_related("role_rows")
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/members_admin.html",
        {"form": form, "import_form": ImportForm(), "page": page, "query": query},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def import_csv(request):
    require_staff(request.user)
    form = ImportForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_members(actor=request.user, data=upload.read(), invite=form.cleaned_data["invite"])
        from leveller.privacy.actions import consent as consent_actions

        consent_actions.record_import(
            actor=request.user,
            kind="accounts.members",
            basis=form.cleaned_data["basis"] or "contract",
            source=form.cleaned_data["source"] or f"members CSV {upload.name}",
            wording="Consent given before import (see source)" if form.cleaned_data["basis"] == "consent" else "",
            rows=report.imported,
            refused_suppressed=sum(1 for _, text in report.errors if "suppression list" in text),
        )
    return render(
        request, "accounts/import_result.html", {"form": form, "report": report}, status=200 if report else 400
    )


@login_required
@require_POST
def deactivate(request, member_id: int):
    member = get_object_or_404(Member, pk=member_id)
    with reported(request) as outcome:
        member_actions.deactivate_member(actor=request.user, member=member, reason=request.POST.get("reason", ""))
    if outcome.ok:
        messages.success(request, f"{member} can no longer log in.")
    return redirect("accounts:members_admin")
