"""Demo lobbying: an open own-MP letter campaign with letters sent and replies recorded, a moderated campaign to
the MPs of two parties with letters waiting, and an open joint statement with verified and pending signatures.
Idempotent. No demo letter is ever emailed: they are written while the campaign is held for moderation and then
recorded as sent in the past, so nothing is queued for an MP's real address."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from leveller.accounts.models import Member
from leveller.lobbying.actions import campaigns, statements
from leveller.lobbying.actions.letters import write_letter
from leveller.lobbying.models import Campaign, Letter, LetterState, Reply, Statement

ORGANISER = "organiser@demo.leveller.org"
STAFF = "staff@demo.leveller.org"

PROTEST = {
    "title": "Vote against the Public Order (Protest Powers) Bill",
    "ask": "The Bill lets the police ban a protest for being *noisy*. Ask your MP to vote against it at second "
    "reading on 14 January, and to say so publicly.",
    "subject": "Please vote against the Protest Powers Bill, {mp_name}",
    "template": """Dear {mp_name},

I am writing as your constituent in {constituency} to ask you to vote against the Public Order (Protest
Powers) Bill at its second reading.

{personal_paragraph}

The right to protest peacefully, including loudly, is how working people have won almost everything we have.
Please tell me how you intend to vote.

Yours sincerely,
{member_name}
{member_town}""",
}
STRIKE = {
    "title": "Protect the right to strike",
    "ask": "Ask Labour and Labour (Co-op) MPs to keep their promise to repeal minimum-service levels.",
    "subject": "Keep the promise on the right to strike",
    "template": """Dear {mp_name},

{personal_paragraph}

I ask you to keep the promise to repeal minimum-service levels, in full, this session.

Yours sincerely,
{member_name}, {member_town}""",
}
PERSONAL = [
    "I marched for climate action last spring with my two children. It was loud, joyful and entirely peaceful.",
    "As a nurse I have been on strike twice. Both times we protested outside the hospital, and both times it "
    "was the noise that made the news and got us back round the table.",
    "My grandmother was at Greenham Common. I want my daughter to have the same right to stand up and be heard.",
    "Our tenants' union won repairs for forty homes because we protested outside the landlord's office.",
]
TOWNS = {"N1": "London", "SE15": "London", "NW10": "London", "M14": "Manchester", "CF24": "Cardiff"}

STATEMENT_TITLE = "Homes before profit: a joint statement on the Renters' Rights Act"
STATEMENT_TEXT = """We, the undersigned unions, tenants' organisations and campaigners, call on the government to:

1. **end no-fault evictions** now, not in two years;
2. cap in-tenancy rent rises at inflation;
3. fund councils to enforce repairs.

Every MP who agrees is invited to sign."""
ORGANISATIONS = [
    ("Dee Clarke", "General Secretary", "Renters' Union Cymru", "dee@rentersunion.example", True),
    ("Marcus Bell", "Chair", "Hackney Tenants' Federation", "marcus@hackneytenants.example", True),
    ("Ola Adeyemi", "Branch Secretary", "Care Workers' Union, Leeds", "ola@careworkers.example", False),
]
INDIVIDUALS = [
    ("Ruth Ellison", "Housing researcher"),
    ("Dr Imran Qureshi", "GP, Birmingham"),
    ("Fiona Grant", ""),
    ("Kofi Mensah", "Councillor, Lambeth"),
]


def _letters(campaign: Campaign, members: list[Member], *, sent: bool) -> int:
    written = 0
    for index, member in enumerate(members):
        if not member.postcode or member.country != "GB" or member.postcode.startswith("BT"):
            continue
        town = TOWNS.get(member.postcode.split()[0], "")
        try:
            letter = write_letter(actor=member, campaign=campaign, postcode=member.postcode, address=f"{10 + index} "
                                  "High Street", town=town, personal=PERSONAL[index % len(PERSONAL)])  # fmt: skip
        except ValidationError:
            continue  # an MP of another party, a postcode outside the data: this demo member does not write
        written += 1
        if sent:
            at = timezone.now() - dt.timedelta(days=20 - index % 10, hours=index)
            reply = [Reply.YES, Reply.NO, Reply.AGREED, ""][index % 4]
            Letter.objects.filter(pk=letter.pk).update(
                state=LetterState.SENT, sent_at=at, confirmed_at=at, created_at=at,
                follow_up_asked_at=at + dt.timedelta(days=14) if reply or index % 3 else None,
                reply=reply, reply_at=at + dt.timedelta(days=15) if reply else None,
            )  # fmt: skip
    return written


def _campaign(organiser, spec: dict, **fields) -> tuple[Campaign, bool]:
    existing = Campaign.objects.filter(title=spec["title"]).first()
    if existing is not None:
        return existing, False
    made = campaigns.create_campaign(actor=organiser, **spec, moderated=True,
                                     opens_at=timezone.now() - dt.timedelta(days=25),
                                     closes_at=timezone.now() + dt.timedelta(days=30), **fields)  # fmt: skip
    return campaigns.set_status(actor=organiser, campaign=made, status="published"), True


def _statement(staff) -> Statement:
    statement = Statement.objects.filter(title=STATEMENT_TITLE).first()
    if statement is not None:
        return statement
    statement = statements.create_statement(actor=staff, title=STATEMENT_TITLE, text=STATEMENT_TEXT, status="open")
    for name, role, organisation, email, verified in ORGANISATIONS:
        signature = statements.sign(actor=None, statement=statement, kind="organisation", name=name, role=role,
                                    organisation=organisation, email=email, consent=True)  # fmt: skip
        if verified:
            statements.verify_signature(actor=staff, signature=signature, approve=True)
    for index, (name, role) in enumerate(INDIVIDUALS):
        statements.sign(actor=None, statement=statement, kind="individual", name=name, role=role,
                        email=f"signer{index}@demo.leveller.org", consent=True)  # fmt: skip
    return statement


def load(*, log) -> None:
    people = {m.email: m for m in Member.objects.filter(email__endswith="@demo.leveller.org")}
    organiser, staff = people.get(ORGANISER), people.get(STAFF)
    if organiser is None or staff is None:
        log("lobbying: no demo organiser or staff (load accounts first)")
        return
    writers = sorted(people.values(), key=lambda m: m.email)
    protest, new = _campaign(organiser, PROTEST)
    if new:
        _letters(protest, writers, sent=True)
        campaigns.update_campaign(actor=organiser, campaign=protest, moderated=False)
    strike, new = _campaign(organiser, STRIKE, targets="parties", target_parties=["Labour", "Labour (Co-op)"])
    if new:
        _letters(strike, writers[:12], sent=False)  # waiting for the organiser's approval
    statement = _statement(staff)
    log(
        f"lobbying: 2 letter campaigns ({Letter.objects.filter(state=LetterState.SENT).count()} letters sent, "
        f"{Letter.objects.filter(state=LetterState.MODERATION).count()} awaiting moderation), "
        f"statement with {statement.signatures.count()} signatures"
    )
