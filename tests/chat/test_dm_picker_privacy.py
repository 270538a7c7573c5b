"""Finding 5: the DM picker finds people by name, never by the email or membership number profiles hide."""

import pytest

from leveller.accounts.models import Member

pytestmark = pytest.mark.django_db


def test_the_dm_picker_does_not_match_emails_or_membership_numbers(client, member, outsider):
    Member.objects.filter(pk=member.pk).update(membership_number="M-4242")
    client.force_login(outsider)
    for probe in ("member@exa", "mber@", "M-4242"):
        page = client.get("/chat/dm/", {"q": probe}).content.decode()
        assert "Mo Member" not in page, probe
    assert "Mo Member" in client.get("/chat/dm/", {"q": "mo mem"}).content.decode()
