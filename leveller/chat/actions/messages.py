"""Every change to messages: send, edit, delete, react, pin. Read state, threads, reports and preferences are
in state.py."""

from __future__ import annotations

import secrets
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from leveller.chat import access, fragments, notify, queries
from leveller.chat.attachments import check_upload
from leveller.chat.handles import groups_for_handles, members_for_handles
from leveller.chat.models import (
    Attachment,
    Channel,
    ChannelMembership,
    Message,
    MessageRevision,
    Notification,
    Reaction,
    ThreadFollow,
)
from leveller.chat.payloads import message_payload
from leveller.chat.render import mentioned_handles, render
from leveller.core import audit
from leveller.realtime.publish import publish

MAX_TEXT = 10_000
MAX_ATTACHMENTS = 10


def resolve_mentions(text: str, *, author) -> notify.Mentions:
    """The text's @handles resolved once per post: members, and groups the author may mention."""
    handles = mentioned_handles(text)
    members = members_for_handles(handles)
    return notify.Mentions(handles, members, groups_for_handles(handles - set(members), author=author))


def render_text(text: str, *, author, mentions: notify.Mentions | None = None) -> str:
    """Mentions of members, and of groups the author may mention, become mention spans; others stay text."""
    mentions = mentions or resolve_mentions(text, author=author)
    known = set(mentions.members) | set(mentions.groups)
    return render(text, known_handle=lambda handle: handle in known)


def _clean_text(text: str, *, allow_empty: bool = False) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text and not allow_empty:
        raise ValidationError("Write a message first.")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Messages can be at most {MAX_TEXT:,} characters; this one has {len(text):,}.")
    return text


def message_event(message: Message, *, new: bool = False) -> dict:
    """What every viewer of the channel is pushed about a message: its JSON and its finished rows (the same
    for everyone; chat.js decides what differs per viewer)."""
    return {"message": message_payload(message), "fragments": fragments.views_of(message, new=new)}


def publish_message(message: Message, type: str, *, fresh: bool = True, **extra) -> None:
    """Broadcast a message's current shape to its channel (fresh=False: the object in hand is current)."""
    if fresh:
        message = queries.message_rows().get(pk=message.pk)
    publish(
        streams=[message.channel.stream],
        type=type,
        payload={"channel_id": message.channel_id, **extra, **message_event(message, new=type == "message.created")},
    )


@transaction.atomic
def send_message(
    *,
    actor,
    channel: Channel,
    text: str,
    thread: Message | None = None,
    also_to_channel: bool = False,
    files: list | tuple = (),
    bot_name: str = "",
) -> Message:
    """Post a message (or a thread reply). actor=None posts as a bot (webhooks, the system) named bot_name."""
    if thread is not None:
        if thread.channel_id != channel.pk:
            raise ValidationError("That thread belongs to another channel.")
        if thread.thread_id:
            thread = thread.thread
        if thread.deleted_at and thread.reply_count == 0:
            raise ValidationError("That message was deleted.")
    if actor is not None:
        access.require_member_actor(actor)
        if not access.can_read(actor, channel):
            raise PermissionDenied("You cannot post there.")
        reason = access.can_post(actor, channel, thread=thread, also_to_channel=also_to_channel)
        if reason:
            raise PermissionDenied(reason)
    elif channel.archived:
        raise ValidationError("This channel is archived: it is read-only.")
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(f"Attach at most {MAX_ATTACHMENTS} files to one message.")
    checked = [(upload, *check_upload(upload)) for upload in files]
    text = _clean_text(text, allow_empty=bool(files))
    mentions = resolve_mentions(text, author=actor)
    message = Message.objects.create(
        channel=channel,
        author=actor,
        bot_name="" if actor is not None else (bot_name or "Leveller")[:80],
        thread=thread,
        also_in_channel=bool(thread is not None and also_to_channel),
        text=text,
        html=render_text(text, author=actor, mentions=mentions),
    )
    attachments = []
    for upload, content_type, name in checked:
        attachment = Attachment(
            message=message, token=secrets.token_urlsafe(16), name=name, content_type=content_type, size=upload.size
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        attachments.append(attachment)
    message._prefetched_objects_cache = {  # type: ignore[attr-defined]  # Django's prefetch cache, filled by hand
        "reactions": _known(Reaction, message, []),
        "attachments": _known(Attachment, message, attachments),
    }
    if thread is not None:
        Message.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") + 1, last_reply_at=message.created_at)
        _follow(thread, actor, read_to=message.pk)
        if thread.author_id and thread.author_id != getattr(actor, "pk", None):
            _follow(thread, thread.author, read_to=None)
    if actor is not None and (thread is None or also_to_channel):
        ChannelMembership.objects.filter(channel=channel, member=actor).update(last_read_id=message.pk)
    publish_message(message, "message.created", fresh=False)
    del message._prefetched_objects_cache  # type: ignore[attr-defined]  # callers may change reactions later: let them read afresh
    if thread is not None:
        publish_message(thread, "message.updated")
    notify.after_post(message, mentions=mentions)
    return message


def _known(model, message: Message, rows: list):
    """A queryset already holding `rows`, so a new message's payload needs no further reads."""
    queryset = model.objects.filter(message=message)
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def _follow(thread: Message, member, *, read_to: int | None) -> None:
    if member is None:
        return
    follow, _ = ThreadFollow.objects.get_or_create(thread=thread, member=member)
    if read_to is not None and read_to > follow.last_read_id:
        follow.last_read_id = read_to
        follow.save(update_fields=["last_read_id"])


def _own_or_moderator(actor, message: Message, what: str) -> bool:
    access.require_member_actor(actor)
    if message.author_id == actor.pk:
        return False
    if access.is_moderator(actor) and access.can_read(actor, message.channel):
        return True
    raise PermissionDenied(f"You can only {what} your own messages.")


@transaction.atomic
def edit_message(*, actor, message: Message, text: str) -> Message:
    access.require_member_actor(actor)
    if message.author_id != actor.pk:
        raise PermissionDenied("You can only edit your own messages.")
    if message.deleted_at:
        raise ValidationError("That message was deleted.")
    if message.channel.archived:
        raise ValidationError("This channel is archived: it is read-only.")
    text = _clean_text(text, allow_empty=message.attachments.exists())
    if text == message.text:
        return message
    MessageRevision.objects.create(message=message, text=message.text, edited_by=actor)
    before = mentioned_handles(message.text)
    message.text = text
    mentions = resolve_mentions(text, author=actor)
    message.html = render_text(text, author=actor, mentions=mentions)
    message.edited_at = timezone.now()
    message.save(update_fields=["text", "html", "edited_at"])
    publish_message(message, "message.updated")
    notify.after_edit(message, previous_handles=before, mentions=mentions)
    return message


@transaction.atomic
def delete_message(*, actor, message: Message) -> None:
    """Delete a message: authors their own, staff any. A tombstone stays where the message has replies."""
    moderating = _own_or_moderator(actor, message, "delete")
    channel, thread_id, message_id = message.channel, message.thread_id, message.pk
    for attachment in message.attachments.all():
        attachment.file.delete(save=False)
    if moderating:
        audit.record(
            actor=actor,
            action="chat.message_deleted_by_moderator",
            target=message,
            summary=f"in {channel}",
            data={"author": message.author_id, "text": message.text[:2000]},
        )
    message.refresh_from_db(fields=["reply_count"])
    tombstone = message.reply_count > 0
    if tombstone:
        message.attachments.all().delete()
        message.reactions.all().delete()
        Notification.objects.filter(message=message).delete()
        message.text = ""
        message.html = ""
        message.deleted_at = timezone.now()
        message.pinned_at = None
        message.save(update_fields=["text", "html", "deleted_at", "pinned_at"])
    else:
        message.delete()
    if thread_id:
        Message.objects.filter(pk=thread_id, reply_count__gt=0).update(reply_count=F("reply_count") - 1)
    payload = {"channel_id": channel.pk, "message_id": message_id, "thread_id": thread_id, "tombstone": tombstone}
    if tombstone:
        payload.update(message_event(queries.message_rows().get(pk=message_id)))
    publish(streams=[channel.stream], type="message.deleted", payload=payload)
    if thread_id:
        root = Message.objects.filter(pk=thread_id).first()
        if root is not None:
            publish_message(root, "message.updated")


def clean_emoji(emoji: str) -> str:
    emoji = unicodedata.normalize("NFC", (emoji or "").strip())
    shortcode = emoji.startswith(":") and emoji.endswith(":") and 2 < len(emoji) <= 32
    if shortcode and all(c.isalnum() or c in "_+-" for c in emoji[1:-1]):
        return emoji
    if (
        emoji
        and len(emoji) <= 16
        and all(unicodedata.category(c) in {"So", "Sk", "Mn", "Cf"} or c in "\u200d\ufe0f#*0123456789" for c in emoji)
        and any(unicodedata.category(c) == "So" for c in emoji)
    ):
        return emoji
    raise ValidationError("React with one emoji, e.g. 👍 or :tada:.")


def _may_react(actor, message: Message) -> None:
    access.require_member_actor(actor)
    if not access.is_channel_member(actor, message.channel):
        raise PermissionDenied("Join the channel to react.")
    if message.channel.archived:
        raise ValidationError("This channel is archived: it is read-only.")
    if message.deleted_at:
        raise ValidationError("That message was deleted.")


@transaction.atomic
def add_reaction(*, actor, message: Message, emoji: str) -> Reaction:
    _may_react(actor, message)
    emoji = clean_emoji(emoji)
    reaction, created = Reaction.objects.get_or_create(message=message, member=actor, emoji=emoji)
    if created:
        publish_message(message, "reaction.added", message_id=message.pk, emoji=emoji, member_id=actor.pk)
    return reaction


@transaction.atomic
def remove_reaction(*, actor, message: Message, emoji: str) -> None:
    access.require_member_actor(actor)
    deleted, _ = Reaction.objects.filter(message=message, member=actor, emoji=(emoji or "").strip()).delete()
    if deleted:
        publish_message(message, "reaction.removed", message_id=message.pk, emoji=emoji.strip(), member_id=actor.pk)


def _may_pin(actor, message: Message) -> None:
    access.require_member_actor(actor)
    channel = message.channel
    if not access.is_channel_member(actor, channel) and not access.is_moderator(actor):
        raise PermissionDenied("Join the channel to pin messages.")
    if channel.announcement and not actor.is_staff_member:
        raise PermissionDenied("Only staff pin messages in announcement channels.")
    if message.deleted_at:
        raise ValidationError("That message was deleted.")


@transaction.atomic
def pin_message(*, actor, message: Message) -> Message:
    _may_pin(actor, message)
    if message.pinned_at is None:
        message.pinned_at = timezone.now()
        message.pinned_by = actor
        message.save(update_fields=["pinned_at", "pinned_by"])
        publish_message(message, "message.updated")
    return message


@transaction.atomic
def unpin_message(*, actor, message: Message) -> Message:
    _may_pin(actor, message)
    if message.pinned_at is not None:
        message.pinned_at = None
        message.pinned_by = None
        message.save(update_fields=["pinned_at", "pinned_by"])
        publish_message(message, "message.updated")
    return message
