"""Lobbying API, mounted at /api/v1 (PREFIX is empty because it owns two roots):

- /api/v1/constituencies/lookup?postcode=  — public: postcode -> constituencies and their MPs;
- /api/v1/lobbying/campaigns…, /api/v1/lobbying/letters…, /api/v1/lobbying/statements… .

Errors are {"detail": "..."}: 400 bad input, 401 not logged in, 403 not allowed, 404 not found (or not yours).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from ninja import Query, Router, Schema, Status

from leveller.accounts.tokens import member_for_token
from leveller.core.access import require_member
from leveller.core.openapi import Detail
from leveller.lobbying import access, geography, results
from leveller.lobbying.actions import campaigns as campaign_actions
from leveller.lobbying.actions import letters as letter_actions
from leveller.lobbying.actions import statements as statement_actions
from leveller.lobbying.models import Campaign, CampaignStatus, Letter, SignatureState, SignerKind

router = Router()
PREFIX = ""


class MPOut(Schema):
    name: str
    party: str
    email: str


class ConstituencyOut(Schema):
    code: str
    name: str
    share: float | None
    exact: bool
    mp: MPOut | None


class LookupOut(Schema):
    postcode: str
    match: str
    constituencies: list[ConstituencyOut]


class LookupQuery(Schema):
    postcode: str = ""


def _caller(request):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return member_for_token(header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated and user.is_active else None


@router.get(
    "/constituencies/lookup",
    auth=None,
    response={200: LookupOut, 400: Detail},
    summary="The constituencies (and MPs) for a UK postcode, the exact match first",
    tags=["lobbying"],
)
def lookup(request, query: Query[LookupQuery]):
    """`postcode`: a full postcode ("SW1A 1AA", any case or spacing), a sector ("SW1A 1") or a district ("SW1A").
    `match` says how it was found: `exact` (the full-postcode table: the first entry; the others are the other
    seats its sector touches, with `share`, the fraction of the sector's postcodes in each), `sector`, `district`,
    or `northern-ireland` (no open data: all 18 NI seats, `share` null). 400 with a message for text that is not
    a postcode or a postcode not in the data."""
    found = geography.lookup(query.postcode)
    return {"postcode": found.postcode, "match": found.match,
            "constituencies": [c.as_dict() for c in found.candidates]}  # fmt: skip


# --- Campaigns -----------------------------------------------------------------------------------------


class LetterCampaignOut(Schema):
    slug: str
    title: str
    ask: str
    subject: str
    template: str
    personal_prompt: str
    targets: str
    target_parties: list[str]
    target_codes: list[str]
    own_mp_only: bool
    moderated: bool
    status: str
    opens_at: dt.datetime
    closes_at: dt.datetime | None
    is_open: bool
    url: str


class CampaignList(Schema):
    campaigns: list[LetterCampaignOut]


class LetterCampaignIn(Schema):
    title: str
    ask: str
    subject: str
    template: str
    personal_prompt: str | None = None
    targets: str = "own_mp"
    target_parties: list[str] = []
    target_codes: list[str] = []
    own_mp_only: bool = True
    moderated: bool = False
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None


class CampaignPatch(Schema):
    title: str | None = None
    ask: str | None = None
    subject: str | None = None
    template: str | None = None
    personal_prompt: str | None = None
    targets: str | None = None
    target_parties: list[str] | None = None
    target_codes: list[str] | None = None
    own_mp_only: bool | None = None
    moderated: bool | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    status: str | None = None


def campaign_out(campaign: Campaign) -> dict:
    return {
        **{f: getattr(campaign, f) for f in LetterCampaignOut.model_fields if hasattr(campaign, f) and f != "is_open"},
        "is_open": campaign.is_open(),
        "url": settings.SITE_URL + campaign.get_absolute_url(),
    }


@router.get("/lobbying/campaigns", auth=None, response={200: CampaignList}, tags=["lobbying"],
            summary="Open campaigns (and, for their organisers, drafts and closed ones)")  # fmt: skip
def list_campaigns(request):
    caller = _caller(request)
    rows = Campaign.objects.exclude(status=CampaignStatus.ARCHIVED)
    shown = [c for c in rows if c.is_open() or access.may_manage_campaign(caller, c)]
    return {"campaigns": [campaign_out(c) for c in shown]}


@router.post("/lobbying/campaigns", response={201: LetterCampaignOut, 400: Detail, 401: Detail, 403: Detail},
             tags=["lobbying"], summary="Create a campaign (organisers and staff); it starts as a draft")  # fmt: skip
def create_campaign(request, data: LetterCampaignIn):
    fields = data.model_dump(exclude_none=True)
    campaign = campaign_actions.create_campaign(actor=request.auth, **fields)
    return Status(201, campaign_out(campaign))


@router.get("/lobbying/campaigns/{slug}", auth=None, response={200: LetterCampaignOut, 404: Detail}, tags=["lobbying"],
            summary="One campaign (drafts: their organisers only)")  # fmt: skip
def get_campaign(request, slug: str):
    return campaign_out(access.visible_campaign(_caller(request), slug))


@router.patch("/lobbying/campaigns/{slug}", response={200: LetterCampaignOut, 400: Detail, 401: Detail, 403: Detail,
              404: Detail}, tags=["lobbying"], summary="Change a campaign, or its status (draft, published, "
              "archived)")  # fmt: skip
def patch_campaign(request, slug: str, data: CampaignPatch):
    campaign = access.managed_campaign(request.auth, slug)
    fields = data.model_dump(exclude_unset=True)
    status = fields.pop("status", None)
    if fields:
        campaign = campaign_actions.update_campaign(actor=request.auth, campaign=campaign, **fields)
    if status:
        campaign = campaign_actions.set_status(actor=request.auth, campaign=campaign, status=status)
    return campaign_out(campaign)


class RowOut(Schema):
    key: str
    label: str
    party: str
    mp_name: str
    sent: int
    replied: int
    agreed: int
    answered_no: int


class BouncedOut(Schema):
    mp_name: str
    mp_email: str
    constituency_name: str
    letters: int


class ResultsOut(Schema):
    sent: int
    states: dict[str, int]
    replies: dict[str, int]
    by_constituency: list[RowOut]
    by_party: list[RowOut]
    bounced: list[BouncedOut]


@router.get("/lobbying/campaigns/{slug}/results", response={200: ResultsOut, 401: Detail, 403: Detail,
            404: Detail}, tags=["lobbying"], summary="Counts by constituency and party, replies and bounces "
            "(organisers; never the letters' text)")  # fmt: skip
def campaign_results(request, slug: str):
    summary = results.summarise(access.managed_campaign(request.auth, slug))
    return {"sent": summary.sent, "states": summary.states, "replies": summary.replies,
            "by_constituency": [vars(r) for r in summary.by_constituency],
            "by_party": [vars(r) for r in summary.by_party], "bounced": summary.bounced}  # fmt: skip


# --- Letters --------------------------------------------------------------------------------------------


class LetterIn(Schema):
    postcode: str
    address: str
    personal: str
    letter: str = ""
    town: str = ""
    constituency_code: str = ""


class LetterOut(Schema):
    id: int
    campaign: str
    constituency_code: str
    constituency_name: str
    mp_name: str
    mp_party: str
    subject: str
    body: str
    state: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    follow_up_asked_at: dt.datetime | None
    reply: str


class LetterList(Schema):
    letters: list[LetterOut]


def letter_out(letter: Letter) -> dict:
    fields = {f: getattr(letter, f) for f in LetterOut.model_fields if f not in ("id", "campaign")}
    return {**fields, "id": letter.pk, "campaign": letter.campaign.slug}


@router.post("/lobbying/campaigns/{slug}/letters", response={201: LetterOut, 400: Detail, 401: Detail,
             404: Detail}, tags=["lobbying"], summary="Write to an MP (as the logged-in member): sent by email "
             "with your address for replies")  # fmt: skip
def write_letter(request, slug: str, data: LetterIn):
    """One letter per writer per campaign per MP; a daily cap per writer; `constituency_code` is needed when the
    postcode is ambiguous or in Northern Ireland (see /constituencies/lookup). 400 explains any refusal."""
    campaign = access.visible_campaign(request.auth, slug)
    letter = letter_actions.write_letter(actor=request.auth, campaign=campaign, **data.model_dump())
    return Status(201, letter_out(letter))


@router.get("/lobbying/letters", response={200: LetterList, 401: Detail}, tags=["lobbying"],
            summary="Your own letters")  # fmt: skip
def my_letters(request):
    require_member(request.auth)
    rows = Letter.objects.filter(writer=request.auth).select_related("campaign")[:500]
    return {"letters": [letter_out(letter) for letter in rows]}


@router.get("/lobbying/letters/{letter_id}", response={200: LetterOut, 401: Detail, 404: Detail},
            tags=["lobbying"], summary="One letter: its writer and the campaign's organisers only")  # fmt: skip
def get_letter(request, letter_id: int):
    return letter_out(access.readable_letter(request.auth, letter_id))


class ReplyIn(Schema):
    reply: str


@router.post("/lobbying/letters/{letter_id}/reply", response={200: LetterOut, 400: Detail, 401: Detail,
             404: Detail}, tags=["lobbying"], summary="Answer “Has your MP replied?”: yes, no or agreed")  # fmt: skip
def answer(request, letter_id: int, data: ReplyIn):
    letter = access.own_letter(request.auth, letter_id)
    return letter_out(letter_actions.record_reply(actor=request.auth, letter=letter, reply=data.reply))


class ModerationIn(Schema):
    approve: bool
    note: str = ""


@router.post("/lobbying/letters/{letter_id}/moderation", response={200: LetterOut, 400: Detail, 401: Detail,
             403: Detail, 404: Detail}, tags=["lobbying"], summary="Approve or reject a letter waiting for "
             "moderation (the campaign's organisers)")  # fmt: skip
def moderate(request, letter_id: int, data: ModerationIn):
    letter = access.readable_letter(request.auth, letter_id)
    letter = letter_actions.moderate_letter(actor=request.auth, letter=letter, approve=data.approve, note=data.note)
    return letter_out(letter)


# --- Statements -----------------------------------------------------------------------------------------


class SignatureOut(Schema):
    kind: str
    name: str
    role: str
    organisation: str
    logo_url: str | None


class StatementOut(Schema):
    slug: str
    title: str
    text: str
    status: str
    organisations: int
    individuals: int
    signatures: list[SignatureOut]


class SignIn(Schema):
    kind: str
    name: str
    email: str = ""
    role: str = ""
    organisation: str = ""
    consent: bool = False


class SignedOut(Schema):
    kind: str
    state: str
    detail: str


@router.get("/lobbying/statements/{slug}", auth=None, response={200: StatementOut, 404: Detail},
            tags=["lobbying"], summary="A joint statement and its shown signatures")  # fmt: skip
def get_statement(request, slug: str):
    from django.urls import reverse

    statement = access.visible_statement(_caller(request), slug)
    shown = list(statement.signatures.filter(state=SignatureState.SHOWN))
    return {
        "slug": statement.slug, "title": statement.title, "text": statement.text, "status": statement.status,
        "organisations": sum(1 for s in shown if s.kind == SignerKind.ORGANISATION),
        "individuals": sum(1 for s in shown if s.kind == SignerKind.INDIVIDUAL),
        "signatures": [{"kind": s.kind, "name": s.name, "role": s.role, "organisation": s.organisation,
                        "logo_url": reverse("lobbying:logo", args=[s.pk]) if s.logo else None} for s in shown],
    }  # fmt: skip


@router.post("/lobbying/statements/{slug}/signatures", auth=None, response={201: SignedOut, 400: Detail,
             404: Detail, 429: Detail}, tags=["lobbying"],
             summary="Sign a statement (logos: use the web form)")  # fmt: skip
def sign(request, slug: str, data: SignIn):
    """Individuals show at once; organisations after staff verify them. `consent` must be true. Without a login,
    at most 20 signatures an hour from one network (429 after that)."""
    from leveller.lobbying.views import public_write_allowed

    caller = _caller(request)
    statement = access.visible_statement(caller, slug)
    if caller is None and not public_write_allowed(request, "signature"):
        return Status(429, {"detail": "Too many signatures from your network. Try again in an hour."})
    signature = statement_actions.sign(actor=caller, statement=statement, **data.model_dump())
    detail = "Signed." if signature.state == SignatureState.SHOWN else "Signed: shown once staff have checked it."
    return Status(201, {"kind": signature.kind, "state": signature.state, "detail": detail})
