"""Lobbying pages: the campaign list, the public action page (postcode, MP, letter), a writer's own letters and
the follow-up answer, and the public statement page. Organisers' pages are in manage_views.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from leveller.core.markdown import LONG_FORM, render_safe
from leveller.core.page_errors import reported
from leveller.lobbying import access, followups, geography, letters_text, tokens
from leveller.lobbying.actions import letters as letter_actions
from leveller.lobbying.actions import statements as statement_actions
from leveller.lobbying.actions.campaigns import is_target, target_constituencies
from leveller.lobbying.forms import LetterForm, PostcodeForm, SignForm
from leveller.lobbying.models import (
    Campaign,
    CampaignStatus,
    Letter,
    LetterState,
    Reply,
    Signature,
    SignatureState,
    SignerKind,
    Statement,
    StatementStatus,
)

PUBLIC_WRITES_PER_HOUR = 20
ATTRIBUTION = (
    "Contains Parliamentary information licensed under the Open Parliament Licence v3.0. Contains OS data © Crown "
    "copyright and database right 2023. Contains Royal Mail data © Royal Mail copyright and database right 2023. "
    "Contains National Statistics data © Crown copyright and database right 2023. Postcode-to-constituency data © "
    "mySociety, CC BY 4.0. Contains public sector information licensed under the Open Government Licence v3.0."
)


def _member(request):
    user = request.user
    return user if user.is_authenticated and user.is_active else None


def public_write_allowed(request, what: str) -> bool:
    """At most PUBLIC_WRITES_PER_HOUR letters or signatures an hour from one network without a login."""
    from leveller.core import limits

    rate = limits.Rate(f"lobbying-{what}", PUBLIC_WRITES_PER_HOUR, 3600)
    return limits.hit(rate, limits.client_ip(request) or "unknown").allowed


@login_required
def home(request):
    member = request.user
    campaigns = [c for c in Campaign.objects.filter(status=CampaignStatus.PUBLISHED) if c.is_open()]
    managed = []
    if member.is_organiser:
        managed = [c for c in Campaign.objects.exclude(status=CampaignStatus.ARCHIVED)
                   if access.may_manage_campaign(member, c)]  # fmt: skip
    statements = Statement.objects.filter(status=StatementStatus.OPEN)
    mine = Letter.objects.filter(writer=member).select_related("campaign")[:50]
    return render(
        request,
        "lobbying/home.html",
        {"campaigns": campaigns, "managed": managed, "statements": statements, "letters": mine,
         "drafts": Statement.objects.filter(status=StatementStatus.DRAFT) if member.is_staff_member else []},
    )  # fmt: skip


def _choices(campaign: Campaign, found: geography.Lookup | None) -> list[tuple[str, str]]:
    def label(seat: geography.Constituency) -> str:
        mp = seat.mp
        return f"{seat.name}: {mp.name} ({mp.party})" if mp else f"{seat.name} (no MP)"

    if campaign.own_mp_only:
        seats = [c.constituency for c in found.candidates] if found else []
        return [(s.code, label(s)) for s in seats if is_target(campaign, s)]
    return [(s.code, label(s)) for s in target_constituencies(campaign) if s.mp]


def _draft(campaign: Campaign, member, choices, found) -> str:
    values = {}
    if member is not None:
        values["member_name"] = member.display_name
    if len(choices) == 1 and found is not None and not found.ambiguous:
        seat = found.best.constituency
        values.update(mp_name=seat.mp.name if seat.mp else "", constituency=seat.name)
    return letters_text.fill(campaign.template, values)


@require_http_methods(["GET", "POST"])
def act(request, slug: str):
    """The public action page. Step 1: the postcode. Step 2: the MP, the address and the letter."""
    member = _member(request)
    campaign = access.visible_campaign(member, slug)
    context = {"campaign": campaign, "is_open": campaign.is_open(), "attribution": ATTRIBUTION,
               "may_manage": access.may_manage_campaign(member, campaign),
               "ask_html": render_safe(campaign.ask, LONG_FORM),
               "now": timezone.now()}  # fmt: skip
    context["tally"] = public_tally(campaign)
    postcode = (request.POST.get("postcode") or request.GET.get("postcode") or "").strip()
    if not postcode and member is not None and request.method == "GET" and "change" not in request.GET:
        postcode = member.postcode
    context["postcode_form"] = PostcodeForm(initial={"postcode": postcode})
    if member is not None:
        context["already"] = Letter.objects.filter(campaign=campaign, writer=member).order_by("created_at")
    found = None
    if postcode and context["is_open"]:
        checked = PostcodeForm({"postcode": postcode})
        with reported(request, form=checked, field="postcode") as looked_up:
            found = geography.lookup(postcode)
        if not looked_up.ok:
            context["postcode_form"] = checked
    if found is None or not context["is_open"]:
        return render(request, "lobbying/act.html", context)
    choices = _choices(campaign, found)
    form_kwargs = {"choices": choices, "member": member, "prompt": campaign.personal_prompt,
                   "consent_wording": letter_actions.SUPPORTER_WORDING}  # fmt: skip
    if request.method == "POST":
        form = LetterForm(request.POST, **form_kwargs)
        if form.is_valid():
            if member is None and not public_write_allowed(request, "letter"):
                form.add_error(None, "Too many letters from your network. Try again in an hour.")
            else:
                with reported(request, form=form) as outcome:
                    letter = letter_actions.write_letter(
                        actor=member, campaign=campaign, **_letter_fields(form.cleaned_data)
                    )
                if outcome.ok:
                    return render(request, "lobbying/written.html", {"campaign": campaign, "letter": letter})
    else:
        initial = {"postcode": found.postcode, "letter": _draft(campaign, member, choices, found)}
        if member is not None:
            initial["name"] = member.display_name
        if choices and (found.match == "exact" or len(choices) == 1):
            initial["constituency_code"] = choices[0][0] if not campaign.own_mp_only else found.best.constituency.code
        form = LetterForm(initial=initial, **form_kwargs)
    context.update(found=found, form=form, choices=choices, placeholders=letters_text.PLACEHOLDERS)
    return render(request, "lobbying/act.html", context)


def public_tally(campaign: Campaign) -> dict:
    """What anyone may see of a campaign's progress: counts only."""
    from django.db.models import Count, Q

    sent = Letter.objects.filter(campaign=campaign, state=LetterState.SENT)
    return sent.aggregate(
        letters=Count("pk"),
        mps=Count("constituency_code", distinct=True),
        replied=Count("pk", filter=Q(reply__in=[Reply.YES, Reply.AGREED])),
        agreed=Count("pk", filter=Q(reply=Reply.AGREED)),
    )


def _letter_fields(data: dict) -> dict:
    fields = {k: data.get(k, "") for k in ("postcode", "address", "town", "letter", "personal", "name", "email")}
    fields["constituency_code"] = data.get("constituency_code", "")
    fields["consent"] = bool(data.get("consent"))
    fields["newsletter"] = bool(data.get("newsletter"))
    return fields


def confirm(request, token: str):
    with reported(request, flash=False) as outcome:
        letter = letter_actions.confirm_letter(token=token)
    if not outcome.ok:
        return render(request, "lobbying/message.html", {"title": "Link not valid", "text": outcome.messages[0]},
                      status=410)  # fmt: skip
    return render(request, "lobbying/confirmed.html", {"letter": letter})


@require_http_methods(["GET", "POST"])
def follow_up(request, token: str):
    """The emailed "Has your MP replied?" link. A GET only shows the question (mail scanners follow links)."""
    letter_id = tokens.letter_for_follow_up(token)
    letter = Letter.objects.select_related("campaign").filter(pk=letter_id).first() if letter_id else None
    if letter is None:
        return render(request, "lobbying/message.html", {"title": "Link not valid",
                      "text": "This link has expired or is not valid."}, status=410)  # fmt: skip
    if request.method == "POST":
        with reported(request, flash=False) as outcome:
            letter_actions.record_reply(actor=None, letter=letter, reply=request.POST.get("reply", ""), via_token=True)
        if not outcome.ok:
            return render(request, "lobbying/message.html", {"title": "Not recorded", "text": outcome.messages[0]},
                          status=outcome.status)  # fmt: skip
        return render(request, "lobbying/message.html", {"title": "Thank you",
                      "text": "Your answer is recorded. It helps organisers know which MPs respond."})  # fmt: skip
    return render(request, "lobbying/follow_up.html", {"letter": letter, "answers": followups.ANSWERS,
                  "chosen": request.GET.get("answer", "")})  # fmt: skip


@login_required
def my_letters(request):
    letters = Letter.objects.filter(writer=request.user).select_related("campaign")
    return render(request, "lobbying/letters.html", {"letters": letters, "answers": followups.ANSWERS})


@login_required
def letter_detail(request, letter_id: int):
    letter = access.readable_letter(request.user, letter_id)
    return render(request, "lobbying/letter.html", {"letter": letter, "answers": followups.ANSWERS,
                  "is_writer": letter.writer_id == request.user.pk})  # fmt: skip


@login_required
@require_POST
def answer(request, letter_id: int):
    letter = access.own_letter(request.user, letter_id)
    with reported(request, denied=True):
        letter_actions.record_reply(actor=request.user, letter=letter, reply=request.POST.get("reply", ""))
    return redirect("lobbying:letter", letter_id=letter.pk)


@require_http_methods(["GET", "POST"])
def statement(request, slug: str):
    member = _member(request)
    statement = access.visible_statement(member, slug)
    shown = statement.signatures.filter(state=SignatureState.SHOWN)
    form = SignForm(request.POST or None, request.FILES or None, member=member,
                    consent_wording=statement_actions.SIGN_WORDING,
                    initial={"name": member.display_name} if member else None)  # fmt: skip
    signed = None
    if request.method == "POST" and form.is_valid():
        if member is None and not public_write_allowed(request, "signature"):
            form.add_error(None, "Too many signatures from your network. Try again in an hour.")
        else:
            data = form.cleaned_data
            with reported(request, form=form) as outcome:
                signed = statement_actions.sign(
                    actor=member, statement=statement, kind=data["kind"], name=data["name"],
                    email=data.get("email", ""), role=data["role"], organisation=data["organisation"],
                    logo=data.get("logo"), consent=data["consent"],
                )  # fmt: skip
            if outcome.ok:
                form = None
    return render(
        request,
        "lobbying/statement.html",
        {
            "statement": statement,
            "text_html": render_safe(statement.text, LONG_FORM),
            "organisations": shown.filter(kind=SignerKind.ORGANISATION),
            "individuals": shown.filter(kind=SignerKind.INDIVIDUAL),
            "form": form,
            "signed": signed,
            "may_manage": access.may_manage_statement(member, statement),
            "site_url": settings.SITE_URL,
        },
    )


def logo(request, signature_id: int):
    """A verified organisation's logo (pending and rejected ones are not public)."""
    signature = get_object_or_404(Signature, pk=signature_id)
    member = _member(request)
    if not signature.logo or (
        signature.state != SignatureState.SHOWN and not access.may_manage_statement(member, signature.statement)
    ):
        raise Http404("No such logo.")
    response = FileResponse(signature.logo.open("rb"), content_type=signature.logo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
