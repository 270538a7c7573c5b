"""channels.json, groups.json, dms.json and mpims.json → channels, DMs and group DMs with their members.

A private channel stays private and a DM stays between its members. System messages found in the history
(joins, leaves, topic, purpose, archive, pins) are collected while messages are read and applied at the end
(`finish`), so a run that is stopped and started again applies them the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from leveller.chat.actions.channels import clean_channel_name
from leveller.chat.models import Channel, ChannelMembership, Kind, Message
from leveller.chat.slack_import.people import People
from leveller.chat.slack_import.report import Report

FILES = (("channels.json", "channel"), ("groups.json", "private"), ("mpims.json", "group_dm"), ("dms.json", "dm"))
KIND_LABEL = {"channel": "channels", "private": "private", "group_dm": "group_dms", "dm": "dms"}


def ts_time(ts) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(float(ts), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


@dataclass
class Conversation:
    slack_id: str
    kind: str  # channel, private, group_dm, dm
    name: str
    data: dict
    folder: str = ""
    channel_id: int | None = None
    joins: dict[str, tuple[str, bool]] = field(default_factory=dict)  # slack user -> (ts, joined?)
    topic: str | None = None
    purpose: str | None = None
    archived_ts: str | None = None
    unarchived: bool = False
    pins: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # message ts -> (pinned by, at ts)
    unpins: set[str] = field(default_factory=set)

    @property
    def members(self) -> list[str]:
        return [m for m in self.data.get("members") or [] if isinstance(m, str)]


def load(source, report: Report) -> list[Conversation]:
    conversations: list[Conversation] = []
    seen: set[str] = set()
    folders = source.day_files()
    for filename, kind in FILES:
        if not source.has(filename):
            continue
        rows = source.read_json(filename)
        if not isinstance(rows, list):
            report.problem("should be a JSON list of conversations; skipped", file=filename, line=1)
            continue
        for index, row in enumerate(rows):
            if not isinstance(row, dict) or not row.get("id"):
                report.problem(f"conversation #{index + 1} has no id; skipped", file=filename)
                continue
            if row["id"] in seen:
                continue
            seen.add(row["id"])
            name = str(row.get("name") or row["id"])
            conversation = Conversation(slack_id=row["id"], kind=kind, name=name, data=row)
            conversation.folder = name if name in folders else row["id"] if row["id"] in folders else ""
            for pin in row.get("pins") or []:
                if isinstance(pin, dict) and pin.get("id"):
                    conversation.pins[str(pin["id"])] = (pin.get("user"), str(pin.get("created") or pin["id"]))
            conversations.append(conversation)
    return conversations


def _unique_name(name: str) -> str:
    base = name[:72]
    candidate, n = f"{base}-slack", 1
    while Channel.objects.standard().filter(name__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-slack{n}"
    return candidate


def _dm_name(conversation: Conversation, people: People) -> str:
    names = sorted(people.lookup(m)[1] for m in conversation.members) or [conversation.name]
    return ", ".join(names)[:80]


def create_all(conversations: list[Conversation], people: People, report: Report, *, dry_run: bool, defaults: bool):
    """Find or create each conversation's channel and add its members (idempotent)."""
    existing = dict(Channel.objects.filter(slack_id__isnull=False).values_list("slack_id", "pk"))
    for conversation in conversations:
        label = KIND_LABEL[conversation.kind]
        row = report.channel(conversation.slack_id)
        row["kind"] = label
        if conversation.slack_id in existing:
            conversation.channel_id = existing[conversation.slack_id]
            report.conversations["already"] += 1
        report.conversations[label] += 1
        if conversation.kind in {"dm", "group_dm"}:
            row["name"] = _dm_name(conversation, people)
        else:
            try:
                row["name"] = "#" + clean_channel_name(conversation.name)
            except ValidationError:
                row["name"] = "#" + conversation.slack_id.lower()
        if dry_run or conversation.channel_id:
            continue
        with transaction.atomic():
            conversation.channel_id = _create(conversation, people, report, defaults=defaults)
        if conversation.kind in {"channel", "private"}:
            row["name"] = "#" + Channel.objects.get(pk=conversation.channel_id).name
    if not dry_run:
        _add_members(conversations, people)


def _create(conversation: Conversation, people: People, report: Report, *, defaults: bool) -> int:
    data = conversation.data
    creator = people.author(data.get("creator"))
    common = {
        "created_by_id": creator.member_id if creator else None,
        "created_at": ts_time(data.get("created")) or timezone.now(),
        "topic": str((data.get("topic") or {}).get("value") or "")[:250],
        "purpose": str((data.get("purpose") or {}).get("value") or "")[:250],
        "slack_id": conversation.slack_id,
    }
    if conversation.kind in {"dm", "group_dm"}:
        member_ids = sorted({p.member_id for m in conversation.members if (p := people.author(m)) and p.member_id})
        others = sorted(m for m in conversation.members if not (people.author(m) and people.author(m).member_id))
        key = "-".join([*map(str, member_ids), *others])[:200] or None
        found = Channel.objects.filter(dm_key=key, slack_id__isnull=True).first() if key else None
        if found is not None:  # the same people already talk in Leveller: their Slack history joins it
            Channel.objects.filter(pk=found.pk).update(slack_id=conversation.slack_id)
            return found.pk
        if key and Channel.objects.filter(dm_key=key).exists():
            key = None
        kind = Kind.DM if conversation.kind == "dm" else Kind.GROUP_DM
        channel = Channel.objects.create(
            name=_dm_name(conversation, people), kind=kind, private=True, section="direct", dm_key=key, **common
        )
        return channel.pk
    private = conversation.kind == "private"
    try:
        name = clean_channel_name(conversation.name)
    except ValidationError:
        name = conversation.slack_id.lower()
    clash = Channel.objects.standard().filter(name__iexact=name).first()
    if clash is not None:
        if not private and not clash.private and clash.slack_id is None:
            Channel.objects.filter(pk=clash.pk).update(slack_id=conversation.slack_id)
            report.renamed.append(f"#{name}: Slack's public channel was merged into the existing #{name}.")
            return clash.pk
        new = _unique_name(name)
        report.renamed.append(f"#{name}: a channel with that name already exists, so it was imported as #{new}.")
        name = new
    default = bool(defaults and data.get("is_general") and not private)
    channel = Channel.objects.create(name=name, kind=Kind.STANDARD, private=private, default=default, **common)
    return channel.pk


def _add_members(conversations: list[Conversation], people: People) -> None:
    from leveller.chat.slack_import.messages import insert_rows

    rows = []
    for conversation in conversations:
        joined = connection.ops.adapt_datetimefield_value(ts_time(conversation.data.get("created")) or timezone.now())
        for slack_id in conversation.members:
            person = people.author(slack_id)
            if person and person.member_id:
                rows.append((conversation.channel_id, person.member_id, joined))
    for start in range(0, len(rows), 5000):
        with transaction.atomic():
            insert_rows(ChannelMembership, ["channel_id", "member_id", "joined_at"], rows[start : start + 5000],
                        ignore_conflicts=True)  # fmt: skip


def note_system(conversation: Conversation, message: dict, report: Report) -> bool:
    """Apply a system message to the conversation's state; True when it was one (so it is not a message)."""
    subtype = message.get("subtype") or ""
    kind = subtype.split("_", 1)[1] if subtype.startswith(("channel_", "group_")) else subtype
    ts, user = str(message.get("ts") or ""), message.get("user")
    if kind in {"join", "leave"} and user:
        previous = conversation.joins.get(user)
        if previous is None or previous[0] <= ts:
            conversation.joins[user] = (ts, kind == "join")
    elif kind == "topic":
        conversation.topic = str(message.get("topic") or "")
    elif kind == "purpose":
        conversation.purpose = str(message.get("purpose") or "")
    elif kind == "archive":
        conversation.archived_ts, conversation.unarchived = ts, False
    elif kind == "unarchive":
        conversation.unarchived = True
    elif kind == "name":
        pass  # channels.json holds the current name
    elif subtype == "pinned_item":
        item = message.get("item") or {}
        item_ts = item.get("ts") or (message.get("attachments") or [{}])[0].get("ts")
        if item_ts:
            conversation.pins[str(item_ts)] = (user, ts)
            conversation.unpins.discard(str(item_ts))
    elif subtype == "unpinned_item":
        item_ts = (message.get("item") or {}).get("ts")
        if item_ts:
            conversation.unpins.add(str(item_ts))
    elif subtype in {"bot_add", "bot_remove", "bot_enable", "bot_disable", "channel_convert_to_private"}:
        pass
    else:
        return False
    report.messages["state_changes"] += 1
    return True


def finish(conversations: list[Conversation], people: People) -> None:
    """Memberships, topic, purpose, archive and pins from the history; everything read by everyone."""
    for conversation in conversations:
        if conversation.channel_id is None:
            continue
        with transaction.atomic():
            _finish_one(conversation, people)
    ids = sorted({c.channel_id for c in conversations if c.channel_id})
    if connection.vendor == "postgresql":  # fresh statistics after the bulk load, so the planner uses indexes
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE chat_message, chat_threadfollow, chat_channelmembership")
    for start in range(0, len(ids), 500):
        with transaction.atomic():
            _threads_and_reads(ids[start : start + 500])


def _finish_one(conversation: Conversation, people: People) -> None:
    channel_id = conversation.channel_id
    current = set(conversation.members)
    add, remove = [], []
    for slack_id, (ts, joined) in conversation.joins.items():
        person = people.author(slack_id)
        if not (person and person.member_id):
            continue
        if joined or slack_id in current:
            add.append(ChannelMembership(channel_id=channel_id, member_id=person.member_id,
                                         joined_at=ts_time(ts) or timezone.now()))  # fmt: skip
        else:
            remove.append(person.member_id)
    ChannelMembership.objects.bulk_create(add, ignore_conflicts=True)
    if remove:
        ChannelMembership.objects.filter(channel_id=channel_id, member_id__in=remove).delete()
    data, fields = conversation.data, {}
    if not (data.get("topic") or {}).get("value") and conversation.topic:
        fields["topic"] = conversation.topic[:250]
    if not (data.get("purpose") or {}).get("value") and conversation.purpose:
        fields["purpose"] = conversation.purpose[:250]
    if "is_archived" in data:
        archived = bool(data["is_archived"])
    else:
        archived = bool(conversation.archived_ts) and not conversation.unarchived
    channel = Channel.objects.filter(pk=channel_id).values("archived_at", "default").first()
    if archived and channel["archived_at"] is None:
        fields["archived_at"] = ts_time(conversation.archived_ts) or timezone.now()
        fields["default"] = False
    if fields:
        Channel.objects.filter(pk=channel_id).update(**fields)
    for ts, (user, at) in conversation.pins.items():
        if ts in conversation.unpins:
            continue
        person = people.author(user)
        Message.objects.filter(channel_id=channel_id, slack_ts=ts, pinned_at__isnull=True).update(
            pinned_at=ts_time(at) or ts_time(ts), pinned_by_id=person.member_id if person else None
        )


def _threads_and_reads(channel_ids: list[int]) -> None:
    """Reply counts from the replies really imported; everyone has read everything; participants follow.
    Each statement reads the channels' messages once, grouped (no subquery per row: at a million messages a
    correlated one is minutes on PostgreSQL)."""
    ids = ", ".join(["%s"] * len(channel_ids))
    replies = (
        f"SELECT thread_id, COUNT(*) AS n, MAX(created_at) AS last, MAX(id) AS last_id FROM chat_message WHERE "
        f"channel_id IN ({ids}) AND thread_id IS NOT NULL GROUP BY thread_id HAVING COUNT(slack_ts) > 0"
    )
    statements = [
        (
            "UPDATE chat_message SET reply_count = s.n, last_reply_at = s.last "
            f"FROM ({replies}) s WHERE chat_message.id = s.thread_id",
            channel_ids,
        ),
        (
            "INSERT INTO chat_threadfollow (thread_id, member_id, following, last_read_id) "
            f"SELECT thread_id, author_id, %s, MAX(id) FROM chat_message WHERE channel_id IN ({ids}) AND thread_id "
            "IS NOT NULL AND author_id IS NOT NULL AND slack_ts IS NOT NULL GROUP BY thread_id, author_id "
            "ON CONFLICT DO NOTHING",
            [True, *channel_ids],
        ),
        (
            "INSERT INTO chat_threadfollow (thread_id, member_id, following, last_read_id) "
            f"SELECT p.id, p.author_id, %s, p.id FROM chat_message p WHERE p.channel_id IN ({ids}) AND "
            "p.reply_count > 0 AND p.author_id IS NOT NULL AND p.slack_ts IS NOT NULL ON CONFLICT DO NOTHING",
            [True, *channel_ids],
        ),
        (
            f"UPDATE chat_threadfollow SET last_read_id = s.last_id FROM ({replies}) s "
            "WHERE chat_threadfollow.thread_id = s.thread_id",
            channel_ids,
        ),
    ]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute(
            f"SELECT channel_id, MAX(id) FROM chat_message WHERE channel_id IN ({ids}) GROUP BY channel_id",
            channel_ids,
        )
        last = dict(cursor.fetchall())
        cursor.executemany(
            "UPDATE chat_channelmembership SET last_read_id = %s WHERE channel_id = %s",
            [(last.get(channel_id, 0), channel_id) for channel_id in channel_ids],
        )
