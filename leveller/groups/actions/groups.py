"""Every change to groups: proposals, approvals, membership, districts and organisers' messages.

Views, the API, demo data and commands call these; nothing else writes group rows.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.models import Channel
from leveller.core import audit, limits
from leveller.core.access import require_member, require_staff
from leveller.groups import countries, finder
from leveller.groups.models import Group, GroupDistrict, GroupMembership, GroupMessage, GroupStatus, Kind, Role
from leveller.groups.postcodes import outcode_for
from leveller.realtime.publish import publish

EDITABLE_FIELDS = {"name", "description", "meeting_pattern", "campaign", "town", "country", "parent"}
SECTION_FOR_KIND: dict[str, str] = {
    Kind.LOCAL: "regions",
    Kind.REGIONAL: "regions",
    Kind.ABROAD: "regions",
    Kind.CAMPAIGN: "campaigns",
    Kind.ONLINE: "discussion",
    Kind.ALUMNI: "discussion",
}


def emails_per_day() -> int:
    """How many emails an organiser may send to one group in 24 hours (settings.GROUP_EMAILS_PER_DAY)."""
    return int(getattr(settings, "GROUP_EMAILS_PER_DAY", 2))


def posts_per_hour() -> int:
    return int(getattr(settings, "GROUP_POSTS_PER_HOUR", 6))


# --- permissions ------------------------------------------------------------------------------------


def is_group_organiser(member, group: Group) -> bool:
    if member is None or not getattr(member, "is_authenticated", False) or not member.is_active:
        return False
    if member.is_staff_member:
        return True
    return GroupMembership.objects.filter(group=group, member=member, role=Role.ORGANISER).exists()


def require_group_organiser(actor, group: Group):
    require_member(actor)
    if not is_group_organiser(actor, group):
        raise PermissionDenied("Only this group's organisers and staff can do that.")
    return actor


# --- validation -------------------------------------------------------------------------------------


def clean_outcodes(outcodes) -> list[str]:
    """Known postcode districts from a list or a comma/space separated string; raises on any unknown one."""
    if isinstance(outcodes, str):
        outcodes = outcodes.replace(",", " ").split()
    cleaned, errors = [], []
    for raw in outcodes or []:
        raw = str(raw).strip()
        if not raw:
            continue
        try:
            outcode = outcode_for(raw)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        if outcode not in cleaned:
            cleaned.append(outcode)
    if errors:
        raise ValidationError({"districts": errors})
    return cleaned


def _clean_country(country: str) -> str:
    try:
        return countries.clean_country(country or "GB")
    except ValidationError as error:
        raise ValidationError({"country": error.messages}) from None


def _check_shape(*, kind: str, parent: Group | None, campaign: str, country: str, town: str, districts: list[str]):
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = f"Choose one of: {', '.join(Kind.labels)}."
    if parent is not None and parent.kind != Kind.REGIONAL:
        errors["parent"] = "A group's parent must be a regional group."
    if parent is not None and kind == Kind.REGIONAL:
        errors["parent"] = "A regional group cannot sit inside another group."
    if kind == Kind.CAMPAIGN and not campaign.strip():
        errors["campaign"] = "Name the campaign this action group belongs to."
    if kind == Kind.ABROAD:
        if country == "GB":
            errors["country"] = "A group abroad needs the country it meets in (not GB)."
        if not town.strip():
            errors["town"] = "Name the town or city the group abroad meets in."
        if districts:
            errors["districts"] = "Groups abroad do not cover UK postcode districts."
    if kind == Kind.LOCAL and not districts:
        errors["districts"] = "List the postcode districts the group covers, such as NW10 HA0 HA9."
    if errors:
        raise ValidationError(errors)


RESERVED_SLUGS = {"find", "propose", "approvals", "new", "mine", "manage"}


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:120] or "group"
    if base in RESERVED_SLUGS:
        base = f"{base}-group"
    slug, n = base, 2
    while Group.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _set_districts(group: Group, outcodes: list[str]) -> None:
    GroupDistrict.objects.filter(group=group).exclude(outcode__in=outcodes).delete()
    have = set(GroupDistrict.objects.filter(group=group).values_list("outcode", flat=True))
    GroupDistrict.objects.bulk_create([GroupDistrict(group=group, outcode=o) for o in outcodes if o not in have])


def _broadcast(group: Group, type: str, payload: dict, *, member_ids=()) -> None:
    """Membership changes go to the group's organiser stream and to the members concerned."""
    streams = [f"group-{group.pk}"] + [f"user-{pk}" for pk in member_ids]
    publish(streams=streams, type=type, payload={"group": group.pk, **payload})


# --- proposals and approval -------------------------------------------------------------------------


@transaction.atomic
def propose_group(
    *,
    actor,
    name: str,
    kind: str = Kind.LOCAL,
    description: str = "",
    meeting_pattern: str = "",
    districts=(),
    parent: Group | None = None,
    campaign: str = "",
    country: str = "GB",
    town: str = "",
    note: str = "",
) -> Group:
    """Any member may propose a group; it waits for staff approval."""
    require_member(actor)
    if getattr(actor, "is_guest", False):
        raise PermissionDenied("Guests cannot propose groups.")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the group a name."})
    country = _clean_country(country)
    outcodes = clean_outcodes(districts)
    _check_shape(kind=kind, parent=parent, campaign=campaign, country=country, town=town, districts=outcodes)
    if parent is not None and parent.status != GroupStatus.APPROVED:
        raise ValidationError({"parent": "Choose an approved regional group."})
    group = Group(
        name=name,
        slug=_unique_slug(name),
        kind=kind,
        parent=parent,
        campaign=campaign.strip(),
        description=description.strip(),
        meeting_pattern=meeting_pattern.strip(),
        country=country,
        town=town.strip(),
        status=GroupStatus.PROPOSED,
        proposed_by=actor,
        proposal_note=note.strip(),
    )
    group.full_clean()
    group.save()
    _set_districts(group, outcodes)
    audit.record(actor=actor, action="group.proposed", target=group, summary=group.name)
    return group


@transaction.atomic
def approve_group(*, actor, group: Group, note: str = "", organiser=None) -> Group:
    """Staff approve a proposal: the group gets its chat channel and its proposer becomes an organiser."""
    require_staff(actor)
    return _approve(actor=actor, group=group, note=note, organiser=organiser or group.proposed_by)


def _approve(*, actor, group: Group, note: str, organiser) -> Group:
    group = Group.objects.select_for_update().get(pk=group.pk)
    if group.status == GroupStatus.APPROVED:
        return group
    group.status = GroupStatus.APPROVED
    group.decided_by, group.decided_at, group.decision_note = actor, timezone.now(), note.strip()
    if group.channel_id is None:
        group.channel = _create_group_channel(group)
    group.save()
    if organiser is not None and organiser.is_active:
        _add(actor=actor, group=group, member=organiser, role=Role.ORGANISER)
    finder.invalidate()
    audit.record(actor=actor, action="group.approved", target=group, summary=group.name)
    return group


@transaction.atomic
def reject_group(*, actor, group: Group, note: str) -> Group:
    require_staff(actor)
    if not (note or "").strip():
        raise ValidationError({"note": "Say why, so the proposer can try again."})
    group = Group.objects.select_for_update().get(pk=group.pk)
    if group.status != GroupStatus.PROPOSED:
        raise ValidationError("Only proposed groups can be rejected.")
    group.status = GroupStatus.REJECTED
    group.decided_by, group.decided_at, group.decision_note = actor, timezone.now(), note.strip()
    group.save()
    audit.record(actor=actor, action="group.rejected", target=group, summary=note[:300])
    return group


@transaction.atomic
def archive_group(*, actor, group: Group) -> Group:
    require_staff(actor)
    group.status = GroupStatus.ARCHIVED
    group.save(update_fields=["status"])
    finder.invalidate()
    audit.record(actor=actor, action="group.archived", target=group, summary=group.name)
    return group


@transaction.atomic
def create_group(*, actor, organiser=None, **fields) -> Group:
    """Staff create a group directly: proposed and approved in one step, with `organiser` (if any) organising."""
    require_staff(actor)
    group = propose_group(actor=actor, **fields)
    return _approve(actor=actor, group=group, note="", organiser=organiser)


@transaction.atomic
def update_group(*, actor, group: Group, districts=None, **fields) -> Group:
    """Organisers and staff edit the description, meeting pattern and (staff) the name, parent or districts."""
    require_group_organiser(actor, group)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"unknown group fields: {sorted(unknown)}")
    if ({"name", "parent", "country"} & set(fields) or districts is not None) and not actor.is_staff_member:
        raise PermissionDenied("Only staff can rename a group or change its area.")
    for key, value in fields.items():
        setattr(group, key, value.strip() if isinstance(value, str) else value)
    group.country = _clean_country(group.country)
    if districts is not None:
        outcodes = clean_outcodes(districts)
    else:
        outcodes = list(group.districts.values_list("outcode", flat=True))
    _check_shape(
        kind=group.kind,
        parent=group.parent,
        campaign=group.campaign,
        country=group.country,
        town=group.town,
        districts=outcodes,
    )
    group.full_clean()
    group.save()
    if districts is not None:
        _set_districts(group, outcodes)
    finder.invalidate()
    audit.record(actor=actor, action="group.updated", target=group, data={"fields": sorted(fields)})
    return group


# --- the group's chat channel ---------------------------------------------------------------------------
# Group membership governs channel membership: the actions here have already checked who may do what, so the
# channel is created, joined and left as the system (chat's actor=None), and the group's own audit entries
# record who did it. Messages are posted as the organiser who wrote them.


def channel_name_for(group: Group) -> str:
    """A chat channel name for the group: lower case, no spaces, unique among channels."""
    base = re.sub(r"[^a-z0-9-]+", "-", f"group-{group.slug}".lower()).strip("-")[:72] or f"group-{group.pk}"
    name, n = base, 2
    while Channel.objects.filter(name__iexact=name).exists():
        name, n = f"{base}-{n}"[:80], n + 1
    return name


def _create_group_channel(group: Group) -> Channel:
    return channel_actions.create_channel(
        actor=None,
        name=channel_name_for(group),
        private=True,
        purpose=f"Chat for members of {group.name}."[:250],
        topic=(group.meeting_pattern or "")[:250],
        section=SECTION_FOR_KIND.get(group.kind, "discussion"),
    )


def _post_to_channel(*, actor, group: Group, text: str) -> None:
    if group.channel_id is None:
        return
    if group.channel.memberships.filter(member=actor).exists():
        message_actions.send_message(actor=actor, channel=group.channel, text=text)
        return
    # Staff who are not in the group post as the system, under their name, rather than joining it.
    message_actions.send_message(actor=None, channel=group.channel, text=text, bot_name=f"{actor.display_name} (staff)")


# --- membership -------------------------------------------------------------------------------------


def _add(*, actor, group: Group, member, role: str) -> GroupMembership:
    membership, created = GroupMembership.objects.get_or_create(group=group, member=member, defaults={"role": role})
    if not created and membership.role != role and role == Role.ORGANISER:
        membership.role = role
        membership.save(update_fields=["role"])
    if group.channel_id is not None and not group.channel.archived:
        channel_actions.add_channel_member(actor=None, channel=group.channel, member=member)
    if created:
        _broadcast(group, "group.member_joined", {"member": member.pk, "role": membership.role}, member_ids=[member.pk])
    return membership


def _require_open(group: Group) -> None:
    if group.status != GroupStatus.APPROVED:
        raise ValidationError("This group is not open for members yet.")


@transaction.atomic
def join_group(*, actor, group: Group) -> GroupMembership:
    require_member(actor)
    if getattr(actor, "is_guest", False):
        raise PermissionDenied("Guests cannot join groups.")
    _require_open(group)
    existing = GroupMembership.objects.filter(group=group, member=actor).first()
    if existing is not None:
        return existing
    membership = _add(actor=actor, group=group, member=actor, role=Role.MEMBER)
    audit.record(actor=actor, action="group.joined", target=group)
    return membership


def _other_organisers(group: Group, member) -> bool:
    return GroupMembership.objects.filter(group=group, role=Role.ORGANISER).exclude(member=member).exists()


def _remove(*, actor, group: Group, member) -> None:
    deleted, _ = GroupMembership.objects.filter(group=group, member=member).delete()
    if group.channel_id is not None:
        channel_actions.remove_channel_member(actor=None, channel=group.channel, member=member)
    if deleted:
        _broadcast(group, "group.member_left", {"member": member.pk}, member_ids=[member.pk])


@transaction.atomic
def leave_group(*, actor, group: Group) -> None:
    require_member(actor)
    membership = GroupMembership.objects.filter(group=group, member=actor).first()
    if membership is None:
        return
    if membership.role == Role.ORGANISER and not _other_organisers(group, actor) and group.memberships.count() > 1:
        raise ValidationError("You are this group's only organiser: make another member an organiser first.")
    _remove(actor=actor, group=group, member=actor)
    audit.record(actor=actor, action="group.left", target=group)


@transaction.atomic
def add_group_member(*, actor, group: Group, member, role: str = Role.MEMBER) -> GroupMembership:
    require_group_organiser(actor, group)
    if role not in Role.values:
        raise ValidationError({"role": "Choose organiser or member."})
    _require_open(group)
    if not member.is_active:
        raise ValidationError("That member's account is not active.")
    membership = _add(actor=actor, group=group, member=member, role=role)
    audit.record(actor=actor, action="group.member_added", target=group, data={"member": member.pk, "role": role})
    return membership


@transaction.atomic
def remove_group_member(*, actor, group: Group, member) -> None:
    require_group_organiser(actor, group)
    membership = GroupMembership.objects.filter(group=group, member=member).first()
    if membership is None:
        return
    if membership.role == Role.ORGANISER and not _other_organisers(group, member) and not actor.is_staff_member:
        raise ValidationError("A group needs at least one organiser: make someone else an organiser first.")
    _remove(actor=actor, group=group, member=member)
    audit.record(actor=actor, action="group.member_removed", target=group, data={"member": member.pk})


@transaction.atomic
def set_group_role(*, actor, group: Group, member, role: str) -> GroupMembership:
    """Make a member an organiser, or an organiser an ordinary member again."""
    require_group_organiser(actor, group)
    if role not in Role.values:
        raise ValidationError({"role": "Choose organiser or member."})
    membership = GroupMembership.objects.select_for_update().filter(group=group, member=member).first()
    if membership is None:
        raise ValidationError("That person is not a member of this group.")
    if role == Role.MEMBER and membership.role == Role.ORGANISER and not _other_organisers(group, member):
        raise ValidationError("A group needs at least one organiser: make someone else an organiser first.")
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
        _broadcast(group, "group.role_changed", {"member": member.pk, "role": role}, member_ids=[member.pk])
        audit.record(actor=actor, action="group.role_changed", target=group, data={"member": member.pk, "role": role})
    return membership


# --- organisers' messages ---------------------------------------------------------------------------


def _check_rate(group: Group, *, by_email: bool, to_channel: bool) -> None:
    """Per group, through the shared limiter (core/limits.py): emails a day, channel posts an hour."""
    if by_email:
        rate = limits.Rate("group-email", emails_per_day(), 24 * 3600)
        verdict = limits.hit(rate, group.pk)
        if not verdict.allowed:
            raise ValidationError(
                f"This group has already been emailed {rate.count} times today, the most allowed. "
                "Post in the group's channel instead, or try again tomorrow."
            )
    if to_channel and not limits.hit(limits.Rate("group-post", posts_per_hour(), 3600), group.pk).allowed:
        raise ValidationError("Too many group messages in the last hour. Wait a little and try again.")


@transaction.atomic
def message_group(
    *, actor, group: Group, text: str, subject: str = "", to_channel: bool = True, by_email: bool = False
) -> GroupMessage:
    """An organiser's message to the whole group: posted in its channel and/or emailed to every member."""
    require_group_organiser(actor, group)
    _require_open(group)
    text, subject = (text or "").strip(), (subject or "").strip()
    errors = {}
    if not text:
        errors["text"] = "Write a message."
    elif len(text) > 10000:
        errors["text"] = "Keep the message under 10,000 characters."
    if not (to_channel or by_email):
        errors["__all__"] = "Choose where to send it: the group's channel, email, or both."
    if by_email and not subject:
        errors["subject"] = "An email needs a subject."
    if to_channel and group.channel_id is None:
        errors["__all__"] = "This group has no chat channel."
    if errors:
        raise ValidationError(errors)
    _check_rate(group, by_email=by_email, to_channel=to_channel)
    recipients = group.memberships.filter(member__is_active=True).count() if by_email else 0
    message = GroupMessage.objects.create(
        group=group,
        sender=actor,
        subject=subject[:150],
        text=text,
        to_channel=to_channel,
        by_email=by_email,
        recipients=recipients,
    )
    if to_channel:
        body = f"**{subject}**\n\n{text}" if subject else text
        _post_to_channel(actor=actor, group=group, text=body)
    if by_email:
        from leveller.groups.tasks import email_group_message

        transaction.on_commit(lambda: email_group_message.enqueue(message_id=message.pk))
    audit.record(
        actor=actor,
        action="group.messaged",
        target=group,
        summary=subject or text[:80],
        data={"email": by_email, "channel": to_channel, "recipients": recipients},
    )
    return message
