"""Day files → messages, thread replies, reactions and attachments, written in bulk, in time order.

Every conversation's day files are read a day at a time across the whole workspace, so messages are stored
in time order (message ids grow with their time, which paging and search's date bounds rely on) and a thread's
parent is always stored before its replies. Ids are taken up front for each batch, so replies point at their
parents without reading anything back. Each batch is one transaction: a run killed at any moment leaves whole
batches, and the next run skips every (channel, ts) already stored.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction

from leveller.chat.attachments import check_upload, max_bytes
from leveller.chat.models import Attachment, Message, Reaction
from leveller.chat.slack_import import markup
from leveller.chat.slack_import.conversations import Conversation, note_system, ts_time
from leveller.chat.slack_import.people import People
from leveller.chat.slack_import.report import Report
from leveller.chat.slack_import.source import ExportError, Source, iter_days

BATCH = 2000
BATCH_FILE_BYTES = 64 * 1024 * 1024
MAX_TEXT = 40_000
SKIPPED = {"message_changed", "message_deleted", "message_replied", "huddle_thread", "sh_room_created"}
FILE_SUBTYPES = {"file_share", "file_mention"}


def norm_ts(ts) -> str | None:
    """Slack's ts ("1433160000.000002") in a fixed width, so text order is time order."""
    if type(ts) is str and len(ts) == 17 and ts[10] == "." and ts[:10].isdigit() and ts[11:].isdigit():
        return ts  # already the usual shape
    whole, _, fraction = str(ts or "").partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        return None
    return f"{int(whole):010d}.{fraction[:6].ljust(6, '0')}"


@dataclass(slots=True)
class Row:
    channel_id: int | None
    ts: str
    author_id: int | None
    bot_name: str
    parent: object  # a Row (same batch), an id, or None
    also: bool
    text: str
    html: str
    edited: str | None
    deleted: bool
    reactions: list = field(default_factory=list)  # [(emoji, member id)]
    files: list = field(default_factory=list)  # [(name, content_type, bytes)]
    key: tuple = ()
    id: int = 0
    created: object = None


class Writer:
    def __init__(self, source: Source, people: People, conversations: list[Conversation], report: Report, *,
                 dry_run: bool, progress: Callable[[dict], None] | None = None):  # fmt: skip
        self.source, self.people, self.report, self.dry_run = source, people, report, dry_run
        self.progress = progress or (lambda state: None)
        self.by_folder = {c.folder: c for c in conversations if c.folder}
        self.by_slack_id = {c.slack_id: c for c in conversations}
        self.files = source.file_index()
        self.pending: list[Row] = []
        self.pending_keys: dict[tuple[str, str], Row] = {}
        self.pending_bytes = 0
        self.pending_files: list[tuple[str, str]] = []
        self.parents: dict[tuple[str, str], object] = {}  # (slack channel, ts) -> Row or id
        self.shared_files: dict[tuple[str, str], object] = {}  # (slack channel, file id) -> Row or id
        self.unknown_users: set[str] = set()
        self.known_max = self._known_max()

    # Lookups ----------------------------------------------------------------------------------------------
    def channel_link(self, slack_id: str) -> tuple[int, str] | None:
        conversation = self.by_slack_id.get(slack_id)
        if conversation is None or conversation.channel_id is None or conversation.kind not in {"channel", "private"}:
            return None
        return conversation.channel_id, self.report.channel(slack_id)["name"].lstrip("#")

    def _known_max(self) -> dict[int, str]:
        if self.dry_run and not any(c.channel_id for c in self.by_slack_id.values()):
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT channel_id, MAX(slack_ts) FROM chat_message WHERE slack_ts IS NOT NULL GROUP BY channel_id"
            )
            return dict(cursor.fetchall())

    def _existing(self, channel_id: int, low: str, high: str) -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT slack_ts, id FROM chat_message WHERE channel_id = %s AND slack_ts >= %s AND slack_ts <= %s",
                [channel_id, low, high],
            )
            return dict(cursor.fetchall())

    # The walk ---------------------------------------------------------------------------------------------
    def run(self) -> None:
        total = sum(len(d) for f, d in self.source.day_files().items() if f in self.by_folder)
        done = 0
        for _date, files in iter_days(self.source, self.by_folder):
            day: list[tuple[str, Conversation, str, int, dict]] = []
            for folder, name in files:
                conversation = self.by_folder[folder]
                try:
                    items = self.source.read_day(name)
                except ExportError as error:
                    self.report.problem(f"{error.message}; this day's file was skipped", file=name, line=error.line)
                    continue
                for line, message in items:
                    if not isinstance(message, dict):
                        self.report.problem("is not a message object; skipped", file=name, line=line)
                        continue
                    ts = norm_ts(message.get("ts"))
                    if ts is None:
                        self.report.problem("has no valid ts; skipped", file=name, line=line)
                        continue
                    day.append((ts, conversation, name, line, message))
            day.sort(key=lambda item: item[0])
            existing = self._existing_for_day(day)
            for ts, conversation, name, line, message in day:
                self._one(ts, conversation, name, line, message, existing)
                if len(self.pending) >= BATCH or self.pending_bytes >= BATCH_FILE_BYTES:
                    self.flush()
            done += len(files)
            self.progress({"files_done": done, "files_total": total, "messages": self.report.messages["imported"]})
        self.flush()

    def _existing_for_day(self, day) -> dict[tuple[str, str], int]:
        spans: dict[str, tuple[Conversation, list[str]]] = {}
        for ts, conversation, *_ in day:
            high = self.known_max.get(conversation.channel_id)
            if high is not None and ts <= high:
                spans.setdefault(conversation.slack_id, (conversation, []))[1].append(ts)
        found = {}
        for conversation, stamps in spans.values():
            for ts, pk in self._existing(conversation.channel_id, min(stamps), max(stamps)).items():
                found[(conversation.slack_id, ts)] = pk
        return found

    def _one(self, ts: str, conversation: Conversation, name: str, line: int, message: dict, existing: dict) -> None:
        report, key = self.report, (conversation.slack_id, ts)
        if message.get("type", "message") != "message":
            report.skipped_subtypes[str(message.get("type"))] += 1
            return
        if note_system(conversation, message, report):
            return
        subtype = message.get("subtype") or ""
        if subtype in SKIPPED:
            report.skipped_subtypes[subtype] += 1
            return
        if conversation.slack_id in (message.get("pinned_to") or []) and ts not in conversation.pins:
            conversation.pins[ts] = (None, ts)
        thread_ts = message.get("thread_ts")
        thread_ts = norm_ts(thread_ts) if thread_ts else None
        is_parent = thread_ts == ts or bool(message.get("reply_count"))
        file_ids = [f.get("id") for f in self._files_of(message) if isinstance(f, dict) and f.get("id")]
        if key in existing or key in self.pending_keys:
            report.messages["already"] += 1
            report.channel(conversation.slack_id)["already"] += 1
            known = existing.get(key) or self.pending_keys[key]
            if is_parent:
                self.parents[key] = known
            for file_id in file_ids:
                self.shared_files.setdefault((conversation.slack_id, file_id), known)
            return
        row = self._row(ts, conversation, name, line, message, subtype, thread_ts)
        if row is None:
            return
        report.messages["imported"] += 1
        report.channel(conversation.slack_id)["messages"] += 1
        if row.parent is not None:
            report.messages["replies"] += 1
        report.messages["reactions"] += len(row.reactions)
        self.pending.append(row)
        self.pending_keys[key] = row
        if is_parent:
            self.parents[key] = row
        for file_id in file_ids:
            self.shared_files.setdefault((conversation.slack_id, file_id), row)
            self.pending_files.append((conversation.slack_id, file_id))

    @staticmethod
    def _files_of(message: dict) -> list:
        files = message.get("files") or []
        if not files and isinstance(message.get("file"), dict) and message.get("subtype") in FILE_SUBTYPES:
            files = [message["file"]]
        return files if isinstance(files, list) else []

    def _author(self, message: dict, subtype: str, name: str, line: int) -> tuple[int | None, str]:
        user = message.get("user")
        if subtype == "file_comment":
            user = (message.get("comment") or {}).get("user") or user
        person = self.people.author(user)
        bot_label = (
            message.get("username")
            or (message.get("bot_profile") or {}).get("name")
            or self.people.bots_by_bot_id.get(message.get("bot_id") or "")
        )
        if person is not None and not person.is_bot and subtype != "bot_message":
            return person.member_id, ("" if person.member_id else person.name)
        if subtype == "bot_message" or (person is not None and person.is_bot) or message.get("bot_id"):
            return None, str(bot_label or (person.name if person else "") or "Bot")[:80]
        if user:
            if user not in self.unknown_users:
                self.unknown_users.add(user)
                self.report.problem(
                    f"unknown user id {user} (not in users.json); their messages are kept under that id",
                    file=name,
                    line=line,
                )
            label = (message.get("user_profile") or {}).get("real_name") or user
            return None, str(label)[:80]
        return None, str(bot_label or "Slack")[:80]

    def _row(self, ts, conversation: Conversation, name: str, line: int, message: dict, subtype: str,
             thread_ts: str | None) -> Row | None:  # fmt: skip
        author_id, bot_name = self._author(message, subtype, name, line)
        raw = message.get("text") or ""
        if subtype == "file_comment":
            raw = (message.get("comment") or {}).get("comment") or raw
        if not isinstance(raw, str):
            raw = str(raw)
        text, handles = markup.convert(raw, users=self.people.lookup, channels=self.channel_link)
        extra = self._attachments_text(message, bool(text)) if message.get("attachments") else ""
        if extra:
            text = f"{text}\n\n{extra}" if text else extra
        if subtype == "me_message" and text:
            text = f"_{text}_"
        held, links = (
            self._files(message, conversation, name, line) if ("files" in message or "file" in message) else ((), ())
        )
        if links:
            text = (text + "\n\n" if text else "") + "\n".join(links)
        deleted = subtype == "tombstone" or (message.get("hidden") is True and subtype != "file_comment")
        if not text and not held and not deleted:
            self.report.skipped_subtypes[(subtype or "message") + " (empty)"] += 1
            return None
        text = text[:MAX_TEXT]
        parent = None
        if thread_ts and thread_ts != ts:
            parent = self._parent(conversation, thread_ts)
            if parent is None:
                self.report.problem(
                    "a thread reply whose first message is not in the export; imported as a message",
                    file=name,
                    line=line,
                )
        elif subtype == "file_comment":
            file_id = (message.get("file") or {}).get("id")
            parent = self.shared_files.get((conversation.slack_id, file_id)) if file_id else None
        also = parent is not None and subtype in {"thread_broadcast", "reply_broadcast"}
        reactions = []
        for reaction in message.get("reactions") or []:
            if not isinstance(reaction, dict) or not reaction.get("name"):
                continue
            emoji = markup.reaction_emoji(str(reaction["name"]))
            for user in reaction.get("users") or []:
                person = self.people.author(user)
                if person and person.member_id:
                    reactions.append((emoji, person.member_id))
                elif person and self.dry_run and not person.is_bot:
                    reactions.append((emoji, user))
        edited = message.get("edited")
        edited = edited.get("ts") if isinstance(edited, dict) else None
        row = Row(
            channel_id=conversation.channel_id,
            ts=ts,
            author_id=author_id,
            bot_name="" if author_id else bot_name,
            parent=parent,
            also=also,
            text="" if deleted else text,
            html="" if deleted or self.dry_run else markup.to_html(text, handles),
            edited=norm_ts(edited),
            deleted=deleted,
            key=(conversation.slack_id, ts),
            reactions=list(dict.fromkeys(reactions)) if reactions else reactions,
            files=list(held),
        )
        return row

    def _parent(self, conversation: Conversation, thread_ts: str):
        key = (conversation.slack_id, thread_ts)
        found = self.parents.get(key) or self.pending_keys.get(key)
        if found is None and conversation.channel_id and not self.dry_run:
            found = (
                Message.objects.filter(channel_id=conversation.channel_id, slack_ts=thread_ts)
                .values_list("pk", flat=True)
                .first()
            )
            if found is not None:
                self.parents[key] = found
        return found

    @staticmethod
    def _attachments_text(message: dict, has_text: bool) -> str:
        """Message attachments (integrations' cards; link previews are dropped when the text has the link)."""
        lines = []
        for item in message.get("attachments") or []:
            if not isinstance(item, dict) or (item.get("from_url") and has_text) or item.get("is_share") is False:
                continue
            parts = [item.get("pretext"), item.get("title"), item.get("text")]
            parts = [markup.unescape(str(p)) for p in parts if p] or (
                [str(item["fallback"])] if item.get("fallback") else []
            )
            for part in parts:
                lines.extend("> " + piece for piece in part.splitlines() if piece.strip())
            if item.get("title_link"):
                lines.append(f"> <{item['title_link']}>")
        return "\n".join(lines)

    def _files(self, message: dict, conversation: Conversation, name: str, line: int) -> tuple[list, list[str]]:
        held, links = [], []
        for item in self._files_of(message):
            if not isinstance(item, dict):
                continue
            label = str(item.get("name") or item.get("title") or item.get("id") or "file")
            url = item.get("url_private") or item.get("permalink") or ""
            if item.get("mode") in {"tombstone", "hidden_by_limit"}:
                links.append(f"📎 {markup._escape_md(label)} (deleted in Slack, or beyond the plan's limit)")
                continue
            entry = self.files.get(str(item.get("id") or ""))
            if entry is None:
                links.append(f"📎 [{markup._escape_md(label)}]({url})" if url else f"📎 {markup._escape_md(label)}")
                self.report.messages["file_links"] += 1
                continue
            reason = None
            if self.source.entries[entry].size > max_bytes():
                reason = f"{label} is over the {max_bytes() // (1024 * 1024)} MB attachment limit"
            else:
                try:
                    data = self.source.read_bytes(entry, max_bytes())
                    upload = ContentFile(data, name=label)
                    content_type, safe_name = check_upload(upload)
                except (ValidationError, ExportError) as error:
                    reason = " ".join(getattr(error, "messages", None) or [str(error)])
            if reason:
                self.report.problem(f"file not attached: {reason}; the message keeps its name and link", file=name,
                                    line=line)  # fmt: skip
                links.append(f"📎 [{markup._escape_md(label)}]({url})" if url else f"📎 {markup._escape_md(label)}")
                self.report.messages["file_links"] += 1
                continue
            self.report.messages["attachments"] += 1
            if not self.dry_run:
                held.append((safe_name, content_type, data))
                self.pending_bytes += len(data)
        return held, links

    # Writing ----------------------------------------------------------------------------------------------
    def flush(self) -> None:
        rows, self.pending, self.pending_bytes = self.pending, [], 0
        file_keys, self.pending_files, self.pending_keys = self.pending_files, [], {}
        if not rows or self.dry_run:
            for row in rows:  # a dry run's parents only need to be known
                row.files = []
            return
        began = time.monotonic()
        with transaction.atomic():
            for row, pk in zip(rows, allocate_ids(len(rows)), strict=True):
                row.id = pk
            insert_messages(rows)
            insert_reactions(rows)
            save_attachments(rows)
        self.report.timings["writing"] = round(self.report.timings.get("writing", 0) + time.monotonic() - began, 2)
        for row in rows:  # parents known by id from now on; the rows themselves can go
            if self.parents.get(row.key) is row:
                self.parents[row.key] = row.id
        for key in file_keys:
            value = self.shared_files.get(key)
            if isinstance(value, Row):
                self.shared_files[key] = value.id


def allocate_ids(count: int) -> list[int]:
    """`count` new message ids, in increasing order (inside the batch's transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('chat_message', 'id')) FROM generate_series(1, %s)", [count]
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            "SELECT MAX(COALESCE((SELECT MAX(id) FROM chat_message), 0), "
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'chat_message'), 0))"
        )
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def insert_rows(model, columns: list[str], rows: list[tuple], *, ignore_conflicts: bool = False) -> None:
    """One executemany: `columns` (attnames) come from each row tuple, every other column gets its default."""
    others = [f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key]
    constants = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
    fields = [model._meta.get_field(name) for name in columns] + others
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({quoted}) VALUES ({marks}){conflict}"  # noqa: S608
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, [row + constants for row in rows] if constants else rows)


def _when(ts: str | None, naive_utc: bool = False):
    if not ts:
        return None
    moment = ts_time(ts)
    if moment is None:
        return None
    if naive_utc:  # what SQLite's adapt_datetimefield_value makes of it, without its checks per row
        return str(moment.replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value(moment)


def _naive_utc() -> bool:
    return connection.vendor == "sqlite" and connection.timezone == dt.UTC


MESSAGE_COLUMNS = ["id", "channel_id", "author_id", "bot_name", "thread_id", "also_in_channel", "text", "html",
                   "created_at", "edited_at", "deleted_at", "reply_count", "slack_ts"]  # fmt: skip


def insert_messages(rows: list[Row]) -> None:
    values = []
    naive = _naive_utc()
    for r in rows:
        parent = r.parent
        created = _when(r.ts, naive)
        values.append((
            r.id, r.channel_id, r.author_id, r.bot_name, parent.id if isinstance(parent, Row) else parent, r.also,
            r.text, r.html, created, _when(r.edited, naive) if r.edited else None, created if r.deleted else None, 0,
            r.ts,
        ))  # fmt: skip
        r.created = created
    if connection.vendor == "postgresql":
        copy_rows(Message, MESSAGE_COLUMNS, values)
    else:
        insert_rows(Message, MESSAGE_COLUMNS, values)


def copy_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """PostgreSQL's COPY of new rows (the ids are fresh, so nothing can conflict): like insert_rows, faster."""
    others = [f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key]
    constants = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
    fields = [model._meta.get_field(name) for name in columns] + others
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN"
    if rows:
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row + constants)


def insert_reactions(rows: list[Row]) -> None:
    items = [(row.id, member_id, emoji, row.created) for row in rows for emoji, member_id in row.reactions]
    insert_rows(Reaction, ["message_id", "member_id", "emoji", "created_at"], items, ignore_conflicts=True)


def save_attachments(rows: list[Row]) -> None:
    for row in rows:
        for name, content_type, data in row.files:
            attachment = Attachment(
                message_id=row.id, token=secrets.token_urlsafe(16), name=name, content_type=content_type,
                size=len(data),
            )  # fmt: skip
            attachment.file.save(name, ContentFile(data), save=False)
            attachment.save()
        row.files = []
