"""Members' data rights over the API: a copy of everything, erasure, consents."""

from __future__ import annotations

import datetime as dt
import json

import pydantic
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from ninja import Body, Router, Schema
from ninja.responses import Status

from leveller.privacy import consent, exporting
from leveller.privacy.actions import consent as consent_actions
from leveller.privacy.actions import erasure as erasure_actions
from leveller.privacy.actions import exports as export_actions
from leveller.privacy.models import ExportRequest

router = Router()
PREFIX = ""


class ExportCreated(Schema):
    id: int
    status: str


class ExportOut(Schema):
    id: int
    status: str
    download_url: str | None
    kinds_done: int
    kinds_total: int
    rows_written: int
    expires_at: dt.datetime | None


class ErasureIn(Schema):
    reason: str = ""
    delete_content: bool = False


class ErasureOut(Schema):
    id: int
    status: str
    due_at: dt.datetime


class ConsentOut(Schema):
    purpose: str
    label: str
    wording: str
    allowed: bool
    recorded_at: dt.datetime | None
    method: str | None


def _export_out(export: ExportRequest) -> dict:
    path = exporting.download_url(export) if exporting.usable_file(export) else None
    status = export.status if export.status != "ready" or path else "failed"
    return {
        "id": export.pk,
        "status": status,
        "download_url": settings.SITE_URL + path if path else None,
        "kinds_done": export.kinds_done,
        "kinds_total": export.kinds_total,
        "rows_written": export.rows_written,
        "expires_at": export.expires_at,
    }


@router.post("/me/exports", response={202: ExportCreated}, summary="Ask for a copy of everything about you")
def create_export(request):
    export = export_actions.request_export(actor=request.auth, member=request.auth, channel="api")
    export.refresh_from_db()
    return Status(202, {"id": export.pk, "status": export.status})


@router.get("/me/exports/{export_id}", response=ExportOut, summary="A copy's progress, and its download link")
def get_export(request, export_id: int):
    export = get_object_or_404(ExportRequest, pk=export_id, member=request.auth)
    return _export_out(export)


def _erasure_body(request) -> ErasureIn:
    """The body is optional ({"reason", "delete_content"}): a bare POST is a request too."""
    if request.content_type != "application/json" or not request.body.strip():
        return ErasureIn()
    try:
        return ErasureIn.model_validate(json.loads(request.body))
    except (ValueError, pydantic.ValidationError) as error:
        raise DjangoValidationError(f"The body must be JSON like {{'reason': '...', 'delete_content': false}}: {error}")


@router.post(
    "/me/erasure",
    response={202: ErasureOut},
    summary="Ask for your data to be erased (optional body: reason, delete_content)",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": ErasureIn.model_json_schema()}},
        }
    },
)
def request_erasure(request):
    data = _erasure_body(request)
    made = erasure_actions.request_erasure(actor=request.auth, reason=data.reason, delete_content=data.delete_content)
    return Status(202, {"id": made.pk, "status": made.status, "due_at": made.due_at})


@router.get("/me/consents", response=list[ConsentOut], summary="Your consent for each purpose")
def list_consents(request):
    return [_consent_out(row) for row in consent.current(request.auth)]


@router.put("/me/consents", response=list[ConsentOut], summary="Give or withdraw consent: {purpose: true|false}")
def set_consents(request, data: Body[dict[str, bool]]):
    consent_actions.set_member_choices(actor=request.auth, member=request.auth, choices=data, source="api")
    return [_consent_out(row) for row in consent.current(request.auth)]


def _consent_out(row: dict) -> dict:
    latest = row["latest"]
    return {
        "purpose": row["purpose"],
        "label": row["label"],
        "wording": row["wording"],
        "allowed": row["allowed"],
        "recorded_at": latest.recorded_at if latest else None,
        "method": latest.method if latest else None,
    }


class ConsentRecordIn(Schema):
    purpose: str
    granted: bool
    method: str = pydantic.Field(description="How they told you: call, form (a paper form) or admin (a letter)")
    wording: str = pydantic.Field(description="The exact words they were read or shown")
    source: str = pydantic.Field(description="Where: which call, form or letter")
    recorded_at: dt.datetime | None = pydantic.Field(None, description="When they said it (default: now)")


class ConsentRecordOut(Schema):
    id: int
    purpose: str
    granted: bool
    method: str
    wording: str
    basis: str
    source: str
    recorded_at: dt.datetime
    recorded_by: int | None


class ConsentHistoryOut(Schema):
    current: list[ConsentOut]
    history: list[ConsentRecordOut]


def _record_out(row) -> dict:
    return {
        "id": row.pk,
        "purpose": row.purpose,
        "granted": row.granted,
        "method": row.method,
        "wording": row.wording,
        "basis": row.basis,
        "source": row.source,
        "recorded_at": row.recorded_at,
        "recorded_by": row.recorded_by_id,
    }


def _contact_for(request, contact_id: int):
    from django.http import Http404

    from leveller.phonebank.models import Contact

    contact = get_object_or_404(Contact.objects.select_related("campaign"), pk=contact_id)
    if not consent.may_manage_contact(request.auth, contact):
        raise Http404("No such contact.")
    return contact


def _member_for(request, member_id: int):
    from django.core.exceptions import PermissionDenied

    from leveller.accounts.models import Member

    if not request.auth.is_staff_member:
        raise PermissionDenied("Only staff can see or record a member's consent for them.")
    return get_object_or_404(Member, pk=member_id)


def _history(current_rows: list[dict], rows) -> dict:
    return {"current": [_consent_out(row) for row in current_rows], "history": [_record_out(r) for r in rows]}


@router.get(
    "/phonebank/contacts/{contact_id}/consents",
    response=ConsentHistoryOut,
    summary="A contact's consent now and its history (the campaign's organisers and staff)",
)
def contact_consents(request, contact_id: int):
    contact = _contact_for(request, contact_id)
    return _history(consent.contact_current(contact), consent.history(contact=contact))


@router.post(
    "/phonebank/contacts/{contact_id}/consents",
    response={201: ConsentRecordOut},
    summary="Record a contact's consent or withdrawal given on a call or on paper (organisers and staff)",
)
def record_contact_consent(request, contact_id: int, data: ConsentRecordIn):
    contact = _contact_for(request, contact_id)
    row = _record_by_hand(request, data, contact=contact)
    return Status(201, _record_out(row))


@router.get(
    "/members/{member_id}/consents", response=ConsentHistoryOut, summary="A member's consent and its history (staff)"
)
def member_consents(request, member_id: int):
    member = _member_for(request, member_id)
    return _history(consent.current(member), consent.history(member=member))


@router.post(
    "/members/{member_id}/consents",
    response={201: ConsentRecordOut},
    summary="Record a member's consent or withdrawal given by phone, on paper or by letter (staff)",
)
def record_member_consent(request, member_id: int, data: ConsentRecordIn):
    member = _member_for(request, member_id)
    row = _record_by_hand(request, data, member=member)
    return Status(201, _record_out(row))


def _record_by_hand(request, data: ConsentRecordIn, **subject):
    try:
        return consent_actions.record_by_hand(
            actor=request.auth,
            purpose=data.purpose,
            granted=data.granted,
            method=data.method,
            wording=data.wording,
            source=data.source,
            recorded_at=data.recorded_at,
            **subject,
        )
    except ValueError as error:  # an unknown purpose
        raise DjangoValidationError(str(error)) from None
