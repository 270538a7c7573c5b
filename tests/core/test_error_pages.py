"""Kinder error pages: 403, 404 and 500 use the site's layout, say why, and say where to go."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from leveller.urls import urlpatterns as site_urls

pytestmark = [pytest.mark.django_db]


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [*site_urls, path("test-broken/", broken)]
handler500 = "leveller.core.errors.server_error"


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
def test_a_server_error_is_styled_and_apologetic(member):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    response = client.get("/test-broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page and 'class="site-header"' in page


def test_an_expired_form_says_nothing_was_changed(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/settings/notifications/", {"kinds": ["dm"]})
    assert response.status_code == 403
    assert "nothing was changed" in response.content.decode()
