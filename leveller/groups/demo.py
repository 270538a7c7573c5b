"""Demo groups: London boroughs and cities across the UK in their regions, Eviction Resistance action groups,
online-only groups, groups abroad and one proposal waiting for staff. Idempotent."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from leveller.accounts.models import Member
from leveller.groups import finder
from leveller.groups.actions import groups as group_actions
from leveller.groups.models import Group, GroupMembership, GroupStatus, Kind, Role

D = "@demo.leveller.org"
MEETS = "Second Tuesday of the month, 7pm, in person and online"

# name -> (districts, organiser email or None)
REGIONS = {
    "London": "All of London's local groups. Regional assemblies every quarter.",
    "North West": "Greater Manchester, Merseyside, Lancashire and Cumbria.",
    "West Midlands": "Birmingham, the Black Country, Coventry and beyond.",
    "Yorkshire and the Humber": "From Sheffield to Hull to the Dales.",
    "North East": "Tyneside, Wearside, Teesside and Northumberland.",
    "East Midlands": "Nottingham, Leicester, Derby and the shires.",
    "South East": "Oxford, Brighton, Kent and the Thames Valley.",
    "South West": "Bristol, Devon, Cornwall and the West Country.",
    "Scotland": "Every local group in Scotland.",
    "Wales": "Cymru: pob grŵp lleol yng Nghymru.",
    "Northern Ireland": "Belfast, Derry and across the North.",
}

LOCAL = [
    ("Brent", "London", "NW10 HA0 HA9 NW2 NW6", "organiser" + D),
    ("Hackney", "London", "E5 E8 E9 N16", None),
    ("Islington", "London", "N1 N4 N5 N7 N19", "admin" + D),
    ("Lambeth", "London", "SW2 SW4 SW8 SW9 SE11 SE27", None),
    ("Southwark", "London", "SE1 SE5 SE15 SE16 SE17 SE22", "staff" + D),
    ("Tower Hamlets", "London", "E1 E1W E2 E3 E14", None),
    ("Haringey", "London", "N8 N15 N17 N22", None),
    ("Waltham Forest", "London", "E4 E10 E11 E17", None),
    ("Harrow", "London", "HA1 HA2 HA3", None),
    ("Manchester", "North West", "M1 M4 M13 M14 M15 M16 M20", None),
    ("Liverpool", "North West", "L1 L7 L8 L15 L17", None),
    ("Birmingham", "West Midlands", "B1 B5 B12 B13 B29", None),
    ("Leeds", "Yorkshire and the Humber", "LS1 LS2 LS6 LS7 LS8", None),
    ("Bradford", "Yorkshire and the Humber", "BD1 BD3 BD7 BD8", None),
    ("Sheffield", "Yorkshire and the Humber", "S1 S2 S10 S11", None),
    ("Newcastle", "North East", "NE1 NE2 NE4 NE6", None),
    ("Nottingham", "East Midlands", "NG1 NG2 NG7", None),
    ("Leicester", "East Midlands", "LE1 LE2 LE3", None),
    ("Oxford", "South East", "OX1 OX2 OX3 OX4", None),
    ("Bristol", "South West", "BS1 BS2 BS3 BS5 BS6", None),
    ("Glasgow", "Scotland", "G1 G3 G11 G12 G20 G31", None),
    ("Edinburgh", "Scotland", "EH1 EH6 EH7 EH8", "callum.fraser" + D),
    ("Cardiff", "Wales", "CF5 CF10 CF11 CF24", "nia.hughes" + D),
    ("Swansea", "Wales", "SA1 SA2", None),
    ("Bangor and Gwynedd", "Wales", "LL55 LL57", None),
    ("Belfast", "Northern Ireland", "BT1 BT7 BT9 BT12", None),
]

EVICTION_RESISTANCE = [
    ("Eviction Resistance — Brent", "London", "NW10 HA0 HA9", "organiser" + D),
    ("Eviction Resistance — Hackney", "London", "E5 E8 E9 N16", None),
    ("Eviction Resistance — Manchester", "North West", "M13 M14 M15", None),
    ("Eviction Resistance — Glasgow", "Scotland", "G11 G12 G20", "callum.fraser" + D),
]

ONLINE = [
    (
        "Members with disabilities and carers",
        "A self-organised caucus for disabled members and carers. Everything online, captioned, with breaks.",
        "Every other Thursday, 6pm, online (captioned)",
    ),
    (
        "Online members",
        "For members who cannot get to a local group: housebound, rural, shift workers. Meet, plan and phonebank.",
        "First Sunday of the month, 4pm UK time, online",
    ),
]

ABROAD = [
    ("Berlin", "DE", "Berlin", "Members living in Berlin and Brandenburg.", "Last Wednesday, 19:30, Neukölln"),
    ("Dublin", "IE", "Dublin", "Members living in Ireland.", "Monthly, online and in Dublin"),
    ("Barcelona", "ES", "Barcelona", "Members living in Catalonia.", "Monthly, online"),
]


def _member(email: str | None) -> Member | None:
    return Member.objects.filter(email=email).first() if email else None


def _ensure(actor, *, name: str, kind: str, organiser=None, **fields) -> tuple[Group, bool]:
    group = Group.objects.filter(name=name, kind=kind).first()
    if group is not None:
        return group, False
    return group_actions.create_group(actor=actor, name=name, kind=kind, organiser=organiser, **fields), True


def _join_members(actor) -> int:
    """Each demo member joins the local groups covering their postcode (and its region), or their country's."""
    joined = 0
    finder.reset_index()  # the groups made above are not committed yet, so the shared generation is unchanged
    for member in Member.objects.filter(email__endswith=D, is_active=True):
        if member.is_guest:
            continue
        query = finder.default_query_for(member)
        if not query:
            continue
        try:
            result = finder.find(query, limit=0)
        except ValidationError:  # a demo member with an unknown postcode simply joins nothing
            continue
        for found in [*result.local, *result.regional][:4]:
            group = Group.objects.get(pk=found.id)
            if not GroupMembership.objects.filter(group=group, member=member).exists():
                group_actions.add_group_member(actor=actor, group=group, member=member)
                joined += 1
    return joined


def _promote_organisers(actor) -> None:
    """A group with members but no organiser gets its longest-standing member as organiser."""
    for group in Group.objects.approved().exclude(memberships__role=Role.ORGANISER):
        first = group.memberships.order_by("joined_at", "id").first()
        if first is not None:
            group_actions.set_group_role(actor=actor, group=group, member=first.member, role=Role.ORGANISER)


def load(*, log) -> None:
    admin = Member.objects.filter(email="admin" + D).first()
    if admin is None:
        log("groups: no demo admin; skipped")
        return
    made = 0
    regions = {}
    for name, description in REGIONS.items():
        regions[name], new = _ensure(
            admin, name=name, kind=Kind.REGIONAL, description=description, meeting_pattern="Quarterly assembly"
        )
        made += new
    for name, region, districts, organiser in LOCAL:
        _, new = _ensure(
            admin,
            name=name,
            kind=Kind.LOCAL,
            parent=regions[region],
            districts=districts,
            description=f"The local group for members in and around {name}.",
            meeting_pattern=MEETS,
            organiser=_member(organiser),
        )
        made += new
    for name, region, districts, organiser in EVICTION_RESISTANCE:
        _, new = _ensure(
            admin,
            name=name,
            kind=Kind.CAMPAIGN,
            campaign="Eviction Resistance",
            parent=regions[region],
            districts=districts,
            description="We turn up when bailiffs do. Rapid-response phone tree, court support, and tenants' rights.",
            meeting_pattern="Weekly, Monday 7pm; rapid response any time",
            organiser=_member(organiser),
        )
        made += new
    for name, description, meets in ONLINE:
        _, new = _ensure(
            admin,
            name=name,
            kind=Kind.ONLINE,
            description=description,
            meeting_pattern=meets,
            organiser=_member("nia.hughes" + D),
        )
        made += new
    for name, country, town, description, meets in ABROAD:
        _, new = _ensure(
            admin,
            name=name,
            kind=Kind.ABROAD,
            country=country,
            town=town,
            description=description,
            meeting_pattern=meets,
        )
        made += new
    proposer = _member("fatima.begum" + D)
    if proposer and not Group.objects.filter(name="Croydon").exists():
        group_actions.propose_group(
            actor=proposer,
            name="Croydon",
            districts="CR0 CR2 CR7",
            parent=regions["London"],
            description="There is no group south of Lambeth yet; a few of us want to start one.",
            meeting_pattern="To be decided",
            note="Six members have said they will come to a first meeting.",
        )
    joined = _join_members(admin)
    _promote_organisers(admin)
    total = Group.objects.filter(status=GroupStatus.APPROVED).count()
    organisers = GroupMembership.objects.filter(role=Role.ORGANISER).count()
    log(f"groups: {total} approved groups ({made} new), {organisers} organiser places, {joined} new memberships")
