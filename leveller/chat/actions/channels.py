"""Every change to channels and their members. Messages are in messages.py, a member's own chat state and
reports in state.py."""

from __future__ import annotations

import re
import secrets
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leveller.accounts.models import Member, hash_secret
from leveller.chat import access, presence, queries, sidebar_rows
from leveller.chat.models import MAX_GROUP_DM, Channel, ChannelMembership, Kind, Webhook
from leveller.chat.payloads import channel_payload
from leveller.core import audit
from leveller.realtime.publish import control, publish

NAME_RE = re.compile(r"^[\w][\w-]{0,79}$", re.UNICODE)
DEFAULT_CHANNELS = [
    (
        "welcome",
        "Say hello! Introduce yourself: where you are, what brought you here, what you'd like to do.",
        "discussion",
        False,
    ),
    ("announcements", "News from the organisation. Only staff post here; reply in threads.", "announcements", True),
    ("resources", "Guides, templates and reading for organisers.", "resources", False),
]


def clean_channel_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", (name or "").strip().lstrip("#").strip().lower())
    text = re.sub(r"\s+", "-", text)
    if not text:
        raise ValidationError("A channel needs a name.")
    if not NAME_RE.match(text):
        raise ValidationError(
            "Channel names may use letters, numbers, hyphens and underscores (at most 80), e.g. eviction-resistance."
        )
    return text


def _publish_channel(channel: Channel, type: str, streams: list[str] | None = None) -> None:
    payload: dict[str, object] = {"channel": channel_payload(channel)}
    if channel.kind == Kind.STANDARD:
        payload["sidebar_label"] = sidebar_rows.channel_label(channel)
    publish(streams=streams or [channel.stream], type=type, payload=payload)


@transaction.atomic
def create_channel(
    *,
    actor,
    name: str,
    private: bool = False,
    purpose: str = "",
    topic: str = "",
    section: str = "discussion",
    announcement: bool = False,
    default: bool = False,
) -> Channel:
    """Create a standard channel; the creator (when there is one) joins it. actor=None is the system."""
    if actor is not None:
        access.require_member_actor(actor)
        if (announcement or default) and not actor.is_staff_member:
            raise PermissionDenied("Only staff can create announcement or default channels.")
    name = clean_channel_name(name)
    if Channel.objects.standard().filter(name__iexact=name).exists():
        raise ValidationError(f"There is already a channel called #{name}. Pick another name.")
    section = (section or "discussion").strip().lower()[:40] or "discussion"
    if default and private:
        raise ValidationError("A default channel cannot be private: every new member joins it.")
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                name=name,
                private=bool(private),
                purpose=(purpose or "").strip()[:250],
                topic=(topic or "").strip()[:250],
                section=section,
                announcement=bool(announcement),
                default=bool(default),
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise ValidationError(f"There is already a channel called #{name}. Pick another name.")
    if actor is not None:
        _join(channel, actor)
    audit.record(actor=actor, action="chat.channel_created", target=channel, summary=str(channel))
    return channel


def _join(channel: Channel, member) -> tuple[ChannelMembership, bool]:
    latest = channel.messages.order_by("-id").values_list("id", flat=True).first() or 0
    membership, created = ChannelMembership.objects.get_or_create(
        channel=channel, member=member, defaults={"last_read_id": latest}
    )
    if created:
        control(member.pk, "leveller.subscribe", streams=[channel.stream])
        payload = {"channel_id": channel.pk, "member_id": member.pk, "display_name": member.display_name}
        publish(streams=[channel.stream], type="channel.member_joined", payload=payload)
        # The member's own tabs get their new sidebar row with it.
        publish(
            streams=[f"user-{member.pk}"],
            type="channel.member_joined",
            payload={**payload, **sidebar_rows.row_event(member, channel)},
        )
    return membership, created


@transaction.atomic
def add_channel_member(*, actor, channel: Channel, member) -> ChannelMembership:
    """Add a member to a channel (idempotent). Members join public channels themselves; organisers, staff,
    the channel's creator and, for private channels, its members may add others."""
    if not member.is_active:
        raise ValidationError("That member's account is deactivated.")
    if actor is not None:
        access.require_member_actor(actor)
        if channel.is_dm:
            raise ValidationError("Start a new conversation to talk with more people.")
        self_join = actor.pk == member.pk and not channel.private
        may_invite = access.can_manage(actor, channel) or (channel.private and access.is_channel_member(actor, channel))
        if not (self_join or may_invite):
            if not access.can_read(actor, channel):
                raise PermissionDenied("You cannot add members to that channel.")
            raise PermissionDenied("Only organisers, staff or the channel's members can add people to it.")
        if channel.archived:
            raise ValidationError("This channel is archived; nobody can join it.")
    membership, created = _join(channel, member)
    if created and actor is not None and actor.pk != member.pk:
        audit.record(actor=actor, action="chat.member_added", target=channel, data={"member": member.pk})
    return membership


@transaction.atomic
def remove_channel_member(*, actor, channel: Channel, member) -> None:
    """Leave a channel (actor == member), or remove someone (organisers/staff; audit-logged)."""
    if actor is not None:
        access.require_member_actor(actor)
        if actor.pk != member.pk and not access.can_manage(actor, channel):
            raise PermissionDenied("Only organisers and staff can remove someone from a channel.")
        if channel.kind == Kind.DM:
            raise ValidationError("You cannot leave a one-to-one conversation.")
    deleted, _ = ChannelMembership.objects.filter(channel=channel, member=member).delete()
    if not deleted:
        return
    publish(
        streams=[channel.stream, f"user-{member.pk}"],
        type="channel.member_left",
        payload={"channel_id": channel.pk, "member_id": member.pk},
    )
    control(member.pk, "leveller.unsubscribe", streams=[channel.stream])
    presence.forget_channel(member, channel)
    if actor is not None and actor.pk != member.pk:
        audit.record(actor=actor, action="chat.member_removed", target=channel, data={"member": member.pk})


@transaction.atomic
def update_channel(*, actor, channel: Channel, **fields) -> Channel:
    """Change name, topic, purpose, section (and, for staff, announcement/default)."""
    allowed = {"name", "topic", "purpose", "section", "announcement", "default"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown channel fields: {sorted(unknown)}")
    topic_only = set(fields) <= {"topic"}
    if not (access.can_manage(actor, channel) or (topic_only and access.is_channel_member(actor, channel))):
        raise PermissionDenied("Only organisers, staff or the channel's creator can change this channel.")
    if channel.archived:
        raise ValidationError("This channel is archived. Unarchive it first.")
    if ({"announcement", "default"} & set(fields)) and not actor.is_staff_member:
        raise PermissionDenied("Only staff can change announcement or default settings.")
    if "name" in fields:
        name = clean_channel_name(fields.pop("name"))
        if Channel.objects.standard().filter(name__iexact=name).exclude(pk=channel.pk).exists():
            raise ValidationError(f"There is already a channel called #{name}.")
        channel.name = name
    for key in ("topic", "purpose"):
        if key in fields:
            setattr(channel, key, (fields.pop(key) or "").strip()[:250])
    if "section" in fields:
        channel.section = (fields.pop("section") or "discussion").strip().lower()[:40] or "discussion"
    for key, value in fields.items():
        setattr(channel, key, bool(value))
    if channel.default and channel.private:
        raise ValidationError("A default channel cannot be private.")
    channel.save()
    _publish_channel(channel, "channel.updated")
    audit.record(actor=actor, action="chat.channel_updated", target=channel, summary=str(channel))
    return channel


@transaction.atomic
def set_archived(*, actor, channel: Channel, archived: bool) -> Channel:
    if not access.can_manage(actor, channel):
        raise PermissionDenied("Only organisers, staff or the channel's creator can archive this channel.")
    if channel.default and archived:
        raise ValidationError("A default channel cannot be archived; make it non-default first.")
    channel.archived_at = timezone.now() if archived else None
    channel.save(update_fields=["archived_at"])
    _publish_channel(channel, "channel.updated")
    audit.record(actor=actor, action="chat.channel_archived" if archived else "chat.channel_unarchived", target=channel)
    return channel


@transaction.atomic
def set_my_section(*, actor, channel: Channel, section: str) -> ChannelMembership:
    """A member files a channel under their own sidebar section (blank: the channel's own section)."""
    membership = ChannelMembership.objects.filter(channel=channel, member=actor).first()
    if membership is None:
        raise ValidationError("Join the channel first.")
    membership.section = (section or "").strip()[:40]
    membership.save(update_fields=["section"])
    key = "direct" if channel.is_dm else (membership.section or channel.section)
    publish(
        streams=[f"user-{actor.pk}"],
        type="sidebar.changed",
        payload={"channel_id": channel.pk, "section": key, "section_label": queries.section_label(key)},
    )
    return membership


@transaction.atomic
def open_dm(*, actor, members: list) -> Channel:
    """The conversation between the actor and these members (1:1 or a group of up to 9), creating it once."""
    access.require_member_actor(actor)
    people = {m.pk: m for m in [actor, *members] if m is not None}
    if len(people) < 2:
        raise ValidationError("Choose at least one other person.")
    if len(people) > MAX_GROUP_DM:
        raise ValidationError(f"A group conversation can have at most {MAX_GROUP_DM} people.")
    if any(not m.is_active for m in people.values()):
        raise ValidationError("You cannot message a deactivated member.")
    key = "-".join(str(pk) for pk in sorted(people))
    channel = Channel.objects.filter(dm_key=key).first()
    if channel is not None:
        return channel
    names = ", ".join(sorted(m.display_name for m in people.values()))
    channel = Channel.objects.create(
        name=names[:80],
        kind=Kind.DM if len(people) == 2 else Kind.GROUP_DM,
        private=True,
        section="direct",
        dm_key=key,
        created_by=actor,
    )
    for person in people.values():
        _join(channel, person)
    if channel.kind == Kind.DM:
        presence.follow_each_other(list(people.values()))
    return channel


@transaction.atomic
def create_webhook(*, actor, channel: Channel, name: str) -> tuple[Webhook, str]:
    """Returns the webhook and its secret (shown once; only its hash is stored)."""
    access.require_manage(actor, channel)
    if channel.is_dm:
        raise ValidationError("Webhooks post into channels, not conversations.")
    name = (name or "").strip()[:80]
    if not name:
        raise ValidationError("Give the webhook a name; its messages appear under it.")
    secret = secrets.token_urlsafe(32)
    hook = Webhook.objects.create(channel=channel, name=name, secret_hash=hash_secret(secret), created_by=actor)
    audit.record(actor=actor, action="chat.webhook_created", target=channel, summary=name)
    return hook, secret


@transaction.atomic
def revoke_webhook(*, actor, webhook: Webhook) -> Webhook:
    access.require_manage(actor, webhook.channel)
    webhook.revoked_at = timezone.now()
    webhook.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="chat.webhook_revoked", target=webhook.channel, summary=webhook.name)
    return webhook


def ensure_default_channels() -> list[Channel]:
    """Make sure #welcome, #announcements and #resources exist (get-or-create; safe to call often)."""
    channels = []
    for name, purpose, section, announcement in DEFAULT_CHANNELS:
        channel = Channel.objects.standard().filter(name__iexact=name).first()
        if channel is None:
            channel = create_channel(
                actor=None, name=name, purpose=purpose, section=section, announcement=announcement, default=True
            )
        channels.append(channel)
    return channels


def join_default_channels(*, actor, member: Member) -> None:
    """accounts.hooks.on_member_created step: every new member joins the default channels."""
    ensure_default_channels()
    for channel in Channel.objects.filter(kind=Kind.STANDARD, default=True, archived_at__isnull=True):
        _join(channel, member)


def join_default_channels_in_bulk(*, actor, members: list) -> None:
    """The same for many new members at once (imports): one insert per channel. New members have no open sockets
    yet, so there is nothing to subscribe or tell them."""
    ensure_default_channels()
    for channel in Channel.objects.filter(kind=Kind.STANDARD, default=True, archived_at__isnull=True):
        latest = channel.messages.order_by("-id").values_list("id", flat=True).first() or 0
        rows = [ChannelMembership(channel=channel, member=m, last_read_id=latest) for m in members]
        ChannelMembership.objects.bulk_create(rows, ignore_conflicts=True)
