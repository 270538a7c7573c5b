"""Finding 11: bad input of every kind gets a clear 4xx (or an error frame), never a server error, and an
import never loses rows silently."""

from __future__ import annotations

import json

import httpx
import pytest
from django.test import Client

from leveller.accounts.actions import members as accounts
from leveller.accounts.importing import import_members
from leveller.accounts.models import Member
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.actions import contacts as contact_actions
from tests.phonebank.conftest import csv_bytes, uk_numbers

HUGE = 2**63
SURROGATE = '{"text": "hi \\ud800 there", "display_name": "x\\udfff", "reason": "\\ud83d", "bio": "\\udc00"}'


def _token(member) -> dict:
    return {"Authorization": f"Bearer {accounts.create_api_token(actor=member, member=member, name='t')[1]}"}


@pytest.fixture
def campaign(organiser, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    campaign = call_actions.create_campaign(
        actor=organiser, name="C", status="live", calling_start="00:00", calling_end="23:59", call_on_sundays=True
    )
    rows = [(f"Contact {i}", phone, "") for i, phone in enumerate(uk_numbers(2))]
    contact_actions.upload_contacts(actor=organiser, campaign=campaign, data=csv_bytes(rows))
    return campaign


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", f"/api/v1/phonebank/campaigns/{HUGE}/next", None),
        ("post", f"/api/v1/phonebank/calls/{HUGE}/release", None),
        ("post", f"/api/v1/phonebank/calls/{HUGE * 10}/outcome", {"outcome": "refused"}),
        ("get", f"/api/v1/phonebank/campaigns/{HUGE}", None),
        ("get", f"/api/v1/phonebank/campaigns/{HUGE}/stats", None),
        ("get", f"/api/v1/channels/{HUGE}/messages", None),
        ("post", "/api/v1/phonebank/campaigns", {"name": "x", "organisers": [HUGE]}),
        ("post", "/api/v1/phonebank/campaigns", {"name": "x", "callers": {"mode": "named", "members": [HUGE]}}),
    ],
)
def test_ids_beyond_bigint_are_a_client_error(organiser, method, path, body):
    client = Client(headers=_token(organiser))
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    response = getattr(client, method)(path, **kwargs)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.content[:200])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/v1/me"),
        ("post", "/api/v1/channels/{general}/messages"),
        ("post", "/api/v1/messages/{msg}/report"),
    ],
)
def test_a_lone_surrogate_in_a_body_is_a_400_not_a_500(member, organiser, method, path):
    from leveller.chat.actions import channels as channel_actions
    from leveller.chat.actions.messages import send_message

    general = channel_actions.create_channel(actor=organiser, name="general", purpose="")
    message = send_message(actor=organiser, channel=general, text="hello")
    client = Client(headers=_token(member))
    url = path.format(general=general.pk, msg=message.pk)
    response = getattr(client, method)(url, data=SURROGATE, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert Member.objects.get(pk=member.pk).display_name == "Mo Member"


@pytest.mark.django_db
def test_a_dm_with_a_lone_surrogate_is_refused(member, organiser):
    from leveller.chat.models import Message

    client = Client(headers=_token(member))
    bad_address = client.post(
        "/api/v1/dms", data='{"emails": ["\\ud800@example.org"]}', content_type="application/json"
    )
    assert bad_address.status_code in (400, 422), bad_address.content[:300]
    dm = client.post("/api/v1/dms", {"emails": [organiser.email]}, content_type="application/json")
    assert dm.status_code == 201, dm.content[:300]
    channel_id = dm.json()["id"]
    body = client.post(
        f"/api/v1/channels/{channel_id}/messages", data='{"text": "hi \\ud800"}', content_type="application/json"
    )
    assert body.status_code in (400, 422), body.content[:300]
    assert not Message.objects.filter(channel_id=channel_id).exists()


@pytest.mark.django_db(transaction=True)
def test_deeply_nested_json_on_the_fast_lane_is_a_400(live_server_asgi, campaign, member):
    auth = _token(member)
    with httpx.Client(base_url=live_server_asgi.url, headers=auth) as http:
        call_id = http.post(f"/api/v1/phonebank/campaigns/{campaign.pk}/next").json()["call_id"]
        deep = b"[" * 30000 + b"]" * 30000
        response = http.post(f"/api/v1/phonebank/calls/{call_id}/outcome", content=deep)
        assert response.status_code == 400
        lone = http.post(f"/api/v1/phonebank/calls/{call_id}/outcome", content=b'{"outcome": "\\ud800"}')
        assert lone.status_code == 400
        huge = http.post(f"/api/v1/phonebank/calls/{HUGE}/outcome", json={"outcome": "refused"})
        assert huge.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["0001-01-01T00:30", "0001-01-01T00:30:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_a_call_back_time_at_the_ends_of_the_calendar_is_a_400(campaign, member, when):
    client = Client(headers=_token(member))
    call_id = client.post(f"/api/v1/phonebank/campaigns/{campaign.pk}/next").json()["call_id"]
    response = client.post(
        f"/api/v1/phonebank/calls/{call_id}/outcome",
        data=json.dumps({"outcome": "call_back", "callback_at": when}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content


@pytest.mark.django_db
def test_a_member_import_with_a_huge_field_reports_that_row_and_keeps_every_other(staff):
    rows = ["email,name"] + [f"m{i}@example.org,Member {i}" for i in range(3)]
    rows.insert(3, "huge@example.org," + "x" * (200 * 1024))
    rows += [f"late{i}@example.org,Late {i}" for i in range(3)]
    report = import_members(actor=staff, data="\n".join(rows) + "\n")
    assert report.created == 6
    assert [line for line, _ in report.errors] == [4]
    assert Member.objects.filter(email__startswith="late").count() == 3


@pytest.mark.django_db
def test_a_member_import_with_broken_csv_says_where_it_stopped(staff):
    report = import_members(actor=staff, data='email,name\na@example.org,A\nb@example.org,"B\x00\n')
    assert Member.objects.filter(email="a@example.org").exists()  # the row before the break is kept
    if report.created == 2:  # the reader took the rest of the file as B's name: nothing was dropped
        assert Member.objects.filter(email="b@example.org").exists()
    else:  # or it stopped there, and the report says where
        assert report.created == 1 and report.errors, report


@pytest.mark.django_db(transaction=True)
def test_a_frame_that_is_not_json_gets_an_error_and_the_socket_stays_open(live_server_asgi, member):
    from websockets.sync.client import connect

    token = accounts.create_api_token(actor=member, member=member, name="ws")[1]
    with connect(f"{live_server_asgi.ws_url}?token={token}") as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "hello"
        for frame in (
            "not json",
            "[" * 30000,
            '{"type": "ping", "x": "\\ud800"}',
            '{"type": "resume", "after": 1e400}',
        ):
            ws.send(frame)
            assert json.loads(ws.recv(timeout=5))["type"] == "error"
        ws.send(json.dumps({"type": "resume", "after": HUGE}))
        assert json.loads(ws.recv(timeout=5))["type"] == "error"
        ws.send(json.dumps({"type": "ping"}))
        assert json.loads(ws.recv(timeout=5))["type"] == "pong"
