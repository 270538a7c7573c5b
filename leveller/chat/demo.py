"""Demo chat: default and topic channels, regional channels, a private team, real-feeling conversations,
introductions in #welcome (some still waiting for a hello), a thread, reactions and a DM. Idempotent:
a channel that already has messages is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from leveller.accounts.models import Member
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.models import Channel, Message

D = "@demo.leveller.org"

CHANNELS = [
    # name, purpose, section, private, creator
    (
        "political-education",
        "Reading groups, talks and study guides. This month: the history of rent strikes.",
        "campaigns",
        False,
        "organiser",
    ),
    (
        "skillshare",
        "Teach what you know: facilitation, design, spreadsheets, public speaking.",
        "discussion",
        False,
        "nia.hughes",
    ),
    (
        "eviction-resistance",
        "Rapid response to evictions. Phone tree, legal observers, court support.",
        "campaigns",
        False,
        "organiser",
    ),
    ("london", "Members in Greater London.", "regions", False, "organiser"),
    ("manchester", "Members in Greater Manchester.", "regions", False, "member"),
    ("wales-cymru", "Aelodau yng Nghymru · Members in Wales.", "regions", False, "nia.hughes"),
    ("scotland", "Members in Scotland.", "regions", False, "eilidh.macleod"),
    (
        "data-team",
        "Membership data, CRM clean-up and reporting. Private: personal data is discussed here.",
        "teams",
        True,
        "staff",
    ),
]

MEMBERS = {
    "political-education": [
        "admin",
        "staff",
        "member",
        "callum.fraser",
        "fatima.begum",
        "daniel.mensah",
        "hannah.levy",
        "marek.nowak",
    ],
    "skillshare": ["organiser", "member", "roisin.kelly", "kwame.asante", "grace.adeyemi", "mei.lin"],
    "eviction-resistance": [
        "staff",
        "member",
        "jamal.hussain",
        "owen.price",
        "zara.ahmed",
        "liam.oconnor",
        "ben.carter",
    ],
    "london": ["admin", "staff", "organiser", "fatima.begum", "zara.ahmed", "grace.adeyemi", "hamza.ali"],
    "manchester": ["organiser", "jamal.hussain", "daniel.mensah", "sophie.turner"],
    "wales-cymru": ["organiser", "rhys.morgan", "mared.jones", "owen.price"],
    "scotland": ["organiser", "callum.fraser", "sean.murphy"],
    "data-team": ["admin", "organiser", "arjun.patel"],
}

CONVERSATIONS = {
    "welcome": [
        (
            "callum.fraser",
            "Hi all! I'm Callum, a bus driver in Glasgow. Joined after our depot's pay fight. Keen to help with the Scotland phonebank.",
        ),
        (
            "fatima.begum",
            "Hello 👋 I'm Fatima from Tower Hamlets. I'm a carer so I mostly organise from home, happy to do online stuff and calls.",
        ),
        (
            "marek.nowak",
            "Cześć! Marek here, Leeds. Warehouse worker, interested in tenants' organising and translating leaflets into Polish.",
        ),
        ("mei.lin", "Hi everyone, I'm Mei in Bristol. I work in design and can help with graphics for campaigns."),
    ],
    "announcements": [
        (
            "staff",
            "**Annual conference: 14 June, Birmingham.** Motions are due by 1 May. Step-free venue, BSL interpretation and a quiet room. Childcare bursaries available: reply in the thread if you need one.",
        ),
        ("staff", "The new members' handbook is in #resources. Please share it with anyone who joined this year."),
    ],
    "resources": [
        (
            "organiser",
            "Members' handbook (2025 edition): https://example.org/handbook.pdf\nCovers: how branches work, how to run a meeting, and your rights as a member.",
        ),
        (
            "nia.hughes",
            "One-to-one conversation guide for new organisers: https://example.org/one-to-ones\n\n1. Listen more than you talk\n2. Ask what they care about\n3. End with a clear ask",
        ),
        (
            "staff",
            "Template for writing to your landlord about repairs (England & Wales): https://example.org/repairs-letter",
        ),
    ],
    "political-education": [
        (
            "hannah.levy",
            "Reading for Thursday: chapters 3–4 of *Rent Strike! Glasgow 1915*. We'll meet on the video call at 7pm.",
        ),
        ("daniel.mensah", "Could we also look at the 1968–70 council rent strikes? Lots of parallels with now."),
        ("callum.fraser", "Seconded, my gran was in the Glasgow one ✊"),
    ],
    "skillshare": [
        (
            "kwame.asante",
            "I can run a 30-minute session on chairing meetings so quieter people get heard. Anyone interested?",
        ),
        ("grace.adeyemi", "Yes please! Could you record it for people who can't make evenings?"),
        (
            "mei.lin",
            "Happy to do a Canva basics session for leaflet design.\n\n```\nTip: export as PDF (print) with bleed\n```",
        ),
    ],
    "eviction-resistance": [
        (
            "jamal.hussain",
            "Urgent: bailiffs expected at a flat on Ashton Old Road on Friday 9am. Who can come for 8:30?",
        ),
        ("owen.price", "I can be there. I'll bring the hi-vis for legal observers."),
        ("zara.ahmed", "Court support rota for next week is updated: https://example.org/rota"),
    ],
    "london": [
        (
            "fatima.begum",
            "Tower Hamlets branch meeting is online this month so carers can join. Link in the pinned message.",
        )
    ],
    "manchester": [("sophie.turner", "Leafleting in Levenshulme on Saturday 11am, meet by the library.")],
    "wales-cymru": [
        (
            "mared.jones",
            "Croeso! Mae'r cyfarfod nesaf yng Nghaerdydd ddydd Mawrth. Next meeting is in Cardiff on Tuesday.",
        )
    ],
    "scotland": [("sean.murphy", "Anyone in Dundee? Looking to start a branch.")],
    "data-team": [
        (
            "arjun.patel",
            "I've deduplicated 312 records from the spring import. Lapsed members list is ready for the renewal phonebank.",
        ),
        (
            "organiser",
            "Great. Please keep phone numbers out of this channel, share the list through the phonebank tool only.",
        ),
    ],
}


def _member(key: str) -> Member | None:
    return Member.objects.filter(email__iexact=f"{key}{D}").first()


def _channels() -> dict[str, Channel]:
    channels = {c.name: c for c in channel_actions.ensure_default_channels()}
    for name, purpose, section, private, creator in CHANNELS:
        channel = Channel.objects.standard().filter(name=name).first()
        if channel is None:
            channel = channel_actions.create_channel(
                actor=_member(creator), name=name, purpose=purpose, section=section, private=private
            )
        channels[name] = channel
        for key in MEMBERS.get(name, []):
            person = _member(key)
            if person is not None:
                channel_actions.add_channel_member(actor=None, channel=channel, member=person)
    return channels


def _post(channel: Channel, lines, *, start: dt.datetime) -> list[Message]:
    posted = []
    for offset, (key, text) in enumerate(lines):
        author = _member(key)
        if author is None:
            continue
        if not channel.memberships.filter(member=author).exists():
            channel_actions.add_channel_member(actor=None, channel=channel, member=author)
        posted.append(message_actions.send_message(actor=author, channel=channel, text=text))
        # Demo only: spread the conversation over the past days so it reads like one.
        Message.objects.filter(pk=posted[-1].pk).update(created_at=start + dt.timedelta(hours=offset * 3))
    return posted


def load(*, log) -> None:
    if _member("staff") is None:
        log("chat: demo members missing; load accounts first")
        return
    channels = _channels()
    start = timezone.now() - dt.timedelta(days=3)
    fresh = 0
    for name, lines in CONVERSATIONS.items():
        channel = channels.get(name)
        if channel is None or channel.messages.exists():
            continue
        fresh += 1
        posted = _post(channel, lines, start=start)
        _extras(name, posted)
    dm = channel_actions.open_dm(actor=_member("organiser"), members=[_member("member")])
    if not dm.messages.exists():
        message_actions.send_message(
            actor=_member("organiser"),
            channel=dm,
            text="Hi Sam, thanks for offering to call lapsed members. Have you done a phonebank before?",
        )
        message_actions.send_message(
            actor=_member("member"), channel=dm, text="Not yet! Is there a script I can read first?"
        )
        message_actions.send_message(
            actor=_member("organiser"), channel=dm, text="Yes, it's in #resources. Shout if anything is unclear 🙂"
        )
    log(f"chat: {len(channels)} channels, {fresh} new conversations")


def _extras(name: str, posted: list[Message]) -> None:
    if not posted:
        return
    if name == "welcome":
        # Callum and Fatima get a hello; Marek and Mei stay in the "New joiners to greet" panel.
        message_actions.send_message(
            actor=_member("organiser"),
            channel=posted[0].channel,
            text="Welcome Callum! Say hi in #scotland 🙂",
            thread=posted[0],
        )
        message_actions.send_message(
            actor=_member("nia.hughes"),
            channel=posted[1].channel,
            text="Croeso Fatima! Online organising is so valuable.",
            thread=posted[1],
        )
        message_actions.add_reaction(actor=_member("staff"), message=posted[0], emoji="👋")
    elif name == "announcements":
        message_actions.send_message(
            actor=_member("member"),
            channel=posted[0].channel,
            text="Is there a remote option for people who can't travel?",
            thread=posted[0],
        )
        message_actions.send_message(
            actor=_member("staff"),
            channel=posted[0].channel,
            text="Yes: livestream with captions, and remote voting on motions.",
            thread=posted[0],
        )
        message_actions.pin_message(actor=_member("staff"), message=posted[0])
        message_actions.add_reaction(actor=_member("member"), message=posted[0], emoji="🎉")
        message_actions.add_reaction(actor=_member("organiser"), message=posted[0], emoji="🎉")
    elif name == "eviction-resistance":
        message_actions.add_reaction(actor=_member("staff"), message=posted[0], emoji="✊")
        message_actions.send_message(
            actor=_member("member"),
            channel=posted[0].channel,
            text="I can do 8:30 too, I'll bring flasks.",
            thread=posted[0],
            also_to_channel=True,
        )
    elif name == "skillshare":
        message_actions.add_reaction(actor=_member("member"), message=posted[0], emoji="👍")
