"""Demo phonebank: a live campaign "Eviction Resistance: call members" with a script, a survey, ~200 fictional
contacts (Ofcom's drama numbers +447700900xxx, plus numbers abroad from ranges kept for fiction) and a few
calls already made. Idempotent: an existing campaign of that name is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from leveller.accounts.models import Member
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.actions import contacts as contact_actions
from leveller.phonebank.models import Campaign, Contact

NAME = "Eviction Resistance: call members"
D = "@demo.leveller.org"

SCRIPT = """\
Hi **{first_name}**, my name is … and I'm a volunteer with the tenants' union. Have you got two minutes?

We're calling members in **{branch}** because landlords near you have started serving no-fault eviction
notices again, and we're organising to resist them together.

- Ask how their housing is, and **listen**.
- Tell them about the eviction-resistance meeting this Saturday at 2pm.
- If they can't come, ask what would help: childcare, a lift, joining online.

Thank them, whatever they say. *If they ask to be taken off the list, choose "Do not call".*
"""

QUESTIONS = [
    {
        "id": "housing",
        "text": "Are you renting privately?",
        "kind": "single_choice",
        "choices": ["Yes", "Social housing", "Own home", "Other"],
    },
    {
        "id": "notice",
        "text": "Have you had an eviction notice in the last year?",
        "kind": "single_choice",
        "choices": ["Yes", "No"],
        "show_if": {"question": "housing", "answer": "Yes"},
    },
    {
        "id": "attend",
        "text": "Will you come to Saturday's meeting?",
        "kind": "single_choice",
        "choices": ["Yes", "Maybe", "No"],
    },
    {
        "id": "help",
        "text": "What would help you come?",
        "kind": "multiple_choice",
        "choices": ["Childcare", "A lift", "Joining online", "Step-free access"],
        "show_if": {"question": "attend", "answer": "Maybe"},
    },
    {"id": "confidence", "text": "How confident do you feel standing up to your landlord?", "kind": "scale"},
    {"id": "notes", "text": "Anything else they told you?", "kind": "text"},
]

FIRST = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Hassan",
    "Isla",
    "Jamal",
    "Kate",
    "Liam",
    "Maya",
    "Niall",
    "Olu",
    "Pria",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Yara",
    "Zoe",
]
LAST = [
    "Ahmed",
    "Brennan",
    "Clarke",
    "Dhillon",
    "Evans",
    "Fofana",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "Murphy",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quigley",
    "Rahman",
    "Singh",
    "Taylor",
]
BRANCHES = ["Hackney", "Moss Side", "Leith", "Cathays", "Toxteth", "Easton"]
# Numbers abroad, from ranges set aside for fiction: NANP 555-01xx, Australia's 0491 570 xxx, Ireland's 01 555 xxxx
ABROAD = [("+1 202 555 01{:02d}", "US"), ("+61 491 570 1{:02d}", "AU"), ("+353 1 555 01{:02d}", "IE")]


def _csv() -> bytes:
    rng = random.Random(4)
    lines = ["name,phone,postcode,country,branch"]
    for i in range(185):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        lines.append(f"{name},07700 900{i:03d},,GB,{rng.choice(BRANCHES)}")
    for i in range(15):
        pattern, country = ABROAD[i % len(ABROAD)]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        lines.append(f"{name},{pattern.format(i + 10)},,{country},Members abroad")
    lines.append("Not A Number,12345,,,Hackney")  # shows in the import report
    lines.append("Duplicate Row,07700 900001,,GB,Hackney")
    return ("\n".join(lines) + "\n").encode()


def load(*, log) -> None:
    if Campaign.objects.filter(name=NAME).exists():
        log("phonebank: demo campaign already there")
        return
    organiser = Member.objects.filter(email=f"organiser{D}").first()
    if organiser is None:
        log("phonebank: no demo organiser; skipped")
        return
    campaign = call_actions.create_campaign(
        actor=organiser,
        name=NAME,
        status="live",
        script=SCRIPT,
        questions=QUESTIONS,
        call_on_sundays=False,
        goal="Reach every member in the six hotspot branches before Saturday's eviction-resistance meeting.",
        max_attempts=3,
        retry_after_minutes=180,
    )
    job = contact_actions.upload_contacts(
        actor=organiser, campaign=campaign, data=_csv(), filename="members-hotspots.csv"
    )
    campaign.refresh_from_db()
    _make_some_calls(campaign)
    log(f"phonebank: “{NAME}” with {job.loaded} contacts ({job.invalid_count} invalid, {job.duplicates} duplicate)")


def _make_some_calls(campaign: Campaign) -> None:
    """A few calls already made, by demo callers, at times inside the contacts' calling hours."""
    callers = list(Member.objects.filter(email__in=[f"member{D}", f"nia.hughes{D}", f"callum.fraser{D}"]))
    if not callers:
        return
    rng = random.Random(7)
    # the most recent weekday 14:00 UTC, which is inside 10:00-20:00 for the UK contacts (and Ireland's)
    when = timezone.now().replace(hour=14, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    while when.weekday() == 6:
        when -= dt.timedelta(days=1)
    # Demo history only: the list "was loaded" the day before, so yesterday's calls could be made.
    Contact.objects.filter(campaign=campaign).update(available_at=when - dt.timedelta(hours=1))
    plan = ["answered"] * 7 + ["no_answer"] * 3 + ["voicemail", "refused", "busy", "wrong_number"]
    for index, outcome in enumerate(plan):
        caller = callers[index % len(callers)]
        now = when + dt.timedelta(minutes=4 * index)
        call = call_actions.next_contact(actor=caller, campaign=campaign, now=now)
        if call is None:
            break
        answers = None
        if outcome == "answered":
            answers = {
                "housing": rng.choice(["Yes", "Yes", "Social housing"]),
                "notice": rng.choice(["Yes", "No"]),
                "attend": rng.choice(["Yes", "Maybe", "No"]),
                "help": ["Childcare"],
                "confidence": rng.randint(1, 5),
            }
        call_actions.record_outcome(
            actor=caller, call=call, outcome=outcome, answers=answers, now=now + dt.timedelta(minutes=3)
        )
