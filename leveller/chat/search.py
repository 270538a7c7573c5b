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


def _conditions(member, query: Query) -> tuple[list[str], list] | None:
    """SQL conditions on chat_message (alias m) for the query's filters, or None when nothing can match.

    The readable channels and the authors are resolved to ids first (small lookups), so the text search itself
    is one query that walks the full-text index newest first and stops at the limit.
    """
    channels = Channel.objects.readable_by(member)
    if query.channels:
        channels = channels.filter(name__in=query.channels, kind="standard")
    channel_ids = list(channels.values_list("pk", flat=True))
    if not channel_ids:
        return None
    where = ["m.deleted_at IS NULL", f"m.channel_id IN ({', '.join(['%s'] * len(channel_ids))})"]
    params: list = list(channel_ids)
    if query.authors:
        handles = {h for h in query.authors if h != "me"}
        authors = [m.pk for m in members_for_handles(handles).values()]
        if "me" in query.authors:
            authors.append(member.pk)
        if not authors:
            return None
        where.append(f"m.author_id IN ({', '.join(['%s'] * len(authors))})")
        params += authors
    zone = timezone.get_current_timezone()
    adapt = connection.ops.adapt_datetimefield_value
    if query.before:
        where.append("m.created_at < %s")
        params.append(adapt(dt.datetime.combine(query.before, dt.time.min, tzinfo=zone)))
    if query.after:
        where.append("m.created_at >= %s")
        params.append(adapt(dt.datetime.combine(query.after + dt.timedelta(days=1), dt.time.min, tzinfo=zone)))
    return where, params


def _text_hits(member, query: Query, limit: int) -> list[tuple[int, str]]:
    """[(message id, raw snippet)] newest first. Both databases walk the index in id order and stop at `limit`."""
    conditions = _conditions(member, query)
    if conditions is None:
        return []
    where, params = conditions
    # The SQL is assembled only from constant fragments; every value the member typed is a parameter.
    if connection.vendor == "sqlite":
        match = _sqlite_match(query)
        if not match:
            return []
        if query.authors:
            return _sqlite_author_hits(match, where, params, limit)
        # Ordering by the FTS table's rowid lets FTS5 return matches newest first without collecting them all.
        sql = (
            "SELECT m.id, snippet(chat_message_fts, 0, %s, %s, '…', 16) FROM chat_message_fts "  # noqa: S608
            f"JOIN chat_message m ON m.id = chat_message_fts.rowid WHERE chat_message_fts MATCH %s "
            f"AND {' AND '.join(where)} ORDER BY chat_message_fts.rowid DESC LIMIT %s"
        )
        sql_params = [START, STOP, match, *params, limit]
    else:
        parts, words = [], []
        for word in query.words:
            parts.append(f"to_tsquery('simple', {pg_fold('%s')} || ':*')")
            words.append(word)
        for phrase in query.phrases:
            parts.append(f"phraseto_tsquery('simple', {pg_fold('%s')})")
            words.append(phrase)
        if not parts:
            return []
        tsquery = " && ".join(parts)
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=' … '"
        # Headlines are computed for the page of hits only.
        sql = (
            f"SELECT hit.id, ts_headline('simple', hit.text, ({tsquery}), %s) FROM ("  # noqa: S608
            f"SELECT m.id, m.text FROM chat_message m WHERE m.search_vector @@ ({tsquery}) "
            f"AND {' AND '.join(where)} ORDER BY m.id DESC LIMIT %s) hit ORDER BY hit.id DESC"
        )
        sql_params = [*words, options, *words, *params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        return [(pk, snippet) for pk, snippet in cursor.fetchall()]


def _sqlite_author_hits(match: str, where: list[str], params: list, limit: int) -> list[tuple[int, str]]:
    """from:@someone: walk that author's messages newest first (author index), keeping the ones that match.

    The `+` stops SQLite from looking rows up by id for each full-text match instead, which is far slower when
    the author wrote a small share of the matches. Snippets come from one join on the page of hits (asking
    FTS5 for `rowid IN (…)` re-runs the match for every id).
    """
    sql = (
        "SELECT hit.id, snippet(chat_message_fts, 0, %s, %s, '…', 16) FROM (SELECT m.id FROM chat_message m "  # noqa: S608
        f"WHERE +m.id IN (SELECT rowid FROM chat_message_fts WHERE chat_message_fts MATCH %s) "
        f"AND {' AND '.join(where)} ORDER BY m.id DESC LIMIT %s) hit "
        "JOIN chat_message_fts ON chat_message_fts.rowid = hit.id WHERE chat_message_fts MATCH %s ORDER BY hit.id DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [START, STOP, match, *params, limit, match])
        return [(pk, snippet) for pk, snippet in cursor.fetchall()]


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
