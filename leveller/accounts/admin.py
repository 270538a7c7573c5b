from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from leveller.accounts.models import ApiToken, Invitation, Member, MemberRole


class RoleInline(admin.TabularInline):
    """Roles are granted by admins only (accounts.actions.members.require_may_grant): staff see them, read-only."""

    model = MemberRole
    extra = 0

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Member)
class MemberAdmin(UserAdmin):
    ordering = ["display_name"]
    list_display = ["display_name", "email", "status", "is_active", "joined_on"]
    list_filter = ["status", "is_active", "country"]
    search_fields = ["display_name", "email", "membership_number"]
    inlines = [RoleInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "pronouns", "bio", "phone", "postcode", "country", "time_zone"]}),
        ("Membership", {"fields": ["membership_number", "status", "joined_on"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # An email changes only when its owner confirms the new address (accounts.actions.members.request_email_change);
        # who is staff or superuser follows from roles, which only admins grant.
        readonly = ["is_staff", "is_superuser"] if not request.user.is_superuser else []
        return [*readonly, "email"] if obj is not None else readonly

    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["member", "created_at", "expires_at", "used_at"]
    readonly_fields = ["token_hash"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["member", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["token_hash", "hint"]


def _login_through_leveller(request, extra_context=None):
    """The Django admin's own login form would skip the second factor: send it to Leveller's login, which asks
    for the code when the member has two-factor sign-in on, then comes back."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import redirect
    from django.utils.http import url_has_allowed_host_and_scheme

    next_url = request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or "admin:index") if request.user.is_staff else redirect("core:home")
    return redirect_to_login(next_url or "/django-admin/")


admin.site.login = _login_through_leveller
