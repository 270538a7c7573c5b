"""Finding 8: an anonymous sign-up for an address we know changes nothing until its owner confirms."""

from __future__ import annotations

import pytest
from django.core import mail

from leveller.newsletter.actions import subscriptions
from leveller.newsletter.models import Subscriber, SubscriberStatus
from tests.newsletter.conftest import add_subscribers

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    return "/newsletter/confirm/" + message.body.split("/newsletter/confirm/")[1].split("/")[0] + "/"


def test_a_stranger_cannot_rewrite_an_unsubscribed_readers_name_or_postcode(client, run_on_commit, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    (reader,) = add_subscribers(1)
    subscriptions.unsubscribe(actor=None, subscriber=reader)
    before = Subscriber.objects.get(pk=reader.pk)
    with run_on_commit():
        response = client.post(
            "/api/v1/newsletter/subscriptions",
            {"email": reader.email, "name": "Mallory", "postcode": "SW1A 1AA"},
            content_type="application/json",
        )
    assert response.status_code == 202
    after = Subscriber.objects.get(pk=reader.pk)
    assert (after.name, after.postcode, after.status, after.consent_wording) == (
        before.name,
        before.postcode,
        SubscriberStatus.UNSUBSCRIBED,
        before.consent_wording,
    )
    # The owner of the address confirms: then (and only then) what they typed is saved and they are subscribed.
    client.get(_link(mail.outbox[-1]))
    confirmed = Subscriber.objects.get(pk=reader.pk)
    assert confirmed.status == SubscriberStatus.SUBSCRIBED and confirmed.name == "Mallory"


def test_a_confirmation_link_asked_for_before_unsubscribing_does_not_resubscribe(client, run_on_commit, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with run_on_commit():
        subscriptions.request_subscription(actor=None, email="nia@example.net", name="Nia")
    link = _link(mail.outbox[-1])
    client.get(link)
    subscriber = Subscriber.objects.get(email="nia@example.net")
    subscriptions.unsubscribe(actor=None, subscriber=subscriber)
    client.get(link)
    assert Subscriber.objects.get(pk=subscriber.pk).status == SubscriberStatus.UNSUBSCRIBED
