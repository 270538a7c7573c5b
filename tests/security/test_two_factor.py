"""Two-factor sign-in (issue #15): members enrol an authenticator app and get recovery codes, the login asks for a
code after the password, admins require it for roles that see people's details, staff reset it for members who
lost their phone. Codes are computed here as an authenticator app would (django-otp's TOTP)."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django_otp.oath import hotp

from leveller.accounts import two_factor
from leveller.accounts.actions import members as members_actions
from leveller.accounts.actions import two_factor as two_factor_actions
from leveller.accounts.models import ApiToken
from leveller.core.models import AuditEntry
from tests.support.personas import PASSWORD

pytestmark = pytest.mark.django_db


def fresh_code(member) -> str:
    """The code an app would show now, never one the device has already accepted."""
    device = two_factor.app_device(member, confirmed=None)
    now = int(time.time()) // device.step + device.drift
    return f"{hotp(device.bin_key, max(now, device.last_t + 1)):06d}"


def wrong_code(member) -> str:
    right = {fresh_code(member)}
    return next(code for code in ("000000", "111111", "222222") if code not in right)


def enrol(member) -> list[str]:
    two_factor_actions.start_enrolment(actor=member)
    return two_factor_actions.confirm_enrolment(actor=member, code=fresh_code(member))


def log_in_with_password(client, member, **extra):
    return client.post("/login/", {"username": member.email, "password": PASSWORD, **extra})


def actions_logged(member) -> list[str]:
    return list(AuditEntry.objects.filter(target_id=str(member.pk)).order_by("pk").values_list("action", flat=True))


def test_mo_enrols_by_scanning_a_qr_code_and_confirming_a_code_and_sees_ten_recovery_codes_once(client, member):
    client.force_login(member)
    page = client.post("/settings/two-factor/setup/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html, "the QR code is inline SVG"
    assert re.search(r'id="totp-secret">[A-Z2-7 ]{20,}<', html), "and the key is there as text too"
    assert client.get("/settings/two-factor/setup/").content.decode().count("totp-secret") == 1, "a reload keeps it"

    refused = client.post("/settings/two-factor/confirm/", {"code": wrong_code(member)})
    assert refused.status_code == 400 and not two_factor.is_enrolled(member)
    right_away = client.post("/settings/two-factor/confirm/", {"code": fresh_code(member)})
    assert "wait a few seconds" in right_away.content.decode(), "django-otp's delay after a wrong code"
    time.sleep(1.1)

    shown = client.post("/settings/two-factor/confirm/", {"code": fresh_code(member)})
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", shown.content.decode())
    assert len(set(codes)) == 10
    assert "no-store" in shown["Cache-Control"]
    assert 'download="recovery-codes.txt"' in shown.content.decode()
    assert two_factor.is_enrolled(member) and two_factor.codes_left(member) == 10
    assert "member.2fa_enabled" in actions_logged(member)
    assert "recovery-codes" not in client.get("/settings/two-factor/").content.decode(), "shown once only"


def test_once_enrolled_mo_logs_in_with_the_password_then_the_code(client, member, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    enrol(member)
    after_password = log_in_with_password(client, member, next="/chat/browse/")
    assert after_password.status_code == 302 and after_password["Location"] == "/login/code/"
    assert "_auth_user_id" not in client.session, "the password alone does not log in"
    assert client.get("/").status_code == 302

    assert client.post("/login/code/", {"code": wrong_code(member)}).status_code == 400
    assert "_auth_user_id" not in client.session

    done = client.post("/login/code/", {"code": fresh_code(member)})
    assert done.status_code == 302 and done["Location"] == "/chat/browse/"
    assert client.session["_auth_user_id"] == str(member.pk)
    assert client.get("/").status_code == 200
    assert {"member.2fa_failed", "member.2fa_login"} <= set(actions_logged(member))


def test_a_recovery_code_logs_mo_in_once_and_only_once(client, member, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    codes = enrol(member)
    log_in_with_password(client, member)
    done = client.post("/login/code/", {"code": two_factor.display_code(codes[0]).upper()})
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(member.pk)
    assert two_factor.codes_left(member) == 9
    assert "member.2fa_recovery_code_used" in actions_logged(member)

    other = Client()
    log_in_with_password(other, member)
    assert other.post("/login/code/", {"code": codes[0]}).status_code == 400, "a used code is gone"
    assert "_auth_user_id" not in other.session


def test_code_attempts_are_rate_limited_per_member_even_when_the_right_code_comes_after(client, member, settings):
    settings.TWO_FACTOR_ATTEMPTS_PER_10_MINUTES = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own delay after a wrong code is tested by the library
    enrol(member)
    log_in_with_password(client, member)
    for _ in range(3):
        assert client.post("/login/code/", {"code": wrong_code(member)}).status_code == 400
    limited = client.post("/login/code/", {"code": fresh_code(member)})
    assert limited.status_code == 400 and "Too many codes" in limited.content.decode()
    assert "_auth_user_id" not in client.session
    assert actions_logged(member).count("member.2fa_rate_limited") == 1


def test_the_step_between_password_and_code_expires(client, member, settings):
    enrol(member)
    log_in_with_password(client, member)
    settings.TWO_FACTOR_PENDING_SECONDS = 0
    time.sleep(0.01)
    assert client.post("/login/code/", {"code": fresh_code(member)})["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_a_next_address_on_another_site_is_not_followed_after_the_code(client, member):
    enrol(member)
    log_in_with_password(client, member, next="https://evil.example/")
    assert client.post("/login/code/", {"code": fresh_code(member)})["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones(client, member, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    old = enrol(member)
    client.force_login(member)
    page = client.post("/settings/two-factor/codes/")
    new = [code.replace("-", "") for code in re.findall(r"<code>([a-z2-7-]{9})</code>", page.content.decode())]
    assert len(new) == 10 and not set(new) & set(old)
    assert "member.2fa_codes_regenerated" in actions_logged(member)
    other = Client()
    log_in_with_password(other, member)
    assert other.post("/login/code/", {"code": old[0]}).status_code == 400
    assert other.post("/login/code/", {"code": new[0]}).status_code == 302


def test_mo_turns_it_off_only_with_the_password_and_the_api_tokens_stop_working(client, member):
    enrol(member)
    members_actions.create_api_token(actor=member, member=member, name="script")
    client.force_login(member)
    assert client.post("/settings/two-factor/disable/", {"password": "not-it"}).status_code == 400
    assert two_factor.is_enrolled(member)
    assert client.post("/settings/two-factor/disable/", {"password": PASSWORD}).status_code == 302
    assert not two_factor.is_enrolled(member) and two_factor.codes_left(member) == 0
    assert not ApiToken.objects.filter(member=member, revoked_at__isnull=True).exists()
    assert "member.2fa_disabled" in actions_logged(member)
    assert log_in_with_password(Client(), member)["Location"] == "/", "the password alone logs in again"


def test_stella_whose_role_requires_it_is_sent_to_enrolment_before_anything_else_but_can_log_out(
    client, admin, staff, organiser
):
    two_factor_actions.set_policy(actor=admin, roles=["admin", "staff"])
    client.force_login(staff)
    for path in ("/", "/manage/members/", "/chat/browse/", "/settings/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/settings/two-factor/"), path
    assert client.get("/", HTTP_HX_REQUEST="true")["HX-Redirect"] == "/settings/two-factor/"
    assert client.get("/api/v1/me").status_code == 403
    assert client.get("/settings/two-factor/").status_code == 200

    client.post("/settings/two-factor/setup/")
    client.post("/settings/two-factor/confirm/", {"code": fresh_code(staff)})
    assert client.get("/").status_code == 200, "enrolled, and this session verified by the code"

    olu = Client()
    olu.force_login(organiser)
    assert olu.get("/").status_code == 200, "organisers were not required"

    leaving = Client()
    leaving.force_login(admin)
    assert leaving.get("/").status_code == 302
    assert leaving.post("/logout/").status_code == 302
    assert "_auth_user_id" not in leaving.session


def test_an_enrolled_member_whose_session_skipped_the_code_is_asked_for_it(client, admin, staff):
    enrol(staff)
    two_factor_actions.set_policy(actor=admin, roles=["staff"])
    client.force_login(staff)  # as a session from before the policy, or an invitation's automatic login
    assert client.get("/manage/members/")["Location"] == "/login/code/"
    assert client.post("/login/code/", {"code": fresh_code(staff)})["Location"] == "/"
    assert client.get("/manage/members/").status_code == 200


def test_only_admins_choose_which_roles_must_use_it(client, admin, staff):
    client.force_login(staff)
    assert client.post("/manage/security/", {"roles": ["organiser"]}).status_code == 403
    assert two_factor.required_roles() == frozenset()
    client.force_login(admin)
    assert client.get("/manage/security/").status_code == 200
    assert client.post("/manage/security/", {"roles": ["organiser", "editor"]}).status_code == 302
    assert two_factor.required_roles() == {"organiser", "editor"}
    entry = AuditEntry.objects.get(action="member.2fa_policy_changed")
    assert entry.actor == admin and entry.data == {"before": [], "after": ["editor", "organiser"]}


def test_stella_resets_the_two_factor_of_a_member_who_lost_their_phone_and_it_is_audited(client, admin, staff, member):
    two_factor_actions.set_policy(actor=admin, roles=["member"])
    enrol(member)
    mo = Client()
    log_in_with_password(mo, member)
    mo.post("/login/code/", {"code": fresh_code(member)})
    assert mo.get("/").status_code == 200

    client.force_login(staff)
    two_factor_actions.set_policy(actor=admin, roles=[])  # Stella herself is not required here
    assert "Reset two-factor sign-in" in client.get(f"/members/{member.pk}/").content.decode()
    client.post(f"/manage/members/{member.pk}/two-factor/reset/", {"reason": "lost phone, ticket 42"})
    assert not two_factor.is_enrolled(member)
    entry = AuditEntry.objects.get(action="member.2fa_reset")
    assert (entry.actor, entry.target_id, entry.summary) == (staff, str(member.pk), "lost phone, ticket 42")

    two_factor_actions.set_policy(actor=admin, roles=["member"])
    assert mo.get("/")["Location"] == "/settings/two-factor/", "the session verified by the old app no longer counts"


def test_only_an_admin_can_reset_an_admins_two_factor(client, admin, staff):
    second = members_actions.add_or_update_member(
        actor=None, email="admin2@example.org", display_name="Abe Admin", roles=["admin"], password=PASSWORD
    )[0]
    enrol(second)
    client.force_login(staff)
    assert "Reset two-factor sign-in" not in client.get(f"/members/{second.pk}/").content.decode()
    client.post(f"/manage/members/{second.pk}/two-factor/reset/")
    assert two_factor.is_enrolled(second), "staff cannot reset an admin's"
    client.force_login(admin)
    client.post(f"/manage/members/{second.pk}/two-factor/reset/")
    assert not two_factor.is_enrolled(second)


def test_members_cannot_reset_anyones_two_factor(client, member, organiser):
    enrol(organiser)
    client.force_login(member)
    assert client.post(f"/manage/members/{organiser.pk}/two-factor/reset/").status_code == 403
    assert two_factor.is_enrolled(organiser)


def test_the_django_admin_login_goes_through_leveller_login_so_it_asks_for_the_code(client):
    response = client.get("/django-admin/login/?next=/django-admin/accounts/member/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/django-admin/accounts/member/")


def test_api_tokens_keep_working_without_a_code(api_client, admin, staff):
    """A token is its own credential, made from a verified session: scripts cannot type codes (docs/security.md)."""
    enrol(staff)
    two_factor_actions.set_policy(actor=admin, roles=["staff"])
    assert api_client(staff).get("/api/v1/me").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_session_that_owes_a_code_gets_no_realtime_socket_but_a_token_does(admin, staff):
    from tests.security.test_https_everywhere import socket_answer

    two_factor_actions.set_policy(actor=admin, roles=["staff"])
    stella = Client()
    stella.force_login(staff)
    cookie = [(b"cookie", f"sessionid={stella.cookies['sessionid'].value}".encode())]
    assert socket_answer(headers=cookie) == (False, 4403)
    _, secret = members_actions.create_api_token(actor=staff, member=staff, name="socket")
    assert socket_answer(query=f"token={secret}") == (True, None)
    stella.post("/settings/two-factor/setup/")
    stella.post("/settings/two-factor/confirm/", {"code": fresh_code(staff)})
    assert socket_answer(headers=cookie) == (True, None), "verified with a code"


def test_an_erased_members_app_key_and_recovery_codes_go_and_a_copy_says_only_whether_it_was_on(member):
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from leveller.accounts.data_rights import export_profile
    from leveller.privacy.actions import erasure as erasure_actions

    codes = enrol(member)
    (profile,) = export_profile(member)
    assert profile["two_factor"]["on"] is True and profile["two_factor"]["recovery_codes_left"] == 10
    assert not set(codes) & set(str(profile).split("'")), "the copy holds no recovery code"
    erasure_actions.erase_member(actor=None, member=member)
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticToken.objects.filter(device__user=member).exists()
