"""Every change to a member's two-factor sign-in: enrolling an authenticator app, recovery codes, turning it off,
staff resets, the policy of who must use it, and checking a code at sign-in (which uses up a recovery code).
Keyword-only and actor first where there is an actor; each change is audited (`member.2fa_*`). The reading,
the pending-login session and the enforcement middleware are in accounts/two_factor.py.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from leveller.accounts.models import ApiToken, Member, TwoFactorPolicy
from leveller.accounts.two_factor import (
    APP_DEVICE,
    CODES_DEVICE,
    PENDING_KEY,
    POLICY_CACHE_KEY,
    RECOVERY_CODES,
    REQUIRABLE_ROLES,
    app_device,
    attempts_rate,
    is_enrolled,
    normalise_code,
    pending_member,
)
from leveller.core import audit, limits
from leveller.realtime.publish import control

# --- Enrolment ----------------------------------------------------------------------------------------------


@transaction.atomic
def start_enrolment(*, actor: Member) -> TOTPDevice:
    """A fresh, unconfirmed authenticator device for `actor` (any earlier unconfirmed one is dropped)."""
    if is_enrolled(actor):
        raise ValidationError("Two-factor sign-in is already on. Turn it off first to set up a new app.")
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name=APP_DEVICE, confirmed=False)


def confirm_enrolment(*, actor: Member, code: str, request: HttpRequest | None = None) -> list[str]:
    """Check `code` against the unconfirmed device; on success confirm it, make the recovery codes and mark the
    session (if given) verified. Returns the recovery codes, which are shown once."""
    device = app_device(actor, confirmed=False)
    if device is None:
        raise ValidationError("Start again: set-up expired.")
    _check_rate(actor)
    if not device.verify_is_allowed()[0]:
        raise ValidationError("Too many wrong codes: wait a few seconds and try again.")
    if not device.verify_token(normalise_code(code)):
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
    codes: list[str] = []
    while len(codes) < RECOVERY_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


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


def _check_rate(member: Member) -> None:
    verdict = limits.hit(attempts_rate(), member.pk)
    if not verdict.allowed:
        if verdict.just_tripped:
            audit.record(actor=member, action="member.2fa_rate_limited", target=member)
        minutes = max(1, round(verdict.retry_after / 60))
        raise ValidationError(f"Too many codes tried. Wait {minutes} minute(s) and try again.")


def verify(*, member: Member, code: str) -> TOTPDevice | StaticDevice:
    """The device that accepts `code` (six digits: the app; otherwise a recovery code, used up), or raise.
    Counted against the per-member rate limit whether right or wrong."""
    _check_rate(member)
    token = normalise_code(code)
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


def finish_login(request: HttpRequest, *, code: str) -> str:
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
