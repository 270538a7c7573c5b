"""Kinder error pages: 403, 404 and 500 use the site's layout, say why, and say where to go; the API answers a
bug with `{"detail"}` JSON. Neither says anything about the error itself."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from leveller import urls as site

pytestmark = [pytest.mark.django_db]

SECRET = "a bug at /srv/leveller/secret_module.py with token s3cr3t-t0ken"


def broken(request):
    raise RuntimeError(SECRET)


# The site's own URLs and error handlers, plus one page with a bug.
urlpatterns = [*site.urlpatterns, path("test-broken/", broken)]
handler400, handler403, handler404, handler500 = site.handler400, site.handler403, site.handler404, site.handler500


def test_a_member_on_a_staff_page_is_told_why_and_where_to_go(client, member):
    client.force_login(member)
    response = client.get("/manage/members/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have access to this" in page
    assert "Only staff can do that." in page
    assert 'class="site-header"' in page  # the site's own layout, with its navigation
    assert "Your home page" in page


def test_a_missing_page_names_the_address_and_offers_the_way_home(client, member):
    client.force_login(member)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page and "/no/such/page/" in page
    assert "Your home page" in page


def test_a_visitor_who_is_not_logged_in_is_offered_the_login(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Log in" in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_server_error_is_styled_says_why_and_where_to_go_and_leaks_nothing(member, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(member)
    response = client.get("/test-broken/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "The problem is ours, not yours" in page  # the reason
    assert 'class="site-header"' in page and '<nav aria-label="Main">' in page  # the site's navigation
    assert "Where to go from here" in page and "Your home page" in page
    assert "s3cr3t" not in page and "secret_module" not in page and "RuntimeError" not in page
    assert "Traceback" not in page


@pytest.mark.urls(__name__)
def test_a_visitor_meeting_a_server_error_is_offered_the_login(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/test-broken/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "Log in" in response.content.decode()


def test_a_bug_behind_the_api_is_json_with_a_detail_and_nothing_of_the_error(settings, monkeypatch):
    from leveller.push import keys

    def broken_key():
        raise RuntimeError(SECRET)

    settings.DEBUG = False
    monkeypatch.setattr(keys, "public_key", broken_key)
    response = Client(raise_request_exception=False).get("/api/v1/push/key")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail"} and "on our side" in body["detail"]
    assert "s3cr3t" not in response.content.decode() and "RuntimeError" not in response.content.decode()


def test_if_even_the_500_page_cannot_render_a_plain_one_says_the_same(rf, monkeypatch):
    from leveller.core import errors

    def no_template(*args, **kwargs):
        raise RuntimeError("the template is broken too")

    monkeypatch.setattr(errors, "render_error", no_template)
    response = errors.server_error(rf.get("/somewhere/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode() and 'href="/"' not in response.content.decode()
    assert "href='/'" in response.content.decode()


def test_an_expired_form_says_nothing_was_changed(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/settings/notifications/", {"kinds": ["dm"]})
    assert response.status_code == 403
    assert "nothing was changed" in response.content.decode()
