"""Checks run before serving: each failure is one clear line naming the variable to fix."""

from __future__ import annotations

from urllib.parse import urlparse

from django.conf import settings
from django.db import connection

from leveller.env import ConfigError


def _check_postgresql(db: dict) -> None:
    """One direct connection, before the pool exists, so a failure is one line and not a pool's retries."""
    import psycopg

    with psycopg.connect(
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        dbname=db.get("NAME"),
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        connect_timeout=5,
    ) as conn:
        conn.execute("SELECT 1")


def check_database() -> None:
    db = settings.DATABASES["default"]
    try:
        if connection.vendor == "postgresql":
            _check_postgresql(db)
            return
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        if connection.vendor == "sqlite":
            raise ConfigError(f"LEVELLER_DATA_DIR: cannot open the SQLite database {db['NAME']}: {reason}") from None
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db.get('NAME')}"
        raise ConfigError(f"DATABASE_URL: cannot connect to PostgreSQL at {where}: {reason}") from None
    finally:
        if connection.vendor != "postgresql":
            connection.close()


def check_redis() -> None:
    if not settings.REDIS_URL:
        return
    import redis

    parsed = urlparse(settings.REDIS_URL)
    where = f"{parsed.hostname}:{parsed.port or 6379}"
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except Exception as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ConfigError(f"REDIS_URL: cannot connect to Redis at {where}: {reason}") from None


def check_all() -> None:
    check_database()
    check_redis()
