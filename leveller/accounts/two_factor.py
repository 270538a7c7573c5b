"""Two-factor sign-in: an authenticator app (TOTP) plus ten single-use recovery codes, on django-otp's devices.

Every change is here, keyword-only and actor first, like the rest of the accounts actions; the pages
(two_factor_views.py) parse, call these and render. Each change is audited (`member.2fa_*`).

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
from django.contrib.auth import login as auth_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from leveller.accounts.models import ApiToken, Member, Role, TwoFactorPolicy
from leveller.core import audit, limits
from leveller.realtime.publish import control

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


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()[:32]


# --- Enrolment ----------------------------------------------------------------------------------------------


@transaction.atomic
def start_enrolment(*, actor: Member) -> TOTPDevice:
    """A fresh, unconfirmed authenticator device for `actor` (any earlier unconfirmed one is dropped)."""
    if is_enrolled(actor):
        raise ValidationError("Two-factor sign-in is already on. Turn it off first to set up a new app.")
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name=APP_DEVICE, confirmed=False)


def confirm_enrolment(*, actor: Member, code: str, request=None) -> list[str]:
    """Check `code` against the unconfirmed device; on success confirm it, make the recovery codes and mark the
    session (if given) verified. Returns the recovery codes, which are shown once."""
    device = app_device(actor, confirmed=False)
    if device is None:
        raise ValidationError("Start again: set-up expired.")
    _check_rate(actor)
    if not device.verify_is_allowed()[0]:
        raise ValidationError("Too many wrong codes: wait a few seconds and try again.")
    if not device.verify_token(_normalise_code(code)):
        raise ValidationError("That code is not right. Check the time on your phone and try the newest code.")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_codes(actor)
        audit.record(actor=actor, action="member.2fa_enabled", target=actor, summary="authenticator app")
    if request is not None:
        otp_login(request, device)
    return codes


def _new_codes(member: Member) -> list[str]:
    StaticDevice.objects.filter(user=member).delete()
    device = StaticDevice.objects.create(user=member, name=CODES_DEVICE, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


@transaction.atomic
def regenerate_codes(*, actor: Member) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not is_enrolled(actor):
        raise ValidationError("Turn on two-factor sign-in first.")
    codes = _new_codes(actor)
    audit.record(actor=actor, action="member.2fa_codes_regenerated", target=actor)
    return codes


def disable(*, actor: Member, password: str) -> None:
    """The member turns it off themselves, confirming with their password."""
    if not actor.check_password(password or ""):
        raise ValidationError("That password is not right.")
    with transaction.atomic():
        revoked = _remove_devices(actor)
        audit.record(actor=actor, action="member.2fa_disabled", target=actor, data={"tokens_revoked": revoked})


def reset(*, actor: Member, member: Member, reason: str = "") -> None:
    """Staff turn off a member's two-factor sign-in (a lost phone and no codes); only admins may reset an admin's.
    The member's sessions stop counting as verified and their API tokens are revoked; if their role requires it
    they are asked to enrol again at their next request."""
    if not getattr(actor, "is_staff_member", False):
        raise PermissionDenied("Only staff can reset two-factor sign-in.")
    if member.is_admin and not actor.is_admin:
        raise PermissionDenied("Only admins can reset an admin's two-factor sign-in.")
    if member.pk == actor.pk:
        raise ValidationError("Turn off your own two-factor sign-in from your settings.")
    with transaction.atomic():
        revoked = _remove_devices(member)
        audit.record(
            actor=actor,
            action="member.2fa_reset",
            target=member,
            summary=reason[:300],
            data={"tokens_revoked": revoked},
        )


def _remove_devices(member: Member) -> int:
    TOTPDevice.objects.filter(user=member).delete()
    StaticDevice.objects.filter(user=member).delete()
    revoked = ApiToken.objects.filter(member=member, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        transaction.on_commit(lambda: control(member.pk, "leveller.close"))
    return revoked


@transaction.atomic
def set_policy(*, actor: Member, roles: list[str]) -> list[str]:
    if not getattr(actor, "is_admin", False):
        raise PermissionDenied("Only admins can choose who must use two-factor sign-in.")
    roles = sorted({str(role) for role in roles} & {str(role) for role in REQUIRABLE_ROLES})
    row = TwoFactorPolicy.objects.select_for_update().order_by("pk").first() or TwoFactorPolicy()
    before = sorted(row.required_roles or [])
    row.required_roles, row.updated_by, row.updated_at = roles, actor, timezone.now()
    row.save()
    audit.record(actor=actor, action="member.2fa_policy_changed", data={"before": before, "after": roles})
    transaction.on_commit(lambda: cache.delete(POLICY_CACHE_KEY))
    cache.delete(POLICY_CACHE_KEY)
    return roles


# --- Sign-in ------------------------------------------------------------------------------------------------


def _check_rate(member) -> None:
    verdict = limits.hit(attempts_rate(), member.pk)
    if not verdict.allowed:
        if verdict.just_tripped:
            audit.record(actor=member, action="member.2fa_rate_limited", target=member)
        minutes = max(1, round(verdict.retry_after / 60))
        raise ValidationError(f"Too many codes tried. Wait {minutes} minute(s) and try again.")


def verify(*, member: Member, code: str):
    """The device that accepts `code` (six digits: the app; otherwise a recovery code, used up), or raise.
    Counted against the per-member rate limit whether right or wrong."""
    _check_rate(member)
    token = _normalise_code(code)
    if token.isdigit() and len(token) == 6:
        devices = TOTPDevice.objects.filter(user=member, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=member, confirmed=True)
    for device in devices:
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            allowed, _why = device.verify_is_allowed()
            if not allowed:
                raise ValidationError("Too many wrong codes: wait a few seconds and try again.")
            if device.verify_token(token):
                if isinstance(device, StaticDevice):
                    audit.record(
                        actor=member,
                        action="member.2fa_recovery_code_used",
                        target=member,
                        data={"codes_left": device.token_set.count()},
                    )
                return device
    audit.record(actor=member, action="member.2fa_failed", target=member)
    raise ValidationError("That code is not right.")


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


def finish_login(request, *, code: str) -> str:
    """Check the code of the member waiting between password and code (or of a signed-in member whose session is
    not yet verified); log them in and mark the session verified. Returns where to go next."""
    pending = request.session.get(PENDING_KEY) or {}
    member = pending_member(request)
    signed_in = request.user if request.user.is_authenticated else None
    if member is None and signed_in is None:
        raise PermissionDenied("Log in again.")
    member = member or signed_in
    device = verify(member=member, code=code)
    if signed_in is None or signed_in.pk != member.pk:
        auth_login(request, member, backend=pending.get("backend") or "django.contrib.auth.backends.ModelBackend")
    request.session.pop(PENDING_KEY, None)
    otp_login(request, device)
    if isinstance(device, TOTPDevice):
        audit.record(actor=member, action="member.2fa_login", target=member)
    next_url = pending.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return next_url
    return reverse(settings.LOGIN_REDIRECT_URL)


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
