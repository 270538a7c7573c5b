"""Demo votes: an open 6-seat STV election with a 40% women minimum, a published 3-seat result with ballots
(its electorate the North West region, when the groups demo is loaded), an open motion, a conference-motions
primary, and the re-foundation process with member motions and an amendment. Idempotent: each is looked up
by title first. Demo votes send no emails."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from leveller.accounts.models import Member
from leveller.elections.actions import amendments as amendment_actions
from leveller.elections.actions import motions as motion_actions
from leveller.elections.actions import processes as process_actions
from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.actions import voting as voting_actions
from leveller.elections.eligibility import eligible_members
from leveller.elections.models import Election, Kind, Process

COMMITTEE = "National Committee election 2026"
REGIONAL = "North West Regional Committee 2025"
MOTION = "Motion: affiliate to the Federation of Tenants' Unions"
PRIMARY = "Conference 2026: which motions should we debate?"
REFOUNDATION = "Re-foundation 2026"
REGION_SLUG = "north-west"

CANDIDATES = [
    (
        "nia.hughes",
        ["woman"],
        "Organiser in Cardiff for six years; built our renters' defence network from 12 to 400 members. I want the committee to fund organisers in every nation, not just London.",
    ),
    (
        "callum.fraser",
        [],
        "Edinburgh branch secretary. I will push for open committee minutes within a week of each meeting and a members' budget vote every year.",
    ),
    (
        "fatima.begum",
        ["woman", "bame"],
        "Tower Hamlets tenants' rep and carer. Meetings must work for people who can't travel: every committee meeting hybrid, captioned and recorded.",
    ),
    (
        "daniel.mensah",
        ["bame"],
        "Trade union rep in a Wembley warehouse. Our strength is in workplaces; I will argue for a union-organising fund and training for new reps.",
    ),
    (
        "roisin.kelly",
        ["woman"],
        "Belfast. I have run our phonebank for two years. I want every new member called within a week of joining.",
    ),
    (
        "kwame.asante",
        ["bame"],
        "Birmingham youth organiser. Under-30s are a third of our members and none of the committee: let's change that.",
    ),
    (
        "hannah.levy",
        ["woman", "disabled"],
        "Leeds. Disabled members' officer. Accessibility is not an add-on: I will audit every event and tool we use.",
    ),
    (
        "jamal.hussain",
        ["bame"],
        "Bradford councillor candidate. I will make sure the committee supports members standing in local elections.",
    ),
    (
        "eilidh.macleod",
        ["woman"],
        "Glasgow. Treasurer of a 300-member branch; I want transparent finances with a quarterly report to every member.",
    ),
    (
        "owen.price",
        [],
        "Swansea. Political education lead: I will set up a national course programme open to all members, online and free.",
    ),
]

REGIONAL_CANDIDATES = [
    ("grace.adeyemi", ["woman"]),
    ("liam.oconnor", []),
    ("zara.ahmed", ["woman"]),
    ("ben.carter", []),
    ("chloe.martin", ["woman"]),
    ("marek.nowak", []),
]

PROPOSALS = [
    "Rent controls now: a national campaign",
    "Fund a full-time organiser in every nation",
    "Four-day week with no loss of pay",
    "Scrap two-child benefit limit",
    "Public ownership of water",
    "Members' vote on all electoral pacts",
    "Free school meals for every child",
    "Repeal anti-strike laws",
    "Climate jobs guarantee",
    "Open selections for all candidates",
    "Digital democracy: online branch meetings count for quorum",
    "End no-fault evictions in Scotland and Wales",
    "Solidarity with migrant workers: end NRPF",
    "A members' assembly every year",
]


def _has_group(slug: str) -> bool:
    from leveller.groups.models import Group

    return Group.objects.filter(slug=slug).exists()


def _member(local: str) -> Member | None:
    return Member.objects.filter(email=f"{local}@demo.leveller.org").first()


def _admin() -> Member:
    return Member.objects.filter(email="admin@demo.leveller.org").first()


def _committee(admin, now) -> None:
    election = setup_actions.create_election(
        actor=admin,
        title=COMMITTEE,
        kind=Kind.STV,
        description="Elect six members to the National Committee for a two-year term. At least 40% of the seats "
        "(3 of 6) go to women.",
        seats=6,
        rules="scottish",
        nomination_threshold=3,
        freeze_date=dt.date(2024, 6, 1),
        email_members=False,
        nominations_open_at=now - dt.timedelta(days=21),
        nominations_close_at=now - dt.timedelta(days=7),
        voting_opens_at=now - dt.timedelta(days=1),
        voting_closes_at=now + dt.timedelta(days=13),
    )
    setup_actions.set_minimum_rule(actor=admin, election=election, category="woman", minimum=3)
    for local, tags, statement in CANDIDATES:
        person = _member(local)
        if person is not None:
            setup_actions.add_candidate(
                actor=admin, election=election, name=person.display_name, statement=statement, tags=tags, member=person
            )
    transition_actions.open_voting(actor=admin, election=election)


def _regional(admin, now) -> None:
    election = setup_actions.create_election(
        actor=admin,
        title=REGIONAL,
        kind=Kind.STV,
        description="Three seats on the regional committee, counted by Meek STV. At least one woman.",
        seats=3,
        rules="meek",
        email_members=False,
        electorate_groups=[REGION_SLUG] if _has_group(REGION_SLUG) else [],
        voting_opens_at=now - dt.timedelta(days=30),
        voting_closes_at=now + dt.timedelta(days=1),
    )
    setup_actions.set_minimum_rule(actor=admin, election=election, category="woman", minimum=1)
    options = []
    for local, tags in REGIONAL_CANDIDATES:
        person = _member(local)
        if person is not None:
            options.append(
                setup_actions.add_candidate(
                    actor=admin,
                    election=election,
                    name=person.display_name,
                    statement=f"{person.display_name} has organised in the region for years.",
                    tags=tags,
                    member=person,
                )
            )
    transition_actions.open_voting(actor=admin, election=election)
    draw = random.Random(2025)
    weights = [8, 6, 5, 4, 3, 2][: len(options)]
    for voter in eligible_members(election)[:28]:
        pool = list(options)
        ranking = []
        while pool and (not ranking or draw.random() < 0.7):
            pick = draw.choices(pool, weights=[weights[options.index(c)] for c in pool])[0]
            pool.remove(pick)
            ranking.append(pick.pk)
        voting_actions.cast_ballot(actor=voter, election=election, ranking=ranking)
    transition_actions.close_voting(actor=admin, election=election)
    election.refresh_from_db()
    if election.state == "counted":
        transition_actions.publish_results(actor=admin, election=election)


def _motion(admin, now) -> None:
    election = setup_actions.create_election(
        actor=admin,
        title=MOTION,
        kind=Kind.MOTION,
        description="This organisation affiliates to the Federation of Tenants' Unions, pays the affiliation fee "
        "of £2,400 a year from the campaigns budget, and sends two delegates to its annual conference.\n\n"
        "Changing our affiliations needs two-thirds of the votes cast (abstentions not counted) and at least "
        "10 ballots.",
        quorum=10,
        threshold="two_thirds",
        email_members=False,
        voting_closes_at=now + dt.timedelta(days=10),
    )
    transition_actions.open_voting(actor=admin, election=election)


def _primary(admin, now) -> None:
    election = setup_actions.create_election(
        actor=admin,
        title=PRIMARY,
        kind=Kind.APPROVAL,
        description="Branches submitted 14 motions; conference has time for 8. Tick every motion you want "
        "debated. The 8 with the most support go on the agenda. Results stay hidden until voting closes.",
        seats=8,
        voting_closes_at=now + dt.timedelta(days=7),
        email_members=False,
    )
    for title in PROPOSALS:
        setup_actions.add_candidate(actor=admin, election=election, name=title, statement="")
    transition_actions.open_voting(actor=admin, election=election)


MOTIONS = [
    (
        "nia.hughes",
        "A members' assembly every year",
        "This organisation will hold a members' assembly every year, open to every member, which sets our "
        "priorities for the year and elects the National Committee.",
        ["callum.fraser", "fatima.begum"],
    ),
    (
        "callum.fraser",
        "Open minutes",
        "The National Committee will publish its minutes to members within one week of each meeting, "
        "with only personal matters withheld.",
        ["nia.hughes"],
    ),
    (
        "fatima.begum",
        "Organisers in every nation",
        "This organisation will employ at least one organiser in each of England, Scotland and Wales "
        "within two years, funded from dues.",
        [],
    ),
]


def _refoundation(admin, now) -> None:
    process = process_actions.create_process(
        actor=admin,
        title=REFOUNDATION,
        slug="refoundation-2026",
        description="Members decide the organisation's future: move motions, amend them, debate, and vote.",
        seconders_needed=2,
        amendment_seconders_needed=1,
        proposals_open_at=now - dt.timedelta(days=10),
        proposals_close_at=now + dt.timedelta(days=4),
        amendments_close_at=now + dt.timedelta(days=8),
        deliberation_close_at=now + dt.timedelta(days=12),
        voting_opens_at=now + dt.timedelta(days=12),
        voting_closes_at=now + dt.timedelta(days=20),
        results_at=now + dt.timedelta(days=21),
    )
    for mover, title, text, seconders in MOTIONS:
        person = _member(mover)
        if person is None:
            continue
        motion = motion_actions.propose_motion(actor=person, title=title, text=text, process=process)
        for local in seconders:
            if (seconder := _member(local)) is not None:
                motion_actions.second_motion(actor=seconder, motion=motion)
        if title == "A members' assembly every year" and (amender := _member("grace.adeyemi")) is not None:
            amendment_actions.propose_amendment(
                actor=amender,
                motion=motion,
                text=text.replace("every year", "every year, held in a different nation each time,"),
                reason="So that members outside London can get there every few years.",
            )


def load(*, log) -> None:
    admin = _admin()
    if admin is None:
        log("elections: no demo admin; skipped")
        return
    now = timezone.now()
    made = []
    for title, build in ((COMMITTEE, _committee), (REGIONAL, _regional), (MOTION, _motion), (PRIMARY, _primary)):
        if not Election.objects.filter(title=title).exists():
            build(admin, now)
            made.append(title)
    if not Process.objects.filter(title=REFOUNDATION).exists():
        _refoundation(admin, now)
    log(f"elections: 4 demo votes ({len(made)} new) and the {REFOUNDATION} process")
