"""Finding 3: the login lockout counts an email in any case as one; LEVELLER_PROXY_COUNT decides the client
address for the lockout and for every rate limit, the same way."""

import pytest
from django.test import RequestFactory

from leveller.core import limits

pytestmark = pytest.mark.django_db


def _fail(client, email: str, **extra):
    return client.post("/login/", {"username": email, "password": "wrong-password-x"}, **extra)


def test_changing_the_case_of_the_email_gets_no_fresh_tries(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for email in ("staff@example.org", "STAFF@example.org", "Staff@Example.org"):
        _fail(client, email)
    locked = client.post("/login/", {"username": "sTaFf@example.org", "password": "correct-horse-battery-staple"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_with_no_proxy_a_forged_forwarded_for_header_is_ignored(settings):
    settings.LEVELLER_PROXY_COUNT = 0
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.9")
    assert limits.client_ip(request) == "10.0.0.9"


def test_behind_one_proxy_the_address_it_saw_is_used_and_client_written_hops_are_not(settings):
    settings.LEVELLER_PROXY_COUNT = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="127.0.0.1")
    assert limits.client_ip(request) == "203.0.113.7"
    garbage = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="not-an-ip", REMOTE_ADDR="127.0.0.1")
    assert limits.client_ip(garbage) == "127.0.0.1"


def test_the_lockout_is_per_address_as_the_proxy_reports_it(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.LEVELLER_PROXY_COUNT = 1
    for _ in range(2):
        _fail(client, "staff@example.org", HTTP_X_FORWARDED_FOR="203.0.113.7")
    same = _fail(client, "staff@example.org", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert same.status_code == 429, "a hop the client wrote does not give fresh tries"
    other = client.post(
        "/login/",
        {"username": "staff@example.org", "password": "correct-horse-battery-staple"},
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert other.status_code == 302, "someone at another address is not locked out"


def test_newsletter_sign_ups_are_limited_per_client_address_behind_a_proxy(client, settings):
    settings.LEVELLER_PROXY_COUNT = 1
    settings.NEWSLETTER_SIGNUPS_PER_HOUR = 2
    url = "/api/v1/newsletter/subscriptions"
    for i in range(2):
        assert (
            client.post(
                url, {"email": f"a{i}@example.org"}, content_type="application/json", HTTP_X_FORWARDED_FOR="203.0.113.7"
            ).status_code
            == 202
        )
    assert (
        client.post(
            url,
            {"email": "a9@example.org"},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7",
        ).status_code
        == 429
    )
    assert (
        client.post(
            url, {"email": "b@example.org"}, content_type="application/json", HTTP_X_FORWARDED_FOR="198.51.100.2"
        ).status_code
        == 202
    )
