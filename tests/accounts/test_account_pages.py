"""Account pages through the test client: invitations, email changes, passwords, profiles, tokens, inviting and
deactivating members. Each page checks who is asking, shows what happened, and bad input gets a clear error."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from leveller.accounts.actions import members as member_actions
from leveller.accounts.models import ApiToken, Member
from tests.support.personas import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-new-passphrase"


def _secret_after(mark: str) -> str:
    body = mail.outbox[-1].body
    return body.split(mark)[1].split("/")[0]


def _invite(staff, run_on_commit, email="new@example.org"):
    with run_on_commit():
        invited = member_actions.invite_member(actor=staff, email=email, display_name="New Person")
    return invited, _secret_after("/invitation/")


def test_an_invited_person_sets_a_password_and_is_logged_in(client, staff, run_on_commit):
    invited, secret = _invite(staff, run_on_commit)
    page = client.get(f"/invitation/{secret}/")
    assert page.status_code == 200 and "Set password and enter" in page.content.decode()
    assert page.context["member"].pk == invited.pk
    response = client.post(
        f"/invitation/{secret}/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "Your password is set" in response.content.decode()
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    assert response.context["user"].pk == invited.pk


def test_an_invitation_with_mismatched_passwords_is_shown_again_with_the_error(client, staff, run_on_commit):
    invited, secret = _invite(staff, run_on_commit)
    response = client.post(f"/invitation/{secret}/", {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert response.status_code == 200
    assert response.context["form"].errors
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_an_invitation_used_in_another_tab_meanwhile_reports_it_on_the_form(client, staff, run_on_commit):
    _invited, secret = _invite(staff, run_on_commit)

    with mock.patch.object(
        member_actions,
        "accept_invitation",
        side_effect=ValidationError("This invitation link has expired or was already used."),
    ):
        response = client.post(f"/invitation/{secret}/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert "already used" in response.content.decode()


def test_an_unknown_invitation_link_is_gone(client, db):
    response = client.get("/invitation/not-a-real-secret/")
    assert response.status_code == 410


def test_a_confirmed_email_change_sends_a_logged_in_member_to_settings(client, member, run_on_commit):
    with run_on_commit():
        member_actions.request_email_change(actor=member, new_email="moved@example.org")
    secret = next(m for m in mail.outbox if m.to == ["moved@example.org"]).body
    secret = secret.split("/settings/email/confirm/")[1].split("/")[0]
    client.force_login(member)
    response = client.get(f"/settings/email/confirm/{secret}/")
    assert response.status_code == 302 and response["Location"] == "/settings/"
    member.refresh_from_db()
    assert member.email == "moved@example.org"


def test_a_confirmed_email_change_sends_a_visitor_to_the_login(client, member, run_on_commit):
    with run_on_commit():
        member_actions.request_email_change(actor=member, new_email="moved@example.org")
    secret = next(m for m in mail.outbox if m.to == ["moved@example.org"]).body
    secret = secret.split("/settings/email/confirm/")[1].split("/")[0]
    response = client.get(f"/settings/email/confirm/{secret}/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_a_stale_email_confirmation_link_says_it_is_not_valid(client, member):
    response = client.get("/settings/email/confirm/nope/")
    assert response.status_code == 410
    assert "expired or was already used" in response.content.decode()


def test_a_member_asks_to_change_their_email_and_is_told_to_check_it(client, member, run_on_commit):
    client.force_login(member)
    with run_on_commit():
        response = client.post("/settings/email/", {"new_email": "fresh@example.org"}, follow=True)
    assert response.status_code == 200
    assert "Check your new address" in response.content.decode()
    assert any(m.to == ["fresh@example.org"] for m in mail.outbox)


def test_an_email_already_in_use_is_refused_without_saying_whose(client, member, outsider):
    client.force_login(member)
    response = client.post("/settings/email/", {"new_email": outsider.email})
    assert response.status_code == 400
    assert "cannot be used" in response.content.decode()
    member.refresh_from_db()
    assert member.email == "member@example.org"


def test_a_malformed_new_email_is_refused(client, member):
    client.force_login(member)
    response = client.post("/settings/email/", {"new_email": "not an address"})
    assert response.status_code == 400
    assert response.context["email_form"].errors["new_email"]


def test_a_password_reset_link_sets_the_password_and_revokes_tokens(client, member):
    member_actions.create_api_token(actor=member, member=member, name="phone")
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    token = default_token_generator.make_token(member)
    page = client.get(f"/password-reset/{uid}/{token}/", follow=True)
    assert page.status_code == 200
    response = client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(member=member, revoked_at__isnull=True).exists()


def test_changing_a_password_says_how_many_tokens_stopped_working(client, member):
    member_actions.create_api_token(actor=member, member=member, name="phone")
    client.force_login(member)
    response = client.post(
        "/settings/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 API token(s) stopped working" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_a_visitor_asking_for_a_profile_is_sent_to_log_in(client, member):
    response = client.get(f"/members/{member.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/login/?next=/members/{member.pk}/"


def test_staff_see_a_members_contact_details_and_two_factor_state_and_it_is_audited(client, staff, member):
    from leveller.core.models import AuditEntry

    client.force_login(staff)
    response = client.get(f"/members/{member.pk}/")
    assert response.status_code == 200
    assert response.context["can_see_contact"] is True
    assert response.context["two_factor_on"] is False
    assert AuditEntry.objects.filter(action="member.viewed", target_id=str(member.pk)).exists()


def test_a_member_sees_their_own_contact_details(client, member):
    client.force_login(member)
    response = client.get(f"/members/{member.pk}/")
    assert response.status_code == 200 and response.context["can_see_contact"] is True


def test_a_member_saves_their_profile(client, member):
    client.force_login(member)
    response = client.post(
        "/settings/",
        {"profile-display_name": "Mo Renamed", "profile-country": "GB", "profile-time_zone": "Europe/London"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Your profile is saved" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Mo Renamed"


def test_a_member_removes_their_picture(client, member):
    client.force_login(member)
    response = client.post("/settings/picture/remove/", follow=True)
    assert response.status_code == 200
    assert "others see your initials" in response.content.decode()


def test_a_token_without_a_name_is_refused_and_none_is_made(client, member):
    client.force_login(member)
    response = client.post("/settings/tokens/", {"name": ""})
    assert response.status_code == 400
    assert response.context["token_form"].errors["name"]
    assert not ApiToken.objects.filter(member=member).exists()


def test_staff_invite_a_member_from_the_members_page(client, staff, run_on_commit):
    client.force_login(staff)
    with run_on_commit():
        response = client.post(
            "/manage/members/",
            {"email": "Invitee@Example.org", "display_name": "Ivy Invitee", "roles": ["member"], "status": "member"},
            follow=True,
        )
    assert response.status_code == 200
    assert "Invitation sent to invitee@example.org" in response.content.decode()
    assert Member.objects.filter(email="invitee@example.org").exists()
    assert mail.outbox[-1].to == ["invitee@example.org"]


def test_inviting_someone_who_already_has_an_account_is_refused_with_a_reason(client, staff, member):
    client.force_login(staff)
    response = client.post(
        "/manage/members/", {"email": member.email, "display_name": "Again", "roles": ["member"], "status": "member"}
    )
    assert response.status_code == 400
    assert "already has an account" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Mo Member"


def test_staff_cannot_invite_an_admin(client, staff):
    client.force_login(staff)
    response = client.post(
        "/manage/members/",
        {"email": "boss@example.org", "display_name": "Boss", "roles": ["admin"], "status": "member"},
    )
    assert response.status_code == 400
    assert not Member.objects.filter(email="boss@example.org").exists()


def test_a_member_cannot_open_the_members_page(client, member):
    client.force_login(member)
    assert client.get("/manage/members/").status_code == 403


def test_staff_deactivate_a_member_who_can_no_longer_log_in(client, staff, member):
    client.force_login(staff)
    response = client.post(f"/manage/members/{member.pk}/deactivate/", {"reason": "left"}, follow=True)
    assert response.status_code == 200
    assert "can no longer log in" in response.content.decode()
    member.refresh_from_db()
    assert member.is_active is False


def test_staff_cannot_deactivate_themselves_and_are_told_why(client, staff):
    client.force_login(staff)
    response = client.post(f"/manage/members/{staff.pk}/deactivate/", follow=True)
    assert "You cannot deactivate yourself" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active is True
