"""Demo events: a week of events of every type across the demo groups (online, in person, one full with a
waitlist, one awaiting approval), a repeating weekly meeting, and the Future Councillors' Programme with four
workshops and applications. Idempotent: an event is made only if its title is not already used by its host."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from leveller.accounts.models import Member
from leveller.events.actions import courses as course_actions
from leveller.events.actions import events as event_actions
from leveller.events.actions import rsvps as rsvp_actions
from leveller.events.models import Course, CourseApplication, Event

D = "@demo.leveller.org"
LONDON = zoneinfo.ZoneInfo("Europe/London")
COURSE_TITLE = "Future Councillors' Programme"

# (title, type, group name or None for national, day offset, local time, hours, place, extra)
EVENTS = [
    (
        "Housing crisis: who profits? (political education)",
        "talk",
        "Brent",
        1,
        "19:00",
        2,
        {
            "in_person": True,
            "venue": "Willesden Green Library",
            "address": "95 High Road, London",
            "postcode": "NW10 2SF",
        },
        {"capacity": 40},
    ),
    (
        "By-election phonebank",
        "phonebank",
        None,
        2,
        "18:30",
        2,
        {"online": True, "in_person": False, "online_url": "https://meet.jit.si/leveller-demo-phonebank"},
        {
            "capacity": 30,
            "description": "Call members in the by-election ward. Training at the start; no experience needed.",
        },
    ),
    (
        "Skillshare: running a street stall",
        "skillshare",
        "Hackney",
        3,
        "18:00",
        2,
        {"in_person": True, "venue": "Round Chapel", "address": "1D Glenarm Road, London", "postcode": "E5 0LY"},
        {},
    ),
    (
        "Canvassing training",
        "training",
        "Manchester",
        2,
        "19:00",
        2,
        {
            "in_person": True,
            "online": True,
            "venue": "Friends Meeting House",
            "address": "6 Mount Street, Manchester",
            "postcode": "M2 5NS",
            "online_url": "https://meet.jit.si/leveller-demo-canvassing",
        },
        {"capacity": 3, "description": "Small group, hands on: this one fills up fast."},
    ),
    (
        "Court support: eviction hearing",
        "action",
        "Eviction Resistance — Brent",
        3,
        "08:30",
        3,
        {
            "in_person": True,
            "venue": "Willesden County Court",
            "address": "9 Acton Lane, London",
            "postcode": "NW10 8SB",
        },
        {"description": "Fill the public gallery. Meet outside at 08:30."},
    ),
    (
        "Members' social",
        "social",
        "Islington",
        5,
        "18:30",
        3,
        {
            "in_person": True,
            "venue": "The Red Lion (step-free)",
            "address": "Upper Street, London",
            "postcode": "N1 1QN",
        },
        {},
    ),
    (
        "Rally: Homes for All",
        "rally",
        None,
        6,
        "12:00",
        2,
        {"in_person": True, "venue": "Parliament Square", "address": "Westminster, London", "postcode": "SW1P 3BD"},
        {"description": "National rally. Stewards wanted: RSVP and tell your organiser."},
    ),
    (
        "The history of tenants' unions (online talk)",
        "talk",
        "Members with disabilities and carers",
        4,
        "18:00",
        1,
        {"online": True, "in_person": False, "online_url": "https://meet.jit.si/leveller-demo-tenants-history"},
        {"description": "Captioned, with a break halfway."},
    ),
    (
        "Berlin members' meetup",
        "social",
        "Berlin",
        5,
        "19:30",
        2,
        {"in_person": True, "venue": "Café Rosa", "address": "Weserstraße 10, 12047 Berlin"},
        {"time_zone": "Europe/Berlin"},
    ),
]


def _member(email: str) -> Member | None:
    return Member.objects.filter(email=email).first()


def _group(name: str | None):
    from leveller.groups.models import Group

    return Group.objects.approved().filter(name=name).first() if name else None


def _when(day: int, clock: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    date = timezone.localdate() + dt.timedelta(days=day)
    return dt.datetime(date.year, date.month, date.day, hour, minute, tzinfo=zone)


def _make(admin, title, type_, group_name, day, clock, hours, place, extra, **more) -> Event | None:
    group = _group(group_name)
    if group_name and group is None:
        return None
    existing = Event.objects.filter(title=title, group=group).first()
    if existing is not None:
        return None
    zone_name = extra.get("time_zone", "Europe/London")
    start = _when(day, clock, zoneinfo.ZoneInfo(zone_name))
    return event_actions.create_event(
        actor=more.pop("actor", admin),
        title=title,
        type=type_,
        group=group,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        **place,
        **{"time_zone": zone_name, **extra},
        **more,
    )


def _rsvp_some(event: Event, people: list[Member]) -> None:
    for person in people:
        rsvp_actions.rsvp(actor=person, event=event)


def load(*, log) -> None:
    admin = _member("admin" + D)
    if admin is None:
        log("events: no demo admin; skipped")
        return
    people = list(Member.objects.filter(email__endswith=D, is_active=True).exclude(email="admin" + D))
    made = 0
    for row in EVENTS:
        event = _make(admin, *row)
        if event is None:
            continue
        made += 1
        if event.capacity == 3:
            _rsvp_some(event, people[:5])  # full, with two on the waitlist
        else:
            _rsvp_some(event, people[::3])
    weekly = _make(
        admin,
        "Brent branch meeting",
        "meeting",
        "Brent",
        4,
        "19:00",
        2,
        {
            "in_person": True,
            "online": True,
            "venue": "Harlesden Methodist Church",
            "address": "Harlesden Road, London",
            "postcode": "NW10 4NG",
            "online_url": "https://meet.jit.si/leveller-demo-brent-branch",
        },
        {"description": "Our weekly meeting: reports, actions, and tea. Join in person or online."},
        repeat="weekly",
        count=8,
    )
    made += weekly is not None
    submitter = _member("member" + D)
    if submitter is not None and _group("Manchester") is not None:
        from leveller.groups.models import GroupMembership

        if GroupMembership.objects.filter(group=_group("Manchester"), member=submitter).exists():
            pending = _make(
                admin,
                "Reading group: The Ragged Trousered Philanthropists",
                "talk",
                "Manchester",
                6,
                "19:00",
                2,
                {
                    "in_person": True,
                    "venue": "Working Class Movement Library",
                    "address": "51 The Crescent, Salford",
                    "postcode": "M5 4WX",
                },
                {},
                actor=submitter,
            )
            made += pending is not None
    made += _course(admin, people)
    log(f"events: {made} events and courses created")


def _course(admin, people: list[Member]) -> int:
    course = Course.objects.filter(title=COURSE_TITLE).first()
    if course is not None:
        return 0
    course = course_actions.create_course(
        actor=admin,
        title=COURSE_TITLE,
        description=(
            "Four evening workshops for members thinking of standing for the council: how councils work, "
            "budgets, campaigning, and holding power to account. Attend three of the four to graduate and join "
            "the alumni network."
        ),
        questions=[
            "Why do you want to stand for the council?",
            "Which ward or area are you thinking of?",
            "Is there anything we should arrange so you can take part (access, childcare, timing)?",
        ],
        completion_threshold=3,
    )
    topics = [
        "How councils work",
        "Budgets and where the money goes",
        "Winning the campaign",
        "Holding power to account",
    ]
    for n, topic in enumerate(topics, start=1):
        _make(
            admin,
            f"Future Councillors' workshop {n}: {topic}",
            "training",
            None,
            7 * n,
            "18:30",
            2,
            {"online": True, "in_person": False, "online_url": f"https://meet.jit.si/leveller-demo-councillors-{n}"},
            {"capacity": 25},
            course=course,
        )
    answers = {
        "fatima.begum" + D: ["To fight for the tenants on my estate.", "Whitechapel", "Evening sessions suit me."],
        "member" + D: ["Our council keeps selling off land.", "Fallowfield", "Captions, please."],
    }
    for email, reply in answers.items():
        applicant = _member(email)
        if applicant is None or CourseApplication.objects.filter(course=course, member=applicant).exists():
            continue
        application = course_actions.apply_to_course(actor=applicant, course=course, answers=reply)
        if email.startswith("fatima"):
            course_actions.decide_application(
                actor=admin, application=application, accept=True, note="Welcome aboard: see you at workshop 1."
            )
    return 1
