"""Every realtime event type, with the schema of its payload: the one catalogue of what actions publish.

An action's `publish(type=..., payload=...)` must match `EVENTS[type]` (tests/realtime/test_events.py triggers
each action, captures what it published and validates it here, in the style of Zulip's test_events.py), and
docs/realtime.md lists exactly these types (a test checks that too). Payload schemas forbid unknown keys, so a
new field is added here, where clients can see it, before it is sent. `event_id`, `stream` and `type` are the
event's own keys, added by the realtime app to every frame.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from leveller.chat.schemas import ChannelOut, MessageOut


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- chat ----------------------------------------------------------------------------------------------------
class Fragments(Payload):
    channel: str | None
    thread: str | None


class MessageEvent(Payload):
    """message.created / message.updated: the message and its finished rows (render once, push once)."""

    channel_id: int
    message: MessageOut
    fragments: Fragments


class MessageDeleted(Payload):
    channel_id: int
    message_id: int
    thread_id: int | None
    tombstone: bool
    message: MessageOut | None = None  # a tombstone (a root with replies) keeps its row
    fragments: Fragments | None = None


class ReactionEvent(MessageEvent):
    message_id: int
    emoji: str
    member_id: int


class ChannelUpdated(Payload):
    channel: ChannelOut
    sidebar_label: str | None = None  # standard channels: the sidebar label's HTML


class MemberJoined(Payload):
    channel_id: int
    member_id: int
    display_name: str
    sidebar_row: str | None = None  # on the member's own user stream: their new sidebar row
    section: str | None = None
    section_label: str | None = None


class MemberLeft(Payload):
    channel_id: int
    member_id: int


class ChannelRead(Payload):
    channel_id: int
    last_read_id: int
    unread: int
    mentions: int
    notifications_read: int
    badge: int  # the member's unread notifications in all (tab title, app badge)


class ThreadRead(Payload):
    thread_id: int
    last_read_id: int
    unread_threads: int
    notifications_read: int
    badge: int


class ThreadFollowed(Payload):
    thread_id: int
    following: bool
    unread_threads: int


class NotificationCreated(Payload):
    kind: str
    channel_id: int
    message_id: int
    thread_id: int | None
    badge: int


class SidebarChanged(Payload):
    channel_id: int
    level: str | None = None
    section: str | None = None
    section_label: str | None = None


class ReportCreated(Payload):
    report_id: int


class Typing(Payload):
    channel_id: int
    thread_id: int | None
    member_id: int
    display_name: str


class Presence(Payload):
    member_id: int
    active: bool


class SlackImportProgress(Payload):
    run: int
    status: str
    final: bool
    html: str


# --- accounts, groups, events ----------------------------------------------------------------------------------
class ProfileUpdated(Payload):
    member_id: int
    display_name: str
    pronouns: str
    avatar_url: str | None = None  # the member's picture (served to logged-in members), None for initials


class GroupMemberJoined(Payload):
    group: int
    member: int
    role: str


class GroupMemberLeft(Payload):
    group: int
    member: int


class EventSubmitted(Payload):
    event: int
    title: str


class EventDecided(Payload):
    event: int
    approved: bool


class EventRsvps(Payload):
    event: int
    going: int
    waitlisted: int


class CourseDecided(Payload):
    course_id: int
    accepted: bool


# --- phone bank, newsletter -------------------------------------------------------------------------------------
class PhonebankProgress(Payload):
    campaign: int
    kind: str


class PhonebankImport(Payload):
    campaign: int
    job: int


class NewsletterProgress(Payload):
    """From publishing, only `issue` (the page reloads its counts); from the send loop, the counts too."""

    issue: int
    pending: int | None = None
    sending: int | None = None
    sent: int | None = None
    failed: int | None = None
    bounced: int | None = None
    unknown: int | None = None
    skipped: int | None = None
    recipients: int | None = None
    status: str | None = None
    error: str | None = None


EVENTS: dict[str, type[Payload]] = {
    "message.created": MessageEvent,
    "message.updated": MessageEvent,
    "message.deleted": MessageDeleted,
    "reaction.added": ReactionEvent,
    "reaction.removed": ReactionEvent,
    "channel.updated": ChannelUpdated,
    "channel.member_joined": MemberJoined,
    "channel.member_left": MemberLeft,
    "channel.read": ChannelRead,
    "thread.read": ThreadRead,
    "thread.followed": ThreadFollowed,
    "notification.created": NotificationCreated,
    "sidebar.changed": SidebarChanged,
    "report.created": ReportCreated,
    "typing": Typing,
    "presence": Presence,
    "slack_import.progress": SlackImportProgress,
    "profile.updated": ProfileUpdated,
    "group.member_joined": GroupMemberJoined,
    "group.member_left": GroupMemberLeft,
    "group.role_changed": GroupMemberJoined,
    "event.submitted": EventSubmitted,
    "event.decided": EventDecided,
    "event.rsvps": EventRsvps,
    "event.promoted": EventSubmitted,
    "course.decided": CourseDecided,
    "phonebank.progress": PhonebankProgress,
    "phonebank.import": PhonebankImport,
    "newsletter.progress": NewsletterProgress,
}
EPHEMERAL = frozenset({"typing", "presence"})  # sent with publish_ephemeral: never stored, never replayed


def validate(type: str, payload: dict) -> Payload:
    """The payload checked against its type's schema (KeyError for a type that is not in the catalogue)."""
    return EVENTS[type].model_validate(payload)
