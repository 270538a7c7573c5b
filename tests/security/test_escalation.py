"""Finding 1: staff cannot make themselves (or anyone) admin, nor take over an admin's account."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from leveller.accounts.actions import members as member_actions
from leveller.accounts.importing import import_members
from leveller.accounts.models import Member, Role

pytestmark = pytest.mark.django_db


def test_a_staff_import_cannot_grant_admin_to_a_new_member(staff):
    report = import_members(actor=staff, data="email,name,roles\nmate@example.org,Mate,admin\n")
    assert report.created == 0
    assert "admin" in dict(report.errors)[2]
    assert not Member.objects.filter(email="mate@example.org").exists()


def test_a_staff_import_cannot_change_roles_of_an_existing_member_themselves_included(staff, member):
    report = import_members(
        actor=staff,
        data=f"email,name,roles\n{staff.email},Stella Staff,admin\n{member.email},Mo Member,staff\n",
    )
    assert report.errors == []
    for person in (staff, member):
        person = Member.objects.get(pk=person.pk)
        assert not person.is_admin
    assert Member.objects.get(pk=member.pk).roles == frozenset({Role.MEMBER})
    assert Member.objects.get(pk=staff.pk).roles == frozenset({Role.STAFF})


def test_an_admin_import_may_grant_admin_to_a_new_member(admin):
    report = import_members(actor=admin, data="email,name,roles\nboss@example.org,Boss,admin\n")
    assert report.created == 1
    assert Member.objects.get(email="boss@example.org").is_admin


def test_an_import_row_never_rewrites_an_existing_members_email(staff, admin):
    Member.objects.filter(pk=admin.pk).update(membership_number="A1")
    report = import_members(actor=staff, data="email,name,membership number\nattacker@example.org,Ada Admin,A1\n")
    assert report.imported == 0
    assert "email" in dict(report.errors)[2]
    assert Member.objects.get(pk=admin.pk).email == "admin@example.org"
    assert not Member.objects.filter(email="attacker@example.org").exists()


def test_inviting_an_existing_admins_email_as_a_member_does_not_demote_them(staff, admin, run_on_commit):
    with run_on_commit(), pytest.raises(ValidationError, match="already"):
        member_actions.invite_member(
            actor=staff, email="ADMIN@example.org", display_name="Renamed", roles=[Role.MEMBER]
        )
    admin = Member.objects.get(pk=admin.pk)
    assert admin.is_admin
    assert admin.display_name == "Ada Admin"
    with pytest.raises(PermissionDenied):
        member_actions.deactivate_member(actor=staff, member=admin)


def test_reinviting_a_member_who_never_set_a_password_keeps_their_roles(staff, organiser, run_on_commit):
    Member.objects.filter(pk=organiser.pk).update(password="!unusable")
    with run_on_commit():
        member_actions.invite_member(actor=staff, email=organiser.email, display_name="X", roles=[Role.MEMBER])
    assert Member.objects.get(pk=organiser.pk).roles == frozenset({Role.ORGANISER})
    assert mail.outbox[-1].to == [organiser.email]


def test_staff_cannot_invite_an_admin_or_grant_roles_they_do_not_hold(staff, organiser):
    with pytest.raises(PermissionDenied):
        member_actions.invite_member(actor=staff, email="new-admin@example.org", display_name="N", roles=[Role.ADMIN])
    with pytest.raises(PermissionDenied):
        member_actions.invite_member(actor=organiser, email="n2@example.org", display_name="N", roles=[Role.STAFF])


def test_staff_in_the_django_admin_cannot_make_anyone_superuser_or_edit_emails(client, staff, member):
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(codename__in=["change_member", "view_member"]))
    client.force_login(staff)
    page = client.get(f"/django-admin/accounts/member/{member.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="is_superuser"' not in html
    assert 'name="email"' not in html
    assert 'name="role_rows-0-role"' not in html
