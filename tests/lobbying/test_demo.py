"""The lobbying demo loads twice without duplicating anything, and emails no MP."""

from __future__ import annotations

import pytest
from django.core import mail

from leveller.accounts import demo as accounts_demo
from leveller.lobbying import demo
from leveller.lobbying.models import Campaign, Letter, Signature


@pytest.mark.django_db
def test_the_demo_loads_twice_without_duplicates_and_sends_nothing_to_mps(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    accounts_demo.load(log=lambda _: None)
    demo.load(log=lambda _: None)
    counts = (Campaign.objects.count(), Letter.objects.count(), Signature.objects.count())
    assert counts[0] == 2 and counts[1] >= 10 and counts[2] == 7
    assert Letter.objects.filter(state="sent").exclude(reply="").exists()
    demo.load(log=lambda _: None)
    assert (Campaign.objects.count(), Letter.objects.count(), Signature.objects.count()) == counts
    assert not [m for m in mail.outbox if any(to.endswith("@parliament.uk") for to in m.to)]
