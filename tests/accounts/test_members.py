import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from leveller.accounts.actions import members as member_actions
from leveller.accounts.models import Member
from leveller.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_member_logs_in_by_email_in_any_case(client, member):
    from tests.support.personas import PASSWORD

    response = client.post("/login/", {"username": "MEMBER@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_two_members_cannot_share_an_email_in_different_case(member):
    with pytest.raises(Exception):  # noqa: B017 - the database constraint
        Member.objects.create(email="Member@Example.org", display_name="Copy")


def test_a_phone_number_from_any_country_is_stored_in_e164(member, client):
    member_actions.update_profile(actor=member, member=member, phone="+61 412 345 678", country="AU")
    member.refresh_from_db()
    assert member.phone == "+61412345678"


def test_a_member_cannot_change_someone_elses_profile(member, outsider):
    with pytest.raises(PermissionDenied):
        member_actions.update_profile(actor=outsider, member=member, display_name="Hacked")


def test_a_member_cannot_change_their_own_membership_status(member):
    member_actions.update_profile(actor=member, member=member, status="lapsed", pronouns="they/them")
    member.refresh_from_db()
    assert member.status == "member"
    assert member.pronouns == "they/them"


def test_staff_invite_sends_a_single_use_link(staff, run_on_commit):
    with run_on_commit():
        invited = member_actions.invite_member(actor=staff, email="new@example.org", display_name="New Person")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitation/" in line)
    secret = link.rstrip("/").rsplit("/", 1)[-1]
    member_actions.accept_invitation(secret=secret, password="a-long-enough-passphrase")
    invited.refresh_from_db()
    assert invited.check_password("a-long-enough-passphrase")
    with pytest.raises(ValidationError):
        member_actions.accept_invitation(secret=secret, password="another-long-passphrase")


def test_an_ordinary_member_cannot_invite(member):
    with pytest.raises(PermissionDenied):
        member_actions.invite_member(actor=member, email="x@example.org", display_name="X")


def test_an_expired_invitation_cannot_be_used(staff, run_on_commit):
    from django.utils import timezone

    with run_on_commit():
        invited = member_actions.invite_member(actor=staff, email="late@example.org", display_name="Late")
    invited.invitations.update(expires_at=timezone.now())
    secret = mail.outbox[0].body.split("/invitation/")[1].split("/")[0]
    with pytest.raises(ValidationError, match="expired"):
        member_actions.accept_invitation(secret=secret, password="a-long-enough-passphrase")


def test_an_email_change_takes_effect_only_after_the_new_address_confirms(member, run_on_commit):
    with run_on_commit():
        member_actions.request_email_change(actor=member, new_email="moved@example.org")
    member.refresh_from_db()
    assert member.email == "member@example.org"
    confirm = next(m for m in mail.outbox if m.to == ["moved@example.org"])
    secret = confirm.body.split("/settings/email/confirm/")[1].split("/")[0]
    member_actions.confirm_email_change(secret=secret)
    member.refresh_from_db()
    assert member.email == "moved@example.org"


def test_deactivating_a_member_revokes_their_tokens_and_is_audited(staff, member):
    token, _ = member_actions.create_api_token(actor=member, member=member)
    member_actions.deactivate_member(actor=staff, member=member, reason="left")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.about(member).filter(action="member.deactivated").exists()


def test_the_profile_page_hides_contact_details_from_other_members(client, member, outsider):
    member_actions.update_profile(actor=member, member=member, phone="020 7946 0123")
    client.force_login(outsider)
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "Mo Member" in page
    assert "+442079460123" not in page
    assert "member@example.org" not in page


def test_settings_saves_a_profile_and_rejects_a_bad_phone_keeping_other_input(client, member):
    client.force_login(member)
    response = client.post(
        "/settings/",
        {
            "profile-display_name": "Mo M",
            "profile-pronouns": "she/her",
            "profile-bio": "Hi",
            "profile-phone": "12",
            "profile-postcode": "",
            "profile-country": "GB",
            "profile-time_zone": "Europe/London",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "is not a valid phone number" in page or "is not a phone number" in page
    assert 'value="Mo M"' in page
    member.refresh_from_db()
    assert member.display_name == "Mo Member"


def test_an_admin_can_use_the_django_admin_and_a_member_cannot(client, admin, member):
    client.force_login(admin)
    assert client.get("/django-admin/accounts/member/").status_code == 200
    client.force_login(member)
    assert client.get("/django-admin/accounts/member/").status_code == 302
