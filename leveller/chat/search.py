"""Message search: SQLite FTS5 or PostgreSQL tsvector, always limited to messages the member may read.

Query language: words (prefix-matched), "exact phrases", in:#channel, from:@handle (or from:me),
before:YYYY-MM-DD, after:YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass, field
from html import escape

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from leveller.chat.handles import members_for_handles
from leveller.chat.models import Channel, Message
from leveller.chat.queries import message_rows
from leveller.chat.search_sql import pg_fold

START, STOP = "\x02", "\x03"
WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass
class Query:
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    before: dt.date | None = None
    after: dt.date | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def empty(self) -> bool:
        return not (self.has_text or self.channels or self.authors or self.before or self.after)


def parse(text: str) -> Query:
    query = Query()
    try:
        parts = shlex.split(text or "", posix=True)
    except ValueError:  # an unbalanced quote: treat the text as plain words
        parts = (text or "").replace('"', " ").split()
    raw_phrases = set(re.findall(r'"([^"]+)"', text or ""))
    for part in parts:
        key, sep, value = part.partition(":")
        key = key.lower()
        if sep and key == "in" and value:
            query.channels.append(value.lstrip("#").lower())
        elif sep and key == "from" and value:
            query.authors.append(value.lstrip("@").lower())
        elif sep and key in {"before", "after"} and value:
            try:
                setattr(query, key, dt.date.fromisoformat(value))
            except ValueError:
                query.errors.append(f"{key}: needs a date like 2025-03-31.")
        elif part in raw_phrases and " " in part:
            query.phrases.append(part)
        else:
            query.words.extend(WORD_RE.findall(part))
    return query


def _filtered(member, query: Query):
    """Messages the member may read, narrowed by the query's filters (not its words)."""
    rows = Message.objects.filter(channel__in=Channel.objects.readable_by(member), deleted_at__isnull=True)
    if query.channels:
        rows = rows.filter(channel__name__in=query.channels, channel__kind="standard")
    if query.authors:
        handles = {h for h in query.authors if h != "me"}
        authors = [m.pk for m in members_for_handles(handles).values()]
        if "me" in query.authors:
            authors.append(member.pk)
        rows = rows.filter(author_id__in=authors)
    zone = timezone.get_current_timezone()
    if query.before:
        rows = rows.filter(created_at__lt=dt.datetime.combine(query.before, dt.time.min, tzinfo=zone))
    if query.after:
        rows = rows.filter(
            created_at__gte=dt.datetime.combine(query.after + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        )
    return rows


def _highlight(snippet: str) -> str:
    return escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>")


def _sqlite_match(query: Query) -> str:
    terms = [f'"{w}"*' for w in query.words]
    terms += ['"' + " ".join(WORD_RE.findall(p)) + '"' for p in query.phrases if WORD_RE.findall(p)]
    return " AND ".join(terms)


def _match(query: Query) -> tuple[str, list, str, list] | None:
    """(SQL selecting matching message ids, its params, SQL for snippets of given ids, its params)."""
    if connection.vendor == "sqlite":
        match = _sqlite_match(query)
        if not match:
            return None
        hits = "SELECT rowid FROM chat_message_fts WHERE chat_message_fts MATCH %s"
        snippets = (
            "SELECT rowid, snippet(chat_message_fts, 0, %s, %s, '…', 16) FROM chat_message_fts "
            "WHERE chat_message_fts MATCH %s AND rowid IN ({ids})"
        )
        return hits, [match], snippets, [START, STOP, match]
    parts, params = [], []
    for word in query.words:
        parts.append(f"to_tsquery('simple', {pg_fold('%s')} || ':*')")
        params.append(word)
    for phrase in query.phrases:
        parts.append(f"phraseto_tsquery('simple', {pg_fold('%s')})")
        params.append(phrase)
    if not parts:
        return None
    # The SQL is assembled only from constant fragments; every value the member typed is a parameter.
    tsquery = " && ".join(parts)
    hits = f"SELECT id FROM chat_message WHERE search_vector @@ ({tsquery})"  # noqa: S608
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=' … '"
    snippets = f"SELECT id, ts_headline('simple', text, ({tsquery}), %s) FROM chat_message WHERE id IN ({{ids}})"  # noqa: S608
    return hits, params, snippets, [*params, options]


def _text_hits(member, query: Query, limit: int) -> list[tuple[int, str]]:
    sql = _match(query)
    if sql is None:
        return []
    hits, hit_params, snippets, snippet_params = sql
    ids = list(
        _filtered(member, query)
        .filter(id__in=RawSQL(hits, hit_params))  # noqa: S611  (constant SQL, values as parameters)
        .order_by("-id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(snippets.format(ids=", ".join(["%s"] * len(ids))), [*snippet_params, *ids])
        found = dict(cursor.fetchall())
    return [(pk, found.get(pk)) for pk in ids]


def search(member, text: str, *, limit: int = 50) -> tuple[Query, list[tuple[Message, str]]]:
    """(the parsed query, [(message, highlighted snippet HTML)]) newest first."""
    query = parse(text)
    if query.empty:
        return query, []
    if query.has_text:
        hits = _text_hits(member, query, limit)
    else:
        hits = [(pk, None) for pk in _filtered(member, query).order_by("-id").values_list("id", flat=True)[:limit]]
    messages = message_rows().select_related("thread").in_bulk([pk for pk, _ in hits])
    results = []
    for pk, snippet in hits:
        message = messages.get(pk)
        if message is None:
            continue
        html = _highlight(snippet) if snippet else escape(message.text[:200])
        results.append((message, html))
    return query, results
