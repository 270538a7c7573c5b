"""Two-factor sign-in: an authenticator app (TOTP) plus ten single-use recovery codes, on django-otp's devices.

This module reads (who must use it, who has it), keeps the login waiting between password and code
(`begin_login`, `pending_member`) and enforces the policy (`TwoFactorMiddleware`). Every change (enrolling,
codes, turning off, resets, the policy, checking a code) is in accounts/actions/two_factor.py, keyword-only and
actor first like the rest of the accounts actions, each audited (`member.2fa_*`); the pages
(two_factor_views.py) parse, call those and render.

- A member enrols by scanning a QR code (or typing the secret) and confirming with a code; that confirms the
  TOTP device, makes ten recovery codes (shown once) and marks the session verified.
- Once enrolled, the login asks for a code after the password (`begin_login` / `finish_login`): either the
  app's six digits or one recovery code, which is then used up. Attempts are rate limited per member
  (core/limits.py) on top of django-otp's own growing delay after each wrong code.
- Admins choose which roles must have it (`set_policy`). A member of such a role without it is sent to
  enrolment before anything else; one whose session was not verified with a code is sent to the code page
  (`TwoFactorMiddleware`).
- Staff can reset a member's two-factor sign-in (lost phone); only admins can reset an admin's. A reset or a
  disable removes the devices: sessions verified by them stop counting as verified, and API tokens are revoked.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from leveller.accounts.models import Member, Role, TwoFactorPolicy
from leveller.core import limits

RECOVERY_CODES = 10
APP_DEVICE = "Authenticator app"
CODES_DEVICE = "Recovery codes"
PENDING_KEY = "two_factor_pending"
POLICY_CACHE_KEY = "accounts:two-factor-policy"
# Roles an admin may require it for, most powerful first (guests see too little to be worth it).
REQUIRABLE_ROLES = [Role.ADMIN, Role.STAFF, Role.EDITOR, Role.ORGANISER, Role.MEMBER]


def attempts_rate() -> limits.Rate:
    return limits.Rate("two-factor", settings.TWO_FACTOR_ATTEMPTS_PER_10_MINUTES, 600)


# --- Reading ------------------------------------------------------------------------------------------------


def required_roles() -> frozenset[str]:
    """The roles that must use two-factor sign-in: read on every request of a signed-in member, so cached
    (cleared by `set_policy`), never a query once warm."""
    roles = cache.get(POLICY_CACHE_KEY)
    if roles is None:
        row = TwoFactorPolicy.objects.order_by("pk").first()
        roles = sorted(row.required_roles) if row else []
        cache.set(POLICY_CACHE_KEY, roles, timeout=3600)
    return frozenset(roles)


def is_required_for(member) -> bool:
    wanted = required_roles()
    if not wanted or not getattr(member, "is_authenticated", False):
        return False
    return bool(wanted & member.roles) or (Role.ADMIN in wanted and member.is_superuser)


def app_device(member, *, confirmed: bool | None = True) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=member, name=APP_DEVICE)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-pk").first()


def is_enrolled(member) -> bool:
    return TOTPDevice.objects.filter(user=member, confirmed=True).exists()


def codes_left(member) -> int:
    return StaticToken.objects.filter(device__user=member, device__confirmed=True).count()


def secret_text(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32, in groups of four."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (segno; no image request, so no CSP exception)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()[:32]


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


# --- Sign-in ------------------------------------------------------------------------------------------------


def begin_login(request, member: Member, *, next_url: str = "") -> None:
    """The password was right and the member has two-factor on: remember who, for a few minutes, without
    logging them in."""
    request.session[PENDING_KEY] = {
        "member": member.pk,
        "backend": getattr(member, "backend", "django.contrib.auth.backends.ModelBackend"),
        "next": next_url,
        "at": time.time(),
    }


def pending_member(request) -> Member | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > settings.TWO_FACTOR_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return Member.objects.active().filter(pk=pending.get("member")).first()


# --- Enforcement --------------------------------------------------------------------------------------------

# Paths a member who still owes a second factor may use: the two-factor pages, logging out, and what the page
# shell loads. Everything else sends them there first.
OPEN_PREFIXES = ("/settings/two-factor/", "/login/", "/logout/", "/static/", "/healthz", "/ping", "/sw.js")
OPEN_PATHS = {"/manifest.webmanifest", "/offline", "/favicon.ico"}


def session_owes_code(user, session) -> bool:
    """For the realtime socket, which has no OTP middleware: must this session's member still give a code?"""
    if not required_roles() or not getattr(user, "is_authenticated", False) or not is_required_for(user):
        return False
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is None or device.user_id != user.pk or not device.confirmed


def verified_session(request) -> bool:
    return bool(request.session.get(DEVICE_ID_SESSION_KEY)) and request.user.is_verified()


class TwoFactorMiddleware:
    """Sends a signed-in member whose role requires two-factor sign-in to enrolment (no device yet) or to the code
    page (a device, but this session was not verified with it), until they have done it. They can still log
    out. Costs nothing when no role requires it, and one cached read otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(OPEN_PREFIXES) or path in OPEN_PATHS:
            return self.get_response(request)  # the open paths first: /healthz must answer with the database away
        user = request.user
        if not user.is_authenticated or not required_roles():  # visitors cost nothing, not even the policy
            return self.get_response(request)
        if not is_required_for(user) or verified_session(request):
            return self.get_response(request)
        target = reverse("accounts:two_factor_code" if is_enrolled(user) else "accounts:two_factor")
        if path.startswith("/api/"):
            return JsonResponse({"detail": "Your role requires two-factor sign-in: set it up first."}, status=403)
        if request.headers.get("HX-Request"):
            response = HttpResponseRedirect(target)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
