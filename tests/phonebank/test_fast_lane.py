"""The calling calls over the real ASGI app: with a Bearer token the fast lane (core/fastlane.py) serves them,
with the same answers as the ninja endpoints; anything it should not answer falls through to Django."""

from __future__ import annotations

import httpx
import pytest

from leveller.accounts.actions import members as accounts
from leveller.core.models import AuditEntry
from leveller.phonebank.models import Call, Contact
from tests.support.async_safety import async_safety_on  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _async_safety_check_on(async_safety_on):  # noqa: F811
    """The fast lane, its threads and rawload run with Django's async-safety check on (docs/architecture.md,
    Private runtime)."""


def token_for(member) -> dict:
    return {"Authorization": f"Bearer {accounts.create_api_token(actor=member, member=member, name='t')[1]}"}


@pytest.fixture
def open_campaign(make_campaign):
    return make_campaign(contacts=2, calling_start="00:00", calling_end="23:59")


def test_a_caller_works_through_contacts_over_http_and_every_view_is_audited(live_server_asgi, open_campaign, member):
    auth = token_for(member)
    with httpx.Client(base_url=live_server_asgi.url, headers=auth) as http:
        first = http.post(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/next")
        assert first.status_code == 200, first.text
        assert first.headers["content-type"] == "application/json"
        body = first.json()
        assert set(body) == {"call_id", "contact", "lease_expires_at", "script_html"}
        assert set(body["contact"]) == {"name", "phone_e164", "tel_uri", "local_time", "time_zone", "fields"}
        again = http.post(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/next")
        assert again.json()["call_id"] == body["call_id"], "asking again returns the contact already held"
        done = http.post(f"/api/v1/phonebank/calls/{body['call_id']}/outcome", json={"outcome": "no_answer"})
        assert done.status_code == 200 and done.json()["outcome"] == "no_answer"
        late = http.post(f"/api/v1/phonebank/calls/{body['call_id']}/outcome", json={"outcome": "refused"})
        assert late.status_code == 409 and "no longer yours" in late.json()["detail"]
        second = http.post(f"/api/v1/phonebank/campaigns/{open_campaign.pk}/next").json()
        released = http.post(f"/api/v1/phonebank/calls/{second['call_id']}/release")
        assert released.status_code == 200 and released.json() == {"call_id": second["call_id"], "released": True}
    assert Call.objects.get(pk=body["call_id"]).outcome == "no_answer"
    assert Contact.objects.filter(campaign=open_campaign, holder__isnull=False).count() == 0
    views = AuditEntry.objects.filter(action="phonebank.contact_viewed", actor=member)
    assert views.count() == 3


def test_nothing_to_call_is_204_with_an_empty_body(live_server_asgi, make_campaign, member):
    campaign = make_campaign(contacts=0, calling_start="00:00", calling_end="23:59")
    response = httpx.post(
        f"{live_server_asgi.url}/api/v1/phonebank/campaigns/{campaign.pk}/next", headers=token_for(member)
    )
    assert response.status_code == 204 and response.content == b""


def test_errors_are_the_apis_own(live_server_asgi, open_campaign, member, outsider, make_campaign):
    url = live_server_asgi.url
    auth = token_for(member)
    call_id = httpx.post(f"{url}/api/v1/phonebank/campaigns/{open_campaign.pk}/next", headers=auth).json()["call_id"]
    outcome = f"{url}/api/v1/phonebank/calls/{call_id}/outcome"

    bad = httpx.post(outcome, headers=auth, json={"outcome": "teleported"})
    assert bad.status_code == 400 and "is not an outcome" in bad.json()["detail"]
    broken = httpx.post(outcome, headers={**auth, "content-type": "application/json"}, content=b"{not json")
    assert broken.status_code == 400 and broken.json() == {"detail": "The request body is not valid JSON."}
    huge = httpx.post(outcome, headers=auth, json={"outcome": "teleported", "answers": {"x": "y" * 70_000}})
    assert huge.status_code == 400, "a body too big for the lane is Django's to answer, with the same rules"
    stranger = httpx.post(outcome, headers=token_for(outsider), json={"outcome": "refused"})
    assert stranger.status_code == 404, "another caller's call does not exist for them"
    draft = make_campaign(contacts=1, status="draft")
    hidden = httpx.post(f"{url}/api/v1/phonebank/campaigns/{draft.pk}/next", headers=token_for(outsider))
    assert hidden.status_code == 404
    assert Call.objects.get(pk=call_id).ended_at is None, "nothing a refused request sent was saved"


def test_requests_the_lane_should_not_answer_fall_through_to_django(live_server_asgi, open_campaign):
    url = f"{live_server_asgi.url}/api/v1/phonebank/campaigns/{open_campaign.pk}/next"
    unknown = httpx.post(url, headers={"Authorization": "Bearer lvl_not-a-real-token"})
    assert unknown.status_code == 401 and unknown.headers["www-authenticate"] == "Bearer"
    anonymous = httpx.post(url)
    assert anonymous.status_code == 401
    wrong_host = httpx.post(url, headers={"Authorization": "Bearer lvl_x", "Host": "evil.example"})
    assert wrong_host.status_code == 400


def test_a_call_taken_through_the_lane_reaches_the_organisers_open_dashboard_live(
    live_server_asgi, open_campaign, organiser, member
):
    import json

    from websockets.sync.client import connect

    _, secret = accounts.create_api_token(actor=organiser, member=organiser, name="dashboard")
    with connect(f"{live_server_asgi.ws_url}?token={secret}") as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "hello"
        ws.send(json.dumps({"type": "subscribe", "stream": f"campaign-{open_campaign.pk}"}))
        assert json.loads(ws.recv(timeout=5))["type"] == "subscribed"
        taken = httpx.post(
            f"{live_server_asgi.url}/api/v1/phonebank/campaigns/{open_campaign.pk}/next", headers=token_for(member)
        )
        assert taken.status_code == 200
        while (event := json.loads(ws.recv(timeout=5)))["type"] != "phonebank.progress":
            pass
    assert event["stream"] == f"campaign-{open_campaign.pk}"
