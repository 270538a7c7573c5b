"""The typed shapes of chat objects (leveller.chat.payloads builds them), for the API and realtime events."""

from __future__ import annotations

from ninja import Schema


class AuthorOut(Schema):
    id: int | None
    display_name: str
    handle: str
    bot: bool


class ReactionOut(Schema):
    emoji: str
    count: int
    member_ids: list[int]


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    id: int
    channel_id: int
    thread_id: int | None
    author: AuthorOut
    text: str
    html: str
    created_at: str  # ISO 8601, as stored
    edited_at: str | None
    deleted: bool
    pinned: bool
    also_in_channel: bool
    reply_count: int
    reactions: list[ReactionOut]
    attachments: list[AttachmentOut]


class ChannelOut(Schema):
    id: int
    name: str
    kind: str
    private: bool
    purpose: str
    topic: str
    section: str
    announcement: bool
    default: bool
    archived: bool


class ChannelRowOut(ChannelOut):
    member: bool
    unread: int


class ChannelMemberOut(Schema):
    channel_id: int
    member_id: int
    display_name: str


class MessagesOut(Schema):
    messages: list[MessageOut]


class ReadOut(Schema):
    channel_id: int
    last_read_id: int | None


class ReactionAddedOut(Schema):
    message_id: int
    emoji: str
    member_id: int


class ReportOut(Schema):
    id: int
    message_id: int


class SearchResultOut(Schema):
    message: MessageOut
    snippet: str


class SearchOut(Schema):
    results: list[SearchResultOut]
    next: int | None


class NotificationOut(Schema):
    id: int
    kind: str
    read: bool
    created_at: str
    message: MessageOut


class NotificationsOut(Schema):
    notifications: list[NotificationOut]
