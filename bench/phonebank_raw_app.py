"""The baseline for bench_phonebank.py: the bare assignment in SQL behind the same HTTP server (uvicorn), with
no Django, no auth, no audit, no events. It answers the two paths the callers use with the same shapes:

    POST /api/v1/phonebank/campaigns/<id>/next      -> {"call_id", "contact": {"phone_e164"}} or 204
    POST /api/v1/phonebank/calls/<id>/outcome       -> {}

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` + `UPDATE` in one transaction, on a pool of 8 threads.
SQLite: `BEGIN IMMEDIATE` + `SELECT` + `UPDATE`, on one thread (SQLite has one writer).

    RAW_DB=<postgresql URL or sqlite path> uvicorn --app-dir bench phonebank_raw_app:app
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

DB = os.environ.get("RAW_DB", "")
POSTGRES = DB.startswith("postgres")
_local = threading.local()
_pool = ThreadPoolExecutor(max_workers=8 if POSTGRES else 1)


def _conn():
    conn = getattr(_local, "conn", None)
    if conn is None:
        if POSTGRES:
            import psycopg

            conn = psycopg.connect(DB, autocommit=True)
        else:
            conn = sqlite3.connect(DB, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        _local.conn = conn
    return conn


def assign(campaign_id: int):
    conn = _conn()
    if POSTGRES:
        with conn.transaction():
            row = conn.execute(
                "SELECT id, phone_e164 FROM phonebank_contact WHERE campaign_id = %s AND done = false"
                " AND available_at <= now() ORDER BY available_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
                (campaign_id,),
            ).fetchone()
            if row:
                conn.execute(
                    "UPDATE phonebank_contact SET available_at = now() + interval '10 minutes' WHERE id = %s", (row[0],)
                )
        return row
    conn.execute("BEGIN IMMEDIATE")
    row = conn.execute(
        "SELECT id, phone_e164 FROM phonebank_contact WHERE campaign_id = ? AND done = 0"
        " AND available_at <= strftime('%Y-%m-%d %H:%M:%f', 'now') ORDER BY available_at, id LIMIT 1",
        (campaign_id,),
    ).fetchone()
    if row:
        conn.execute(
            "UPDATE phonebank_contact SET available_at = strftime('%Y-%m-%d %H:%M:%f', 'now', '+10 minutes')"
            " WHERE id = ?",
            (row[0],),
        )
    conn.execute("COMMIT")
    return row


def finish(contact_id: int) -> None:
    conn = _conn()
    sql = "UPDATE phonebank_contact SET done = {t}, attempts = attempts + 1 WHERE id = {p}"
    if POSTGRES:
        conn.execute(sql.format(t="true", p="%s"), (contact_id,))
    else:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(sql.format(t="1", p="?"), (contact_id,))
        conn.execute("COMMIT")


async def _respond(send, status: int, body: dict | None) -> None:
    payload = json.dumps(body).encode() if body is not None else b""
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    parts = scope["path"].strip("/").split("/")
    loop = asyncio.get_running_loop()
    if scope["path"] == "/ping":
        await _respond(send, 200, {})
    elif len(parts) == 6 and parts[-1] == "next":
        row = await loop.run_in_executor(_pool, assign, int(parts[4]))
        if row is None:
            await _respond(send, 204, None)
        else:
            await _respond(send, 200, {"call_id": row[0], "contact": {"phone_e164": row[1]}})
    elif len(parts) == 6 and parts[-1] == "outcome":
        await loop.run_in_executor(_pool, finish, int(parts[4]))
        await _respond(send, 200, {})
    else:
        await _respond(send, 404, {"detail": "Not found."})
