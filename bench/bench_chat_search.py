# ruff: noqa: S608, SIM905
"""Chat search benchmark: queries over 1,000,000 messages through the search function the API and page use
(`leveller.chat.search.search_page`), against the same SQL run raw (ids, highlighted snippets, then the message
rows in one hand-written query), measured in the same run. Also timed, for information: the whole API endpoint
in-process (`GET /api/v1/search` through Django's test client) and the next page of each query (its cursor).

Targets (issue #3): p95 < 50 ms on SQLite and on PostgreSQL, and within 1.5x of the raw SQL.

    .venv/bin/python bench/bench_chat_search.py [--quick] [--postgres] [--rebuild] [--rows N]

The generated database is cached (var/bench-search-<db>-<rows>/, and PostgreSQL database
leveller_bench_search_<rows>); --rebuild regenerates it. --quick: 100,000 messages, fewer repetitions.
Messages are inserted with executemany (SQLite, the FTS triggers index each row as in production) or COPY
(PostgreSQL: the generated tsvector column is computed per row; the GIN index is built after the load with
the migration's own statement).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import ROOT, summarise, write_result

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
N_MEMBERS, N_PUBLIC, N_PRIVATE, SEARCHER_PRIVATE = 300, 60, 20, 6

COMMON = (
    "the a to and of we in is for on that it this be are at with have our from can will you i they "
    "all not do if about there get so meeting tonight tomorrow people need thanks please just one know "
    "time up more out what when by an week up going great who here today next would us make"
).split()
TOPIC = (
    "rent landlord eviction tenants union organising strike picket ballot leaflet door knocking canvass "
    "phonebank volunteers caucus motion conference branch council housing repairs damp mould deposit "
    "petition rally march banner solidarity fund donation newsletter training workshop agenda minutes chair "
    "treasurer secretary quorum vote election candidate hustings manifesto policy amendment campaign demo "
    "transport childcare access ramp interpreter captions zoom hybrid venue library community centre "
    "bus fares wages contract shifts agency bargaining recognition grievance rep steward members dues "
    "postcode ward estate block lift heating boiler letter template lawyer tribunal court hearing notice "
    "section21 arrears benefit universal credit food bank mutual aid rota pickup delivery spreadsheet"
).split()
FOREIGN = (
    "cymraeg diolch cyfarfod tenantiaid streic spotkanie dziękuję najemcy strajk związek "
    "собрание спасибо арендаторы забастовка profesor réunion grève locataires café señora huelga inquilinos "
    "über straße mieter versammlung"
).split()
SYLLABLES = (
    "ka lo mi ne ru ta vo shi den bar col fen gri hol jun kes lum mor nix pra quo sel tor vin wex yar zel".split()
)


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    rare = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(30000)})
    words = COMMON + TOPIC + FOREIGN + rare
    weights = [1 / (rank + 1) ** 1.05 for rank in range(len(words))]
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    return words, cumulative


def message_texts(n: int, seed: int = 7):
    rng = random.Random(seed)
    words, cumulative = vocabulary(rng)
    chunk = 50_000
    for start in range(0, n, chunk):
        count = min(chunk, n - start)
        lengths = [rng.randint(3, 40) for _ in range(count)]
        flat = rng.choices(words, cum_weights=cumulative, k=sum(lengths))
        pos = 0
        texts = []
        for length in lengths:
            texts.append(" ".join(flat[pos : pos + length]).capitalize() + rng.choice(".?!"))
            pos += length
        yield texts


def configure(args) -> Path:
    db = "postgres" if args.postgres else "sqlite"
    data_dir = ROOT / "var" / f"bench-search-{db}-{args.rows}"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["LEVELLER_DATA_DIR"] = str(data_dir)
    os.environ["LEVELLER_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leveller.settings")
    if args.postgres:
        import psycopg

        name = f"leveller_bench_search_{args.rows}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if args.rebuild and exists:
                conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
                exists = None
            if not exists:
                conn.execute(f"CREATE DATABASE {name}")
                (data_dir / "ready.json").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
        os.environ["LEVELLER_DB_POOL_SIZE"] = "0"  # one process, one connection
    elif args.rebuild:
        for path in data_dir.glob("leveller.sqlite3*"):
            path.unlink()
        (data_dir / "ready.json").unlink(missing_ok=True)
    import django

    django.setup()
    return data_dir


def build(rows: int, log) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from leveller.accounts.models import Member
    from leveller.chat.models import Channel, ChannelMembership, ChatProfile
    from leveller.chat.search_sql import POSTGRES

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        members = Member.objects.bulk_create(
            [
                Member(email=f"bench{i}@search.example", display_name=f"Bench Member {i}", password="!")
                for i in range(N_MEMBERS)
            ]
        )
        ChatProfile.objects.bulk_create([ChatProfile(member=m, handle=f"bench{i}") for i, m in enumerate(members)])
        channels = Channel.objects.bulk_create(
            [Channel(name=f"public-{i}", section="discussion") for i in range(N_PUBLIC)]
            + [Channel(name=f"private-{i}", private=True) for i in range(N_PRIVATE)]
        )
        searcher = members[0]
        mine = channels[: N_PUBLIC + SEARCHER_PRIVATE]
        ChannelMembership.objects.bulk_create([ChannelMembership(channel=c, member=searcher) for c in mine])
    rng = random.Random(11)
    channel_ids = [c.pk for c in channels]
    member_ids = [m.pk for m in members]
    first = timezone.now() - dt.timedelta(days=3 * 365)
    step = dt.timedelta(days=3 * 365) / rows
    columns = "channel_id, author_id, bot_name, also_in_channel, text, html, created_at, reply_count, deleted_at"
    done = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cur:
            cur.execute("DROP INDEX IF EXISTS chat_message_search")
        raw.commit()
    for texts in message_texts(rows):
        batch = []
        for text in texts:
            created = first + step * done
            deleted = created if rng.random() < 0.01 else None
            batch.append(
                (
                    rng.choice(channel_ids),
                    rng.choice(member_ids),
                    "",
                    False,
                    text,
                    f"<p>{text}</p>",
                    created,
                    0,
                    deleted,
                )
            )
            done += 1
        if connection.vendor == "sqlite":
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO chat_message ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    batch,
                )
        else:
            with raw.cursor() as cur, cur.copy(f"COPY chat_message ({columns}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
            raw.commit()
        log(f"  {done:,} messages ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(POSTGRES[1])  # the migration's own CREATE INDEX … USING GIN
            cur.execute("VACUUM ANALYZE chat_message")
        else:
            cur.execute("ANALYZE")
    return {"rows": rows, "build_seconds": round(time.perf_counter() - started, 1)}


RARE = vocabulary(random.Random(7))[0][len(COMMON) + len(TOPIC) + len(FOREIGN) + 3000]


def queries(handle: str) -> list[str]:
    return [
        "meeting",  # very common
        "eviction",  # topic word
        "landlord repairs",  # two words
        "organ",  # prefix
        '"door knocking"',  # phrase
        "strike ballot",
        "diolch",  # Welsh
        "спасибо",  # Cyrillic
        RARE,  # a made-up word from the long tail
        "in:#public-3 rent",
        f"from:@{handle} tenants",
        "after:2025-01-01 picket",
        "before:2024-06-01 petition",
        "zzzqqq",  # nothing
    ]


def raw_sql(member, text: str):
    """The statement search_page runs, prepared beforehand (readable channels and authors resolved to ids,
    untimed). The date → id bound lookups are raw SQL too and are timed in raw_search, like the statement."""
    from leveller.chat.search import hits_sql, id_bounds, parse

    query = parse(text)
    bounds = id_bounds(query)
    # 51: search_page asks for one row more than it shows, to know whether there is a next page.
    return query, hits_sql(member, query, 51, bounds) if bounds else None


def raw_search(query, statement) -> list:
    """Look the date bounds up, run the prepared statement, then read the rows a result shows (message, author,
    handle, channel) in one query."""
    from django.db import connection

    from leveller.chat.search import fetch_hits, id_bounds

    if query.before or query.after:
        id_bounds(query)
    if statement is None:
        return []
    hits = fetch_hits(statement)[:50]  # the statement as it is (on PostgreSQL, with its planner setting)
    if not hits:
        return []
    with connection.cursor() as cur:
        ids = [h[0] for h in hits]
        cur.execute(
            "SELECT m.id, m.text, m.html, m.created_at, m.thread_id, a.display_name, p.handle, c.name "
            "FROM chat_message m LEFT JOIN accounts_member a ON a.id = m.author_id "
            "LEFT JOIN chat_chatprofile p ON p.member_id = a.id JOIN chat_channel c ON c.id = m.channel_id "
            f"WHERE m.id IN ({','.join(['%s'] * len(ids))})",
            ids,
        )
        rows = {r[0]: r for r in cur.fetchall()}
        return [(rows[pk], snippet) for pk, snippet in hits]


def api_client(member):
    """Django's test client with a Bearer token for the searcher: the whole endpoint in-process (middleware,
    token auth, the API's reactions/attachments and JSON), without a network hop."""
    from django.test import Client

    from leveller.accounts.actions import members as member_actions

    _, secret = member_actions.create_api_token(actor=member, member=member, name="bench search")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def measure(fns: list, repeat: int) -> list[tuple[list[float], object]]:
    """Time each function `repeat` times, taking turns (search, raw, search, raw …), so that a burst of load
    from other processes on the machine falls on both sides alike. [(times, last result)] per function."""
    times: list[list[float]] = [[] for _ in fns]
    results: list[object] = [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - started)
    return list(zip(times, results, strict=True))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100,000 messages and fewer repetitions")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the cached database")
    parser.add_argument("--rows", type=int)
    args = parser.parse_args()
    args.rows = args.rows or (100_000 if args.quick else 1_000_000)
    repeat = 3 if args.quick else 10
    data_dir = configure(args)
    ready = data_dir / "ready.json"
    if ready.exists():
        info = json.loads(ready.read_text())
        print(f"using cached database ({info['rows']:,} messages, built in {info['build_seconds']} s)")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # indexes added since the database was built
    else:
        print(f"generating {args.rows:,} messages …")
        info = build(args.rows, print)
        ready.write_text(json.dumps(info))
    from django.db import connection

    from leveller.accounts.models import Member
    from leveller.chat.search import search_page

    searcher = Member.objects.get(email="bench0@search.example")
    client = api_client(searcher)
    per_query, all_search, all_raw, all_api, all_next = {}, [], [], [], []
    for text in queries("bench7"):
        query, statement = raw_sql(searcher, text)
        search_page(searcher, text)  # warm caches
        raw_search(query, statement)
        (s_times, page), (r_times, raw_rows), (a_times, answer) = measure(
            [
                lambda t=text: search_page(searcher, t),
                lambda q=query, st=statement: raw_search(q, st),
                lambda t=text: client.get("/api/v1/search", {"q": t}),
            ],
            repeat,
        )
        results = page.results
        if [m.pk for m, _ in results] != [r[0][0] for r in raw_rows]:
            print(f"  warning: {text!r}: search and raw SQL returned different messages")
        if answer.status_code != 200 or [r["message"]["id"] for r in answer.json()["results"]] != [
            m.pk for m, _ in results
        ]:
            print(f"  warning: {text!r}: the API answered differently ({answer.status_code})")
        all_search += s_times
        all_raw += r_times
        all_api += a_times
        s, r, a = (summarise(t, sum(t)) for t in (s_times, r_times, a_times))
        per_query[text] = {
            "results": len(results),
            "search_p50_ms": s["p50_ms"],
            "raw_p50_ms": r["p50_ms"],
            "api_p50_ms": a["p50_ms"],
        }
        line = f"  {text!r:>32}: {len(results):>2} results  search p50 {s['p50_ms']:>7} ms  raw p50 {r['p50_ms']:>7} ms"
        line += f"  API p50 {a['p50_ms']:>7} ms"
        if page.next:  # the next page ("Load more results"): the cursor is one more id bound
            [(n_times, _)] = measure([lambda t=text, c=page.next: search_page(searcher, t, cursor=c)], repeat)
            all_next += n_times
            per_query[text]["next_page_p50_ms"] = summarise(n_times, sum(n_times))["p50_ms"]
            line += f"  next page p50 {per_query[text]['next_page_p50_ms']:>7} ms"
        print(line)
    searched = summarise(all_search, sum(all_search))
    raw = summarise(all_raw, sum(all_raw))
    api, next_page = summarise(all_api, sum(all_api)), summarise(all_next, sum(all_next))
    ratio = round(searched["p95_ms"] / raw["p95_ms"], 2) if raw["p95_ms"] else None
    passed = searched["p95_ms"] < 50 and ratio is not None and ratio <= 1.5
    vendor = connection.vendor
    command = "python bench/bench_chat_search.py" + " --quick" * args.quick + " --postgres" * args.postgres
    path = write_result(
        "chat_search" + ("_postgres" if args.postgres else "") + ("_quick" if args.quick else ""),
        {
            "command": command,
            "database": vendor,
            "messages": info["rows"],
            "build_seconds": info["build_seconds"],
            "data": f"{N_PUBLIC} public and {N_PRIVATE} private channels, {N_MEMBERS} authors, 1% deleted; the "
            f"searcher belongs to every public channel and {SEARCHER_PRIVATE} private ones; Zipf-distributed "
            "English, Welsh, Polish, Russian, French, Spanish and German words plus a long tail of made-up words",
            "repetitions_per_query": repeat,
            "baseline": "raw SQL: the same statement search_page runs for the matching ids and snippets (readable "
            "channels and authors resolved to ids beforehand, untimed), the date → id bound lookups (timed), plus one "
            "query for the rows shown; same queries, same run",
            "measured": "search: leveller.chat.search.search_page (what the API and the page call: readable channels, "
            "date bounds, the statement, the result rows); api: GET /api/v1/search through Django's test client with "
            "a Bearer token (informational); next_page: search_page with the first page's `next` cursor",
            "results": {"search": searched, "raw_sql": raw, "api": api, "next_page": next_page},
            "per_query": per_query,
            "ratio_p95_to_raw": ratio,
            "api_ratio_p95_to_raw": round(api["p95_ms"] / raw["p95_ms"], 2) if raw["p95_ms"] else None,
            "targets": {"search_p95_ms_below": 50, "ratio_p95_to_raw_at_most": 1.5},
            "passed": passed,
            "load_average_1_5_15_after_run": [round(x, 2) for x in os.getloadavg()],
        },
    )
    print(f"search: {searched}\nraw SQL: {raw}\nAPI: {api}\nnext page: {next_page}")
    print(f"ratio p95 {ratio}; passed={passed}; written to {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
