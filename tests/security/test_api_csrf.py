"""Finding 7: a session-authenticated API write needs the CSRF token, whatever Authorization header is sent."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    return client


@pytest.mark.parametrize("header", [None, "Bearer junk", "Bearer lvl_forged-token", "bearer ", "Basic abc"])
def test_a_cross_site_write_with_the_session_cookie_is_refused(browser, member, header):
    headers = {"Authorization": header} if header else {}
    response = browser.patch("/api/v1/me", {"display_name": "Pwned"}, content_type="application/json", headers=headers)
    assert response.status_code in (401, 403), response.content
    member.refresh_from_db()
    assert member.display_name == "Mo Member"


def test_a_same_site_write_with_the_csrf_token_works(browser, member):
    browser.get("/settings/")
    token = browser.cookies["csrftoken"].value
    response = browser.patch(
        "/api/v1/me", {"pronouns": "she/her"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200, response.content


def test_an_invalid_bearer_token_is_401_even_with_a_session(browser):
    assert browser.get("/api/v1/me", headers={"Authorization": "Bearer junk"}).status_code == 401
