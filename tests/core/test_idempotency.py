"""Idempotency-Key on API writes: a retry with the same key returns the first result and creates nothing."""

from __future__ import annotations

import uuid

import httpx
import pytest

from leveller.chat.actions import channels as channel_actions
from leveller.chat.models import Message
from tests.phonebank.conftest import _fast_settings, make_campaign  # noqa: F401  (fixtures)


@pytest.fixture
def general(organiser, member):
    channel = channel_actions.create_channel(actor=organiser, name="general", purpose="Anything goes")
    channel_actions.add_channel_member(actor=member, channel=channel, member=member)
    return channel


def _post(client, channel, text, key=None, **headers):
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(f"/api/v1/channels/{channel.pk}/messages", {"text": text}, headers=headers)


def test_the_same_post_with_one_key_twice_creates_one_message(api_client, member, general):
    client = api_client(member)
    key = str(uuid.uuid4())
    first = _post(client, general, "Meeting at 7", key)
    again = _post(client, general, "Meeting at 7", key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(channel=general, text="Meeting at 7").count() == 1


def test_without_a_key_each_post_is_its_own(api_client, member, general):
    client = api_client(member)
    _post(client, general, "twice")
    _post(client, general, "twice")
    assert Message.objects.filter(channel=general, text="twice").count() == 2


def test_the_same_key_for_a_different_request_is_refused(api_client, member, general):
    client = api_client(member)
    _post(client, general, "first", "k-1")
    other = _post(client, general, "something else", "k-1")
    assert other.status_code == 422
    assert "different request" in other.json()["detail"]
    assert not Message.objects.filter(text="something else").exists()


def test_keys_belong_to_one_caller(api_client, member, organiser, general):
    from leveller.chat.actions import channels as channel_actions

    channel_actions.add_channel_member(actor=organiser, channel=general, member=organiser)
    _post(api_client(member), general, "same words", "shared-key")
    theirs = _post(api_client(organiser), general, "same words", "shared-key")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Message.objects.filter(text="same words").count() == 2


def test_a_refusal_is_replayed_too_and_a_server_error_is_not_kept(api_client, member, general, monkeypatch):
    from django.db import OperationalError

    from leveller.chat.actions import messages as message_actions

    client = api_client(member)
    assert _post(client, general, "", "blank").status_code == 400
    assert _post(client, general, "", "blank")["Idempotent-Replayed"] == "true"

    real = message_actions.send_message
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(message_actions, "send_message", flaky)
    assert _post(client, general, "after the outage", "retry-me").status_code == 503
    retried = _post(client, general, "after the outage", "retry-me")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert Message.objects.filter(text="after the outage").count() == 1


def test_a_session_caller_with_a_csrf_token_gets_the_same(client, member, general):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    browser.get("/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    headers = {"X-CSRFToken": token, "Idempotency-Key": "from-the-page"}
    url = f"/api/v1/channels/{general.pk}/messages"
    for _ in range(2):
        response = browser.post(url, {"text": "from the page"}, content_type="application/json", headers=headers)
        assert response.status_code == 201
    assert Message.objects.filter(text="from the page").count() == 1


def test_any_api_write_gets_it_an_rsvp_for_example(api_client, member, staff):
    """The mechanism is middleware, not per endpoint: every API write of every app has it."""
    import datetime as dt

    from django.utils import timezone

    from leveller.events.actions import events as event_actions

    starts = timezone.now() + dt.timedelta(days=2)
    event = event_actions.create_event(
        actor=staff,
        title="Training",
        type="training",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        online=True,
        in_person=False,
        online_url="https://meet.example.org/x",
    )
    client = api_client(member)
    first = client.post(f"/api/v1/events/{event.pk}/rsvp", {}, headers={"Idempotency-Key": "rsvp-1"})
    again = client.post(f"/api/v1/events/{event.pk}/rsvp", {}, headers={"Idempotency-Key": "rsvp-1"})
    assert first.status_code == again.status_code == 200, first.content
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()


pytestmark_live = pytest.mark.django_db(transaction=True)


@pytestmark_live
def test_a_phonebank_outcome_through_the_fast_lane_retried_with_a_key_is_recorded_once(
    live_server_asgi, request, member
):
    from leveller.accounts.actions import members as accounts
    from leveller.core.models import IdempotentRequest
    from leveller.phonebank.models import Call

    campaign = request.getfixturevalue("make_campaign")(contacts=2, calling_start="00:00", calling_end="23:59")
    auth = {"Authorization": f"Bearer {accounts.create_api_token(actor=member, member=member, name='t')[1]}"}
    with httpx.Client(base_url=live_server_asgi.url, headers=auth) as http:
        call = http.post(f"/api/v1/phonebank/campaigns/{campaign.pk}/next").json()
        url = f"/api/v1/phonebank/calls/{call['call_id']}/outcome"
        headers = {"Idempotency-Key": "outcome-1"}
        first = http.post(url, json={"outcome": "no_answer"}, headers=headers)
        again = http.post(url, json={"outcome": "no_answer"}, headers=headers)
        unkeyed = http.post(url, json={"outcome": "no_answer"})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert unkeyed.status_code == 409  # without the key, the second try is a second (refused) outcome
    assert Call.objects.filter(pk=call["call_id"]).count() == 1
    assert IdempotentRequest.objects.filter(key="outcome-1", actor=f"m{member.pk}").count() == 1
