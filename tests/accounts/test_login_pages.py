"""Logging in: a member with two-factor on is asked for a code after the right password, and failed tries are
counted per email address whatever its case or spacing (django-axes' key, accounts/login.py)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from leveller.accounts.actions import two_factor as two_factor_actions
from leveller.accounts.login import lockout_username
from tests.security.test_two_factor import fresh_code
from tests.support.personas import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_member_with_two_factor_is_asked_for_a_code_after_the_right_password(client, member):
    two_factor_actions.start_enrolment(actor=member)
    two_factor_actions.confirm_enrolment(actor=member, code=fresh_code(member))
    response = client.post("/login/?next=/settings/", {"username": member.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/login/code/"
    assert "_auth_user_id" not in client.session


def test_a_member_without_two_factor_is_logged_in_by_the_password(client, member):
    response = client.post("/login/", {"username": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_failed_tries_are_counted_by_the_email_in_any_case_from_the_credentials():
    assert lockout_username(None, {"username": "  STAFF@Example.org "}) == "staff@example.org"


def test_failed_tries_are_counted_by_the_posted_email_when_no_credentials_are_given():
    request = RequestFactory().post("/login/", {"username": "Staff@EXAMPLE.org"})
    assert lockout_username(request) == "staff@example.org"


def test_a_request_with_no_username_counts_against_no_one():
    assert lockout_username(RequestFactory().post("/login/", {})) is None
    assert lockout_username(None) is None
