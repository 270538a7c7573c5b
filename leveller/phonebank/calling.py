"""The calling API's three hot calls, shared by the ninja endpoints (api.py) and the fast lane
(core/fastlane.py, registered in apps.py): each authorises with the access helpers, then calls one action.

Each takes the authenticated member and the parsed JSON body, and returns `(status, body)`; the access
helpers' Http404 / PermissionDenied and the actions' ValidationError are turned into 404 / 403 / 400 by
whichever transport called.
"""

from __future__ import annotations

from leveller.core import clock
from leveller.phonebank import access, hours, limits, phones
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.models import Call

NEXT_PATH = r"/api/v1/phonebank/campaigns/(?P<campaign_id>\d+)/next"
OUTCOME_PATH = r"/api/v1/phonebank/calls/(?P<call_id>\d+)/outcome"
RELEASE_PATH = r"/api/v1/phonebank/calls/(?P<call_id>\d+)/release"


def call_out(call: Call) -> dict:
    from leveller.phonebank import script

    contact = call.contact
    return {
        "call_id": call.pk,
        "contact": {
            "name": contact.name,
            "phone_e164": contact.phone_e164,
            "tel_uri": phones.tel_uri(contact.phone_e164),
            "local_time": hours.local_time(contact.time_zone, clock.now()).isoformat(timespec="seconds"),
            "time_zone": contact.time_zone,
            "fields": contact.fields,
        },
        "lease_expires_at": call.lease_expires_at.isoformat(),
        "script_html": str(script.render_for(call.campaign, contact)),
    }


def next_contact(member, body: dict, *, campaign_id: int) -> tuple[int, dict | None]:
    campaign = access.campaign_for_caller(member, campaign_id)
    try:
        call = call_actions.next_contact(actor=member, campaign=campaign)
    except limits.Limited as limited:
        return 429, limited.body()
    return (204, None) if call is None else (200, call_out(call))


def record_outcome(member, body: dict, *, call_id: int) -> tuple[int, dict]:
    call = access.call_for_caller(member, call_id)
    try:
        call = call_actions.record_outcome(
            actor=member,
            call=call,
            outcome=str(body.get("outcome") or ""),
            answers=body.get("answers"),
            callback_at=body.get("callback_at"),
        )
    except call_actions.LeaseLost as lost:
        return 409, {"detail": lost.message}
    return 200, {
        "call_id": call.pk,
        "outcome": call.outcome,
        "answers": call.answers,
        "callback_at": call.callback_at.isoformat() if call.callback_at else None,
    }


def release_call(member, body: dict, *, call_id: int) -> tuple[int, dict]:
    try:
        call = call_actions.release_call(actor=member, call=access.call_for_caller(member, call_id))
    except limits.Limited as limited:
        return 429, limited.body()
    return 200, {"call_id": call.pk, "released": True}


def register_fast_routes() -> None:
    from leveller.core import fastlane

    fastlane.register("POST", NEXT_PATH, next_contact)
    fastlane.register("POST", OUTCOME_PATH, record_outcome)
    fastlane.register("POST", RELEASE_PATH, release_call)
