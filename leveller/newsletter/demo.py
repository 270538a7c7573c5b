"""Demo newsletter: two published issues (each with a members-answer section and a group spotlight), a draft,
an open question of the month with answers, and subscribers. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from leveller.accounts.models import Member
from leveller.newsletter import content
from leveller.newsletter.actions import issues as issue_actions
from leveller.newsletter.actions import subscriptions, voices
from leveller.newsletter.importing import import_subscribers
from leveller.newsletter.models import Delivery, DeliveryState, Issue, Question, Subscriber, SubscriberStatus

EDITOR = "staff@demo.leveller.org"

QUESTIONS = [
    (
        "What first brought you to organising?",
        [
            (
                "nia.hughes@demo.leveller.org",
                "A leak in my ceiling that the landlord ignored for a year. Twelve of us "
                "in the block signed one letter and it was fixed in a fortnight. I have not stopped since.",
                True,
            ),
            (
                "fatima.begum@demo.leveller.org",
                "My mum's union. She took me to picket lines in a pushchair, and I "
                "grew up thinking that was what grown-ups did on a Saturday.",
                True,
            ),
            (
                "daniel.mensah@demo.leveller.org",
                "Honestly? A friend asked me to come to one meeting. The biscuits "
                "were good and the people were better.",
                False,
            ),
        ],
    ),
    (
        "What is one thing your local group did this year that you are proud of?",
        [
            (
                "callum.fraser@demo.leveller.org",
                "We ran a repairs clinic every Thursday in the library. Forty "
                "households got their landlord to fix something, and six of them joined.",
                True,
            ),
            (
                "roisin.kelly@demo.leveller.org",
                "We made every meeting hybrid, with captions. Three housebound "
                "members now chair our sessions from home.",
                True,
            ),
            ("kwame.asante@demo.leveller.org", "We knocked on every door on our estate, twice.", False),
        ],
    ),
]
OPEN_QUESTION = "If you could change one thing about how our movement works, what would it be?"
OPEN_ANSWERS = [
    (
        "hannah.levy@demo.leveller.org",
        "Fewer meetings, better meetings: every meeting ends with one decision and one person who does it.",
        True,
        True,
    ),
    ("jamal.hussain@demo.leveller.org", "Childcare at every event, by default, without having to ask.", True, False),
    (
        "eilidh.macleod@demo.leveller.org",
        "More of our decisions made online, so people who work shifts get a say.",
        False,
        True,
    ),
    ("member@demo.leveller.org", "Pair every new member with someone who has been around a while.", True, True),
]

ROUNDUP = """- **Rent strike ends in victory.** Tenants at Albion Court won a rent freeze and £40,000 of repairs.
- **Dues reform passed** at the national assembly: pay what you can, from £1 a month.
- **Phonebank record:** 12,400 members called in a single weekend ahead of the conference vote.
- **New groups** started in Swansea, Inverness and Lisbon (for members abroad).
"""
SPOTLIGHT = """**How did the group start?**
Six neighbours and a WhatsApp thread, after a letter announcing a 20% rent rise.

**What works for you?**
Meeting at the same time and place every month, with food, and a crèche run by volunteers.

**What would you tell a new group?**
Start with a problem everyone already has, and win something small quickly.
"""
ISSUES = [
    (
        "The October issue: winning together",
        "A rent strike won, dues reformed, and your stories of how you started.",
        62,
    ),
    ("The November issue: proud of our groups", "Repairs clinics, hybrid meetings and a record phonebank.", 31),
]


def _members() -> dict[str, Member]:
    return {m.email: m for m in Member.objects.filter(email__endswith="@demo.leveller.org")}


def _question(editor, members, text, answers, *, status: str) -> Question:
    question = Question.objects.filter(text=text).first()
    if question is None:
        question = voices.create_question(actor=editor, text=text, open_now=True)
        for index, row in enumerate(answers):
            email, body, chosen = row[0], row[1], row[2]
            member = members.get(email)
            if member is None:
                continue
            # Not everyone agrees to be named: the third answer prints as "A member".
            answer = voices.submit_answer(
                actor=member, question=question, body=body, show_name=index != 2, show_group=row[-1] is not False
            )
            if status == "closed":
                voices.set_answer_status(actor=editor, answer=answer, status="chosen" if chosen else "declined")
            elif chosen:
                voices.set_answer_status(actor=editor, answer=answer, status="shortlisted")
        if status == "closed":
            voices.close_question(actor=editor, question=question)
    return question


def _subscribers(editor, members) -> None:
    for member in members.values():
        if not Subscriber.objects.filter(email__iexact=member.email).exists():
            subscriptions.subscribe_member(actor=member)
    if not Subscriber.objects.filter(consent_source="demo list").exists():
        # Readers who signed up on paper at a rally before Leveller, imported with their consent dates.
        rows = [
            f"reader{i + 1}@demo.leveller.org,{name},{postcode},2025-0{i % 9 + 1}-15,demo list"
            for i, (name, postcode) in enumerate(
                [
                    ("Aoife Byrne", "LS6 1AA"),
                    ("Tariq Shah", "B11 1AA"),
                    ("Ewa Kowalska", "G3 6AA"),
                    ("Gareth Davies", "CF10 1AA"),
                    ("Yusuf Demir", ""),
                    ("Holly Green", "BS5 6AA"),
                ]
            )
        ]
        import_subscribers(actor=editor, data="email,name,postcode,consent_date,source\n" + "\n".join(rows))


def _issue(editor, title, summary, days_ago, question) -> None:
    if Issue.objects.filter(title=title).exists():
        return
    group_choices = content.spotlight_choices()
    issue = issue_actions.create_issue(
        actor=editor,
        title=title,
        summary=summary,
        sections=[
            {"heading": "From the editors", "body": "Welcome to this month's newsletter. " + summary},
            {"heading": "News round-up", "body": ROUNDUP, "kind": "roundup"},
        ],
    )
    answers = issue_actions.add_section(actor=editor, issue=issue, kind="answers")
    issue_actions.update_section(
        actor=editor,
        section=answers,
        heading=f"Members answer: {question.text}",
        body="Thank you to everyone who wrote in. Here are a few of your answers.",
        question=question,
    )
    spotlight = issue_actions.add_section(actor=editor, issue=issue, kind="spotlight")
    group_id, group_name = group_choices[days_ago % len(group_choices)] if group_choices else (None, "")
    issue_actions.update_section(
        actor=editor,
        section=spotlight,
        heading=f"Group spotlight: {group_name or 'Moss Side'}",
        body=SPOTLIGHT,
        group_id=group_id,
    )
    issue_actions.publish_issue(actor=editor, issue=issue, email=False)
    when = timezone.now() - dt.timedelta(days=days_ago)
    Issue.objects.filter(pk=issue.pk).update(
        published_at=when,
        created_at=when,
        updated_at=when,
        send_status="done",
        send_started_at=when,
        send_finished_at=when + dt.timedelta(minutes=9),
    )
    # The send history, as if it had gone out through Leveller.
    receiving = Subscriber.objects.filter(status=SubscriberStatus.SUBSCRIBED).values_list("pk", flat=True)
    Delivery.objects.bulk_create(
        [
            Delivery(issue=issue, subscriber_id=pk, state=DeliveryState.SENT, attempts=1, sent_at=when)
            for pk in receiving
        ],
        ignore_conflicts=True,
    )


def load(*, log) -> None:
    members = _members()
    editor = members.get(EDITOR)
    if editor is None:
        log("newsletter: no demo editor (load accounts first)")
        return
    _subscribers(editor, members)
    for (question_text, answers), (title, summary, days_ago) in zip(QUESTIONS, ISSUES, strict=True):
        question = _question(editor, members, question_text, answers, status="closed")
        _issue(editor, title, summary, days_ago, question)
    _question(editor, members, OPEN_QUESTION, OPEN_ANSWERS, status="open")
    if not Issue.objects.filter(status="draft").exists():
        issue_actions.create_issue(
            actor=editor,
            title="The December issue",
            summary="Draft: the year in review.",
            sections=[{"heading": "The year in review", "body": "To write: the highlights of 2026."}],
        )
    log(
        f"newsletter: {Issue.objects.published().count()} published issues, "
        f"{Subscriber.objects.filter(status='subscribed').count()} subscribers, question of the month open"
    )
