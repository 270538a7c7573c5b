"""Message search: SQLite FTS5 or PostgreSQL tsvector, always limited to messages the member may read.

Query language: words (prefix-matched), "exact phrases", in:#channel, from:@handle (or from:me),
before:YYYY-MM-DD, after:YYYY-MM-DD. Results are newest first, a page at a time: `Page.next` is the cursor
for the next (older) page.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import shlex
from dataclasses import dataclass, field
from html import escape

from django.db import connection, transaction
from django.utils import timezone

from leveller.accounts.models import Member
from leveller.chat.models import Channel, ChatProfile, Message
from leveller.chat.search_sql import pg_fold

START, STOP = "\x02", "\x03"
# PostgreSQL's headline parser drops anything shaped like an HTML tag ("<b>"), so angle brackets travel through it
# as the small less-than and greater-than signs (U+FE64, U+FE65), which it keeps, and come back escaped.
ANGLES = "\ufe64\ufe65"
WORD_RE = re.compile(r"\w+", re.UNICODE)
# Message ids increase with created_at (a message is stamped when it is stored). Date bounds become id bounds
# with this much slack, so a stamp a little out of id order (concurrent writers) is still matched exactly.
ID_SLACK = dt.timedelta(hours=1)
WALK_AT_MOST = 20_000


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


@dataclass
class Page:
    query: Query
    results: list[tuple[Message, str]]
    next: int | None = None  # pass as `cursor` for the next, older page; None on the last page


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


def _highlight(snippet: str) -> str:
    html = escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>")
    return html.replace(ANGLES[0], "&lt;").replace(ANGLES[1], "&gt;")


def _sqlite_match(query: Query) -> str:
    terms = [f'"{w}"*' for w in query.words]
    terms += ['"' + " ".join(WORD_RE.findall(p)) + '"' for p in query.phrases if WORD_RE.findall(p)]
    return " AND ".join(terms)


def _date_range(query: Query) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(earliest created_at included, created_at excluded from here on) for after:/before:, in local time."""
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(query.after + dt.timedelta(days=1), dt.time.min, tzinfo=zone) if query.after else None
    until = dt.datetime.combine(query.before, dt.time.min, tzinfo=zone) if query.before else None
    return since, until


def id_bounds(query: Query, cursor: int | None = None) -> tuple[int | None, int | None] | None:
    """(lowest id excluded, highest id included) for the query's dates and the paging cursor, or None when no
    message can match. Found through the created_at index (one row each), so a date never makes the text search
    walk past the newer matches: it starts at the bound instead."""
    since, until = _date_range(query)
    low = high = None
    if since is None and until is None and cursor is None:
        return low, high
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor_:
        if until is not None:
            cursor_.execute(
                "SELECT id FROM chat_message WHERE created_at >= %s ORDER BY created_at LIMIT 1",
                [adapt(until + ID_SLACK)],
            )
            row = cursor_.fetchone()
            high = row[0] - 1 if row else None
        if since is not None:
            cursor_.execute(
                "SELECT id FROM chat_message WHERE created_at < %s ORDER BY created_at DESC LIMIT 1",
                [adapt(since - ID_SLACK)],
            )
            row = cursor_.fetchone()
            low = row[0] if row else None
    if cursor is not None:
        high = cursor - 1 if high is None else min(high, cursor - 1)
    if low is not None and high is not None and high <= low:
        return None
    return low, high


_PROBE = -7_300_001  # a member id that never exists: marks where the member's id goes in the compiled statement


@functools.cache
def _readable_statement(vendor: str) -> tuple[str, tuple]:
    """`Channel.objects.readable_by` compiled once per process: compiling it costs ~0.5 ms, running it 0.03 ms.
    Its only per-member input is the member's id (tests/chat/test_search.py checks this for every persona)."""
    probe = Member(pk=_PROBE, is_active=True)
    return Channel.objects.readable_by(probe).values_list("pk").query.sql_with_params()


def readable_channel_ids(member) -> list[int]:
    """Ids of the channels whose messages the member may read (exactly `Channel.objects.readable_by`)."""
    if member is None or not member.is_authenticated or not member.is_active:
        return list(Channel.objects.readable_by(member).values_list("pk", flat=True))  # none, by the queryset's rule
    sql, params = _readable_statement(connection.vendor)
    params = [member.pk if value == _PROBE else value for value in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _author_ids(member, query: Query) -> list[int]:
    handles = sorted({h for h in query.authors if h != "me"})
    ids = []
    if handles:
        sql = (
            f"SELECT p.member_id FROM {ChatProfile._meta.db_table} p JOIN {Member._meta.db_table} a "  # noqa: S608
            f"ON a.id = p.member_id WHERE a.is_active AND p.handle IN ({', '.join(['%s'] * len(handles))})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, handles)
            ids = [row[0] for row in cursor.fetchall()]
    if "me" in query.authors:
        ids.append(member.pk)
    return ids


def _conditions(member, query: Query, bounds: tuple[int | None, int | None], *, id_column: str = "m.id"):
    """SQL conditions on chat_message (alias m) for everything but the words, or None when nothing can match.

    Readable channels (and in:#channel, from:@handle) are resolved to ids first, so the planner sees them. The
    date and cursor bounds apply to `id_column` (the FTS5 rowid on SQLite, where FTS5 seeks to them).
    """
    channel_ids = readable_channel_ids(member)
    if query.channels:
        named = Channel.objects.filter(pk__in=channel_ids, name__in=query.channels, kind="standard")
        channel_ids = list(named.values_list("pk", flat=True))
    if not channel_ids:
        return None
    where = [f"m.channel_id IN ({', '.join(['%s'] * len(channel_ids))})", "m.deleted_at IS NULL"]
    params: list = list(channel_ids)
    if query.authors:
        authors = _author_ids(member, query)
        if not authors:
            return None
        where.append(f"m.author_id IN ({', '.join(['%s'] * len(authors))})")
        params += authors
    low, high = bounds
    if high is not None:
        where.append(f"{id_column} <= %s")
        params.append(high)
    if low is not None:
        where.append(f"{id_column} > %s")
        params.append(low)
    # The exact date test, on the rows inside the id bounds, hidden from the planners (SQLite's `+`, PostgreSQL's
    # `+ interval '0 s'`): the id bounds already say which rows, and PostgreSQL, seeing both, multiplied their
    # selectivities (they are one fact) and chose a bitmap over three indexes: 20 ms instead of a 1 ms walk.
    column = "+m.created_at" if connection.vendor == "sqlite" else "(m.created_at + interval '0 s')"
    adapt = connection.ops.adapt_datetimefield_value
    since, until = _date_range(query)
    if until is not None:
        where.append(f"{column} < %s")
        params.append(adapt(until))
    if since is not None:
        where.append(f"{column} >= %s")
        params.append(adapt(since))
    return where, params


@dataclass
class Statement:
    sql: str
    params: list
    walk: bool = False  # PostgreSQL: test the words row by row along the in:/from: index, not through the GIN index


def fetch_hits(statement: Statement) -> list[tuple[int, str | None]]:
    with connection.cursor() as cursor:
        if not statement.walk:
            cursor.execute(statement.sql, statement.params)
            return cursor.fetchall()
        with transaction.atomic(using=connection.alias):
            cursor.execute("SELECT current_setting('enable_bitmapscan'), set_config('enable_bitmapscan', 'off', true)")
            previous = cursor.fetchone()[0]
            cursor.execute(statement.sql, statement.params)
            rows = cursor.fetchall()
            cursor.execute("SELECT set_config('enable_bitmapscan', %s, true)", [previous])
            return rows


def _pg_narrow(conds: str, params: list) -> bool:
    """Is the set that in:, from: or dates leave small enough (by the planner's own estimate) to walk it, testing
    the words on each row? The planner underestimates GIN prefix matches (`word:*` reads every posting of a common
    word into a bitmap: 10-20 ms at 1M messages), while walking 20,000 rows costs a few ms and usually stops at
    the limit."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM chat_message m WHERE {conds}", params)  # noqa: S608
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"]["Plan Rows"] <= WALK_AT_MOST


def hits_sql(member, query: Query, limit: int, bounds: tuple[int | None, int | None]) -> Statement | None:
    """One statement returning (message id, raw snippet or NULL) newest first, at most `limit` rows, or None when
    nothing can match. `bounds` comes from `id_bounds`. Every value the member typed is a parameter; the SQL is
    built from constant fragments.

    SQLite walks the FTS5 index by rowid (newest first, from the upper id bound) and stops at the limit, except
    for from:@someone, which walks that author's messages instead. PostgreSQL orders by id with a LIMIT over the
    GIN match; its planner picks the GIN index (rare words) or the primary key walk (common words), except that a
    small in:/from:/date set is walked (`_pg_narrow`).
    """
    sqlite = connection.vendor == "sqlite"
    text_first = query.has_text and sqlite and not query.authors
    conditions = _conditions(member, query, bounds, id_column="chat_message_fts.rowid" if text_first else "m.id")
    if conditions is None:
        return None
    where, params = conditions
    conds = " AND ".join(where)
    if not query.has_text:
        sql = f"SELECT m.id, NULL FROM chat_message m WHERE {conds} ORDER BY m.id DESC LIMIT %s"  # noqa: S608
        return Statement(sql, [*params, limit])
    if sqlite:
        match = _sqlite_match(query)
        if not match:
            return None
        snippet = "snippet(chat_message_fts, 0, %s, %s, '…', 16)"
        if text_first:
            sql = (
                f"SELECT m.id, {snippet} FROM chat_message_fts JOIN chat_message m ON m.id = chat_message_fts.rowid "  # noqa: S608
                f"WHERE chat_message_fts MATCH %s AND {conds} ORDER BY chat_message_fts.rowid DESC LIMIT %s"
            )
            return Statement(sql, [START, STOP, match, *params, limit])
        # from:@someone: walk the author's index newest first, keeping matches (`+` stops SQLite from looking
        # each full-text match up by id instead). Snippets come from one join on the page of hits.
        sql = (
            f"SELECT hit.id, {snippet} FROM (SELECT m.id FROM chat_message m "  # noqa: S608
            f"WHERE +m.id IN (SELECT rowid FROM chat_message_fts WHERE chat_message_fts MATCH %s) "
            f"AND {conds} ORDER BY m.id DESC LIMIT %s) hit JOIN chat_message_fts ON chat_message_fts.rowid = hit.id "
            "WHERE chat_message_fts MATCH %s ORDER BY hit.id DESC"
        )
        return Statement(sql, [START, STOP, match, *params, limit, match])
    parts = [f"to_tsquery('simple', {pg_fold('%s')} || ':*')" for _ in query.words]
    parts += [f"phraseto_tsquery('simple', {pg_fold('%s')})" for _ in query.phrases]
    terms = [*query.words, *query.phrases]
    tsquery = " && ".join(parts)
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=' … '"
    # Headlines are computed for the page of hits only.
    sql = (
        f"SELECT hit.id, ts_headline('simple', translate(hit.text, '<>', %s), ({tsquery}), %s) FROM ("  # noqa: S608
        f"SELECT m.id, m.text FROM chat_message m WHERE m.search_vector @@ ({tsquery}) "
        f"AND {conds} ORDER BY m.id DESC LIMIT %s) hit ORDER BY hit.id DESC"
    )
    narrowed = query.channels or query.authors or query.before or query.after
    walk = bool(narrowed) and _pg_narrow(conds, params)
    return Statement(sql, [ANGLES, *terms, options, *terms, *params, limit], walk)


# The rows a result shows (the page) and what `payloads.message_payload` reads, in one plain query: building the
# same through the ORM (select_related, only) cost ten times the query. The API prefetches reactions and
# attachments itself; tests/chat/test_search.py counts the queries, so a field missing here fails a test.
_COLUMNS = ", ".join(
    f"m.{name}"
    for name in (
        *("id", "channel_id", "author_id", "bot_name", "thread_id", "also_in_channel", "text", "html", "created_at"),
        *("edited_at", "deleted_at", "pinned_at", "reply_count"),
    )
)
_ROWS_SQL = (
    "SELECT {columns}, a.display_name AS author_display_name, p.id AS profile_id, p.handle AS profile_handle, "
    "c.name AS channel_name, c.kind AS channel_kind FROM chat_message m "
    "LEFT JOIN accounts_member a ON a.id = m.author_id LEFT JOIN chat_chatprofile p ON p.member_id = a.id "
    "JOIN chat_channel c ON c.id = m.channel_id WHERE m.id IN ({ids})"
)


def result_rows(ids: list[int]) -> dict[int, Message]:
    """The messages the results show, by id, with their author (and handle) and channel loaded, as select_related
    would (other fields are deferred). Messages of one channel or author share its instance."""
    if not ids:
        return {}
    sql = _ROWS_SQL.format(columns=_COLUMNS, ids=", ".join(["%s"] * len(ids)))
    rows, channels, authors = {}, {}, {}
    for message in Message.objects.raw(sql, ids):
        db = message._state.db
        if message.channel_id not in channels:
            values = [message.channel_id, message.channel_name, message.channel_kind]
            channels[message.channel_id] = Channel.from_db(db, ["id", "name", "kind"], values)
        Message.channel.field.set_cached_value(message, channels[message.channel_id])
        if message.author_id is not None and message.author_id not in authors:
            author = Member.from_db(db, ["id", "display_name"], [message.author_id, message.author_display_name])
            profile = message.profile_id and ChatProfile.from_db(
                db, ["id", "member_id", "handle"], [message.profile_id, message.author_id, message.profile_handle]
            )
            Member.chat_profile.related.set_cached_value(author, profile or None)
            authors[message.author_id] = author
        if message.author_id is not None:
            Message.author.field.set_cached_value(message, authors[message.author_id])
        rows[message.pk] = message
    return rows


def search_page(member, text: str, *, limit: int = 50, cursor: int | None = None) -> Page:
    """A page of results for `text`, newest first: [(message, highlighted snippet HTML)] and the next cursor."""
    query = parse(text)
    if query.empty:
        return Page(query, [])
    if cursor is not None:
        cursor = max(0, min(cursor, 2**62))  # an id bound: out-of-range values must not reach the database
    bounds = id_bounds(query, cursor)
    statement = hits_sql(member, query, limit + 1, bounds) if bounds is not None else None
    if statement is None:
        return Page(query, [])
    hits = fetch_hits(statement)
    more = len(hits) > limit
    hits = hits[:limit]
    messages = result_rows([pk for pk, _ in hits])
    results = []
    for pk, snippet in hits:
        message = messages.get(pk)
        if message is not None:
            results.append((message, _highlight(snippet) if snippet else escape(message.text[:200])))
    return Page(query, results, hits[-1][0] if more else None)


def search(member, text: str, *, limit: int = 50) -> tuple[Query, list[tuple[Message, str]]]:
    """(the parsed query, [(message, highlighted snippet HTML)]) newest first: the first page."""
    page = search_page(member, text, limit=limit)
    return page.query, page.results
