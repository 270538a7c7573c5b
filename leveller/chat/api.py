"""Chat's public API (paths and shapes are a contract: see docs/chat.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from leveller.accounts.models import Member
from leveller.chat import access, queries
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.chat.models import Channel, ChannelMembership, Message, Reaction
from leveller.chat.payloads import channel_payload, message_payload
from leveller.chat.schemas import (
    ChannelMemberOut,
    ChannelOut,
    ChannelRowOut,
    MessageOut,
    MessagesOut,
    NotificationsOut,
    ReactionAddedOut,
    ReadOut,
    ReportOut,
    SearchOut,
)
from leveller.chat.search import search_page
from leveller.core import limits
from leveller.core.openapi import Detail

router = Router()
PREFIX = ""


class ChannelIn(Schema):
    name: str
    private: bool = False
    purpose: str = ""
    topic: str = ""
    section: str = "discussion"


class ChannelPatch(Schema):
    name: str | None = None
    topic: str | None = None
    purpose: str | None = None
    section: str | None = None
    archived: bool | None = None


class EmailIn(Schema):
    email: str


class MessageIn(Schema):
    text: str
    thread_id: int | None = None
    also_to_channel: bool = False


class TextIn(Schema):
    text: str


class EmojiIn(Schema):
    emoji: str


class ReadIn(Schema):
    up_to: int | None = None


class ReasonIn(Schema):
    reason: str


class DmIn(Schema):
    emails: list[str]


def _channel_row(channel: Channel, membership: ChannelMembership | None, unread: int) -> dict:
    return {**channel_payload(channel), "member": membership is not None, "unread": unread}


@router.get("/channels", response=list[ChannelRowOut], summary="Channels the caller can see")
def list_channels(request):
    member = request.auth
    mine = {m.channel_id: m for m in queries.memberships(member)}
    visible = Channel.objects.readable_by(member)
    return [_channel_row(c, mine.get(c.pk), mine[c.pk].unread if c.pk in mine else 0) for c in visible]


@router.post("/channels", response={201: ChannelRowOut}, summary="Create a channel")
def create_channel(request, body: ChannelIn):
    channel = channel_actions.create_channel(
        actor=request.auth,
        name=body.name,
        private=body.private,
        purpose=body.purpose,
        topic=body.topic,
        section=body.section,
    )
    return Status(201, _channel_row(channel, ChannelMembership(), 0))


@router.get("/channels/{channel_id}", response=ChannelRowOut, summary="One channel")
def get_channel(request, channel_id: int):
    channel = access.get_channel(request.auth, channel_id)
    membership = queries.memberships(request.auth).filter(channel=channel).first()
    return _channel_row(channel, membership, membership.unread if membership else 0)


@router.patch(
    "/channels/{channel_id}",
    response=ChannelOut,
    summary="Change a channel's name, topic, purpose, section or archive it",
)
def update_channel(request, channel_id: int, body: ChannelPatch):
    channel = access.get_channel(request.auth, channel_id)
    fields = {k: v for k, v in body.dict().items() if v is not None and k != "archived"}
    if fields:
        channel = channel_actions.update_channel(actor=request.auth, channel=channel, **fields)
    if body.archived is not None:
        channel = channel_actions.set_archived(actor=request.auth, channel=channel, archived=body.archived)
    return channel_payload(channel)


def _looked_up(actor, count: int):
    """Operations that find members by email tell the caller whether an address is a member's: each address
    counts against a per-member hourly limit, so the API cannot be used to test a list of addresses."""
    rate = limits.Rate("chat-email-lookup", settings.CHAT_EMAIL_LOOKUPS_PER_HOUR, 3600)
    verdict = limits.hit(rate, actor.pk, cost=max(1, count))
    if verdict.allowed:
        return None
    minutes = verdict.retry_after // 60 + 1
    detail = f"Too many addresses looked up ({verdict.limit} an hour). Try again in {minutes} minutes."
    return Status(429, {"detail": detail})


@router.post(
    "/channels/{channel_id}/members",
    response={201: ChannelMemberOut, 429: Detail},
    summary="Add a member to a channel (by email; addresses looked up are limited per hour)",
)
def add_member(request, channel_id: int, body: EmailIn):
    actor = request.auth
    channel = access.get_channel(actor, channel_id)
    if (refused := _looked_up(actor, 1)) is not None:
        return refused
    email = body.email.strip().lower()
    if email != actor.email.lower() and not (
        access.can_manage(actor, channel) or (channel.private and access.is_channel_member(actor, channel))
    ):
        raise PermissionDenied("Only organisers, staff or the channel's members can add people to it.")
    target = Member.objects.filter(email__iexact=email, is_active=True).first()
    if target is None:
        raise ValidationError("No active member has that email address.")
    channel_actions.add_channel_member(actor=actor, channel=channel, member=target)
    return Status(201, {"channel_id": channel.pk, "member_id": target.pk, "display_name": target.display_name})


@router.delete("/channels/{channel_id}/members/{member_id}", response={204: None}, summary="Leave, or remove someone")
def remove_member(request, channel_id: int, member_id: int):
    channel = access.get_channel(request.auth, channel_id)
    target = Member.objects.filter(pk=member_id).first()
    if target is None:
        raise Http404
    channel_actions.remove_channel_member(actor=request.auth, channel=channel, member=target)
    return Status(204, None)


@router.post("/channels/{channel_id}/messages", response={201: MessageOut}, summary="Post a message or thread reply")
def post_message(request, channel_id: int, body: MessageIn):
    channel = access.get_channel(request.auth, channel_id)
    thread = _thread(request.auth, channel, body.thread_id)
    message = message_actions.send_message(
        actor=request.auth, channel=channel, text=body.text, thread=thread, also_to_channel=body.also_to_channel
    )
    return Status(201, message_payload(message))  # the object in hand is current: no second read


@router.post("/channels/{channel_id}/uploads", response={201: MessageOut}, summary="Post a message with attachments")
def post_with_files(
    request,
    channel_id: int,
    files: list[UploadedFile] = File(...),  # noqa: B008  (ninja's way)
    text: str = Form(""),
    thread_id: int | None = Form(None),
):
    channel = access.get_channel(request.auth, channel_id)
    thread = _thread(request.auth, channel, thread_id)
    message = message_actions.send_message(actor=request.auth, channel=channel, text=text, thread=thread, files=files)
    return Status(201, _message(message))


def _thread(member, channel: Channel, thread_id: int | None) -> Message | None:
    if thread_id is None:
        return None
    thread = access.get_message(member, thread_id)
    if thread.channel_id != channel.pk:
        raise ValidationError("That thread belongs to another channel.")
    return thread


def _message(message: Message) -> dict:
    return message_payload(queries.message_rows().get(pk=message.pk))


@router.get(
    "/channels/{channel_id}/messages", response=MessagesOut, summary="Messages, oldest first (page back with before=ID)"
)
def list_messages(request, channel_id: int, before: int | None = None, after: int | None = None, limit: int = 50):
    channel = access.get_channel(request.auth, channel_id)
    limit = max(1, min(limit, 200))
    rows = queries.channel_page(channel, before=before, after=after, limit=limit)
    return {"messages": [message_payload(m) for m in rows]}


@router.post(
    "/channels/{channel_id}/read", response=ReadOut, summary="Mark the channel read (up to a message id, or all)"
)
def mark_read(request, channel_id: int, body: ReadIn):
    channel = access.get_channel(request.auth, channel_id)
    membership = state_actions.mark_read(actor=request.auth, channel=channel, up_to=body.up_to)
    return {"channel_id": channel.pk, "last_read_id": membership.last_read_id if membership else 0}


@router.get("/messages/{message_id}", response=MessageOut, summary="One message")
def get_message(request, message_id: int):
    return _message(access.get_message(request.auth, message_id))


@router.get("/messages/{message_id}/replies", response=MessagesOut, summary="A thread's replies, oldest first")
def thread_replies(request, message_id: int):
    root = access.get_message(request.auth, message_id)
    return {"messages": [message_payload(m) for m in queries.thread_messages(root)]}


@router.patch("/messages/{message_id}", response=MessageOut, summary="Edit your message")
def edit_message(request, message_id: int, body: TextIn):
    message = access.get_message(request.auth, message_id)
    return _message(message_actions.edit_message(actor=request.auth, message=message, text=body.text))


@router.delete("/messages/{message_id}", response={204: None}, summary="Delete a message")
def delete_message(request, message_id: int):
    message_actions.delete_message(actor=request.auth, message=access.get_message(request.auth, message_id))
    return Status(204, None)


@router.post("/messages/{message_id}/reactions", response={201: ReactionAddedOut}, summary="React with an emoji")
def react(request, message_id: int, body: EmojiIn):
    message = access.get_message(request.auth, message_id)
    reaction = message_actions.add_reaction(actor=request.auth, message=message, emoji=body.emoji)
    return Status(201, {"message_id": message.pk, "emoji": reaction.emoji, "member_id": request.auth.pk})


@router.delete("/messages/{message_id}/reactions", response={204: None}, summary="Remove your reaction (?emoji=)")
def unreact(request, message_id: int, emoji: str):
    message = access.get_message(request.auth, message_id)
    message_actions.remove_reaction(actor=request.auth, message=message, emoji=emoji)
    return Status(204, None)


@router.post("/messages/{message_id}/pin", response=MessageOut, summary="Pin a message to its channel")
def pin(request, message_id: int):
    return _message(
        message_actions.pin_message(actor=request.auth, message=access.get_message(request.auth, message_id))
    )


@router.delete("/messages/{message_id}/pin", response=MessageOut, summary="Unpin a message")
def unpin(request, message_id: int):
    return _message(
        message_actions.unpin_message(actor=request.auth, message=access.get_message(request.auth, message_id))
    )


@router.post("/messages/{message_id}/report", response={201: ReportOut}, summary="Report a message to staff")
def report(request, message_id: int, body: ReasonIn):
    message = access.get_message(request.auth, message_id)
    row = state_actions.report_message(actor=request.auth, message=message, reason=body.reason)
    return Status(201, {"id": row.pk, "message_id": message.pk})


@router.post(
    "/dms",
    response={201: ChannelRowOut, 429: Detail},
    summary="Open a direct conversation (1 to 8 others, by email; addresses looked up are limited per hour)",
)
def open_dm(request, body: DmIn):
    emails = {e.strip().lower() for e in body.emails if e.strip()}
    if (refused := _looked_up(request.auth, len(emails))) is not None:
        return refused
    people = list(Member.objects.filter(email__in=emails, is_active=True))
    if len(people) != len(emails):
        raise ValidationError("Some of those addresses do not belong to an active member.")
    channel = channel_actions.open_dm(actor=request.auth, members=people)
    return Status(201, _channel_row(channel, ChannelMembership(), 0))


@router.get("/search", response=SearchOut, summary="Search messages you may read, newest first")
def search(request, q: str = "", limit: int = 50, cursor: int | None = None):
    """`next` is the cursor for the next (older) page, or null on the last page."""
    page = search_page(request.auth, q, limit=max(1, min(limit, 100)), cursor=cursor)
    if page.query.errors:
        raise ValidationError(" ".join(page.query.errors))
    messages = [m for m, _ in page.results]
    prefetch_related_objects(messages, Prefetch("reactions", queryset=Reaction.objects.order_by("id")), "attachments")
    return {
        "results": [{"message": message_payload(m), "snippet": snippet} for m, snippet in page.results],
        "next": page.next,
    }


@router.get("/notifications", response=NotificationsOut, summary="Your mentions and thread replies, newest first")
def notifications(request):
    rows = queries.notifications(request.auth)
    return {
        "notifications": [
            {
                "id": n.pk,
                "kind": n.kind,
                "read": n.read_at is not None,
                "created_at": n.created_at.isoformat(),
                "message": message_payload(n.message),
            }
            for n in rows
        ]
    }
