"""The phonebank API at /api/v1/phonebank (paths and shapes as issue #4 specifies)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from leveller.core import clock
from leveller.core.openapi import Detail
from leveller.phonebank import access, calling, limits, stats
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.actions import contacts as contact_actions
from leveller.phonebank.models import Campaign, ImportJob, ImportStatus

router = Router()
PREFIX = "/phonebank"


class Hours(Schema):
    start: str = "10:00"
    end: str = "20:00"


class Callers(Schema):
    mode: str = "everyone"
    group: int | None = None
    members: list[int] = []


class CampaignIn(Schema):
    name: Any = None
    goal: Any = None
    script: Any = None
    questions: Any = None
    calling_hours: Hours | None = None
    call_on_sundays: Any = None
    max_attempts: Any = None
    retry_after_minutes: Any = None
    status: Any = None
    callers: Callers | None = None
    organisers: list[int] | None = None


class CampaignOut(Schema):
    id: int
    name: str
    goal: str
    script: str
    questions: list[dict]
    calling_hours: Hours
    call_on_sundays: bool
    max_attempts: int
    retry_after_minutes: int
    status: str
    callers: Callers
    organisers: list[int]
    chat_channel_id: int | None
    contacts: int


class ContactOut(Schema):
    name: str
    phone_e164: str
    tel_uri: str
    local_time: str
    time_zone: str
    fields: dict


class NextOut(Schema):
    call_id: int
    contact: ContactOut
    lease_expires_at: str
    script_html: str


class OutcomeIn(Schema):
    outcome: Any = None
    answers: Any = None
    callback_at: Any = None


class LimitedOut(Schema):
    detail: str
    retry_after: int


class ImportReportOut(Schema):
    job_id: int
    status: str
    total_rows: int
    processed_rows: int
    loaded: int
    invalid: list[Any]
    invalid_count: int
    duplicates: int
    duplicate_rows: list[Any]
    do_not_call: int
    do_not_call_rows: list[Any]
    error: str


class ImportQueuedOut(Schema):
    job_id: int
    status: str
    total_rows: int
    poll: str


class OutcomeOut(Schema):
    call_id: int
    outcome: str
    answers: dict[str, Any] | None
    callback_at: str | None


class ReleasedOut(Schema):
    call_id: int
    released: bool


class OptionCount(Schema):
    label: str
    count: int
    percent: int


class AnswerCount(Schema):
    id: str
    text: str
    kind: str
    responses: int
    options: list[OptionCount]


class HourCount(Schema):
    hour: str
    calls: int
    percent: int


class LimitAlert(Schema):
    at: str
    caller_id: int | None
    text: str


class StatsOut(Schema):
    contacts: int
    waiting: int
    in_progress: int
    attempted: int
    reached: int
    finished: int
    calls: int
    by_outcome: dict[str, int]
    answers: list[AnswerCount]
    active_callers: int
    calls_per_hour: list[HourCount]
    limit_alerts: list[LimitAlert]


def _fields(payload: CampaignIn) -> dict:
    data = payload.dict(exclude_unset=True)
    fields = {k: v for k, v in data.items() if k not in {"calling_hours", "callers", "organisers"}}
    if payload.calling_hours is not None:
        fields["calling_start"] = payload.calling_hours.start
        fields["calling_end"] = payload.calling_hours.end
    if payload.callers is not None:
        fields["callers_mode"] = payload.callers.mode
        fields["caller_group_id"] = payload.callers.group
        fields["callers"] = payload.callers.members
    if payload.organisers is not None:
        fields["organisers"] = payload.organisers
    return fields


def campaign_out(campaign: Campaign) -> dict:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "goal": campaign.goal,
        "script": campaign.script,
        "questions": campaign.questions,
        "calling_hours": {"start": f"{campaign.calling_start:%H:%M}", "end": f"{campaign.calling_end:%H:%M}"},
        "call_on_sundays": campaign.call_on_sundays,
        "max_attempts": campaign.max_attempts,
        "retry_after_minutes": campaign.retry_after_minutes,
        "status": campaign.status,
        "callers": {
            "mode": campaign.callers_mode,
            "group": campaign.caller_group_id,
            "members": list(campaign.callers.values_list("pk", flat=True)),
        },
        "organisers": list(campaign.organisers.values_list("pk", flat=True)),
        "chat_channel_id": campaign.chat_channel_id,
        "contacts": campaign.contacts.count(),
    }


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns you organise or may call")
def list_campaigns(request):
    visible, _ = access.campaigns_for(request.auth)
    return [campaign_out(c) for c in visible]


@router.post("/campaigns", response={201: CampaignOut, 400: Detail, 403: Detail}, summary="Create a campaign")
def create_campaign(request, payload: CampaignIn):
    fields = _fields(payload)
    name = fields.pop("name", None)
    campaign = call_actions.create_campaign(actor=request.auth, name=name, **fields)
    return Status(201, campaign_out(campaign))


@router.get("/campaigns/{campaign_id}", response=CampaignOut)
def get_campaign(request, campaign_id: int):
    return campaign_out(access.campaign_for_caller(request.auth, campaign_id))


@router.patch("/campaigns/{campaign_id}", response={200: CampaignOut, 400: Detail, 403: Detail, 404: Detail})
def update_campaign(request, campaign_id: int, payload: CampaignIn):
    campaign = access.campaign_for_organiser(request.auth, campaign_id)
    campaign = call_actions.update_campaign(actor=request.auth, campaign=campaign, **_fields(payload))
    return campaign_out(campaign)


@router.post(
    "/campaigns/{campaign_id}/contacts",
    response={200: ImportReportOut, 202: ImportQueuedOut, 400: Detail, 403: Detail, 404: Detail},
    summary="Upload a contact list CSV (multipart field `file`)",
)
def upload_contacts(
    request,
    campaign_id: int,
    file: File[UploadedFile],
    basis: Form[str] = "legitimate_interests",
    source: Form[str] = "",
    wording: Form[str] = "",
):
    campaign = access.campaign_for_organiser(request.auth, campaign_id)
    job = contact_actions.upload_contacts(
        actor=request.auth,
        campaign=campaign,
        data=file.read(),
        filename=file.name or "",
        basis=basis,
        source=source,
        wording=wording,
    )
    if job.status == ImportStatus.DONE:
        return Status(200, job.report())
    return Status(
        202,
        {
            "job_id": job.pk,
            "status": job.status,
            "total_rows": job.total_rows,
            "poll": f"/api/v1/phonebank/campaigns/{campaign.pk}/imports/{job.pk}",
        },
    )


@router.get("/campaigns/{campaign_id}/imports/{job_id}", response={200: ImportReportOut, 403: Detail, 404: Detail})
def import_status(request, campaign_id: int, job_id: int):
    campaign = access.campaign_for_organiser(request.auth, campaign_id)
    job = ImportJob.objects.filter(campaign=campaign, pk=job_id).first()
    if job is None:
        return Status(404, {"detail": "Not found."})
    return Status(200, job.report())


# The three calling calls run the same code as the fast lane (calling.py; core/fastlane.py), which serves them
# when a Bearer token is sent; these endpoints answer session-authenticated requests and document the API.
def _answer(result: tuple[int, dict | None]):
    status, body = result
    return HttpResponse(status=204) if body is None else Status(status, body)


@router.post(
    "/campaigns/{campaign_id}/next", response={200: NextOut, 204: None, 400: Detail, 404: Detail, 429: LimitedOut}
)
def next_contact(request, campaign_id: int):
    return _answer(calling.next_contact(request.auth, {}, campaign_id=campaign_id))


@router.post("/calls/{call_id}/outcome", response={200: OutcomeOut, 400: Detail, 404: Detail, 409: Detail})
def record_outcome(request, call_id: int, payload: OutcomeIn):
    return _answer(calling.record_outcome(request.auth, payload.dict(), call_id=call_id))


@router.post("/calls/{call_id}/release", response={200: ReleasedOut, 404: Detail, 429: LimitedOut})
def release_call(request, call_id: int):
    return _answer(calling.release_call(request.auth, {}, call_id=call_id))


@router.get("/campaigns/{campaign_id}/stats", response={200: StatsOut, 403: Detail, 404: Detail})
def campaign_stats(request, campaign_id: int):
    campaign = access.campaign_for_organiser(request.auth, campaign_id)
    now = clock.now()
    return Status(200, {**stats.campaign_stats(campaign, now), "limit_alerts": limits.recent_alerts(campaign, now)})
