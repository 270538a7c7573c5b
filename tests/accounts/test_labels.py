"""Settings speak plainly: no "Phone (E.164)"."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_phone_field_speaks_plainly(client, member):
    client.force_login(member)
    page = client.get("/settings/").content.decode()
    assert "E.164" not in page
    assert "Phone number" in page and "+ and the country code" in page
