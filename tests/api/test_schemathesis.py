"""Every operation in /api/openapi.json, fuzzed by schemathesis from the schema itself, as a member (token), as
staff (token) and as nobody: no server errors, and every answer is one the operation documents, in the shape it
documents. Operations added later are covered without touching this file.

Seed data gives the generated requests real objects to hit: half the examples swap each id in the path for the
id of a seeded object of that kind. Examples per operation and persona: LEVELLER_FUZZ_EXAMPLES (default 5);
the run is derandomised, so CI sees the same requests each time.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ninja.responses import NinjaJSONEncoder
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from leveller.accounts.actions import members as accounts
from leveller.api import api
from tests.support.personas import make_member

EXAMPLES = int(os.environ.get("LEVELLER_FUZZ_EXAMPLES", "5"))
RAW = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
OPERATIONS = [(method.upper(), path) for path, item in RAW["paths"].items() for method in item]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PERSONAS = ["nobody", "member", "staff"]


@pytest.fixture(scope="module")
def schema():
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(RAW)))
    loaded.app = WSGIHandler()
    return loaded


@pytest.fixture
def same_connection():
    """Requests run in this thread on the test's own connection: Django must not close it after each one."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _seed(staff, member) -> dict[str, int]:
    """One object of each kind, so that generated ids can point at something real."""
    from leveller.chat.actions import channels as channel_actions
    from leveller.chat.actions.messages import send_message
    from leveller.elections.actions import setup as setup_actions
    from leveller.events.actions import events as event_actions
    from leveller.groups.actions import groups
    from leveller.newsletter.actions import issues as newsletter
    from leveller.phonebank.actions import calls as call_actions
    from leveller.phonebank.actions import contacts as contact_actions

    ids: dict[str, int] = {"member_id": member.pk}
    campaign = call_actions.create_campaign(
        actor=staff, name="Fuzz", status="live", calling_start="00:00", calling_end="23:59", call_on_sundays=True
    )
    contact_actions.upload_contacts(
        actor=staff, campaign=campaign, data=b"name,phone\nAnn,+447400000001\nBob,+447400000002\n"
    )
    ids["campaign_id"] = campaign.pk
    call = call_actions.next_contact(actor=member, campaign=campaign)
    ids["call_id"] = call.pk if call else 1
    channel = channel_actions.create_channel(actor=staff, name="fuzz", purpose="")
    ids["channel_id"] = channel.pk
    ids["message_id"] = send_message(actor=staff, channel=channel, text="hello").pk
    group = groups.create_group(actor=staff, name="Fuzz Left", kind="local", districts=["NW10"], organiser=staff)
    ids["group_id"] = group.pk
    starts = timezone.now() + dt.timedelta(days=3)
    event = event_actions.create_event(
        actor=staff, title="Fuzz meeting", type="meeting", starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
        in_person=True, address="Library", postcode="NW10 2SF",
    )  # fmt: skip
    ids["event_id"] = event.pk
    election = setup_actions.create_election(
        actor=staff, title="Fuzz vote", kind="stv", seats=1, voting_closes_at=timezone.now() + dt.timedelta(days=7)
    )
    ids["candidate_id"] = setup_actions.add_candidate(actor=staff, election=election, name="Ann").pk
    ids["election_id"] = election.pk
    editor = make_member("Fuzz Editor", "fuzz-editor@example.org", roles=["editor"])
    ids["issue_id"] = newsletter.create_issue(actor=editor, title="Fuzz issue").pk
    return ids


def _token(person) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.create_api_token(actor=person, member=person, name='fuzz')[1]}"}


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_answers_as_documented(schema, same_connection, settings_fast, method, path, persona):
    staff = make_member("Fuzz Staff", "fuzz-staff@example.org", roles=["staff"])
    member = make_member("Fuzz Member", "fuzz-member@example.org", roles=["member"])
    seeded = _seed(staff, member)
    headers = {"nobody": {}, "member": _token(member), "staff": _token(staff)}[persona]
    operation = schema[path][method]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), real_ids=st.booleans())
    def run(case, real_ids):
        if real_ids and case.path_parameters:
            for name in case.path_parameters:
                if name in seeded:
                    case.path_parameters[name] = seeded[name]
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.fixture
def settings_fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PHONEBANK_PROGRESS_SECONDS = 0  # no trailing hint thread outliving the test
    yield
    from leveller.phonebank import progress

    progress.cancel_pending()
