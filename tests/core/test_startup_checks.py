"""The checks `leveller serve` and `leveller worker` run before starting (leveller/core/startup.py).

An operator who points Leveller at a database or Redis it cannot reach gets one line naming the variable to
fix and where it tried, not a pool's retries or a traceback. Each check runs for real: against this run's own
database, against a SQLite file in a folder that does not exist, and against ports nothing listens on.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

from leveller.core import startup
from leveller.env import ConfigError
from tests.support.services import requires_redis

CLOSED_PORT = 1  # nothing listens on port 1 here: connections are refused at once


def _settings(monkeypatch, *, database: dict, redis_url: str | None = None) -> None:
    monkeypatch.setattr(startup, "settings", SimpleNamespace(DATABASES={"default": database}, REDIS_URL=redis_url))


def _sqlite_connection(name: str):
    """A real, separate Django SQLite connection (not the test database's)."""
    return ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": name}})["default"]


@pytest.mark.django_db(transaction=True)
def test_the_database_this_run_uses_passes_the_check():
    startup.check_database()
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.django_db  # lets any connection open; the check uses its own
def test_a_sqlite_file_in_a_missing_folder_names_leveller_data_dir(monkeypatch, tmp_path):
    name = str(tmp_path / "no-such-folder" / "leveller.sqlite3")
    wrapper = _sqlite_connection(name)
    monkeypatch.setattr(startup, "connection", wrapper)
    _settings(monkeypatch, database={"NAME": name})
    with pytest.raises(ConfigError) as refused:
        startup.check_database()
    message = str(refused.value)
    assert message.startswith(f"LEVELLER_DATA_DIR: cannot open the SQLite database {name}: ")
    assert "unable to open database file" in message
    assert "\n" not in message
    assert wrapper.connection is None  # the check leaves no SQLite connection open behind it


@pytest.mark.django_db
def test_a_sqlite_file_that_opens_passes_the_check_and_is_closed_again(monkeypatch, tmp_path):
    name = str(tmp_path / "leveller.sqlite3")
    wrapper = _sqlite_connection(name)
    monkeypatch.setattr(startup, "connection", wrapper)
    _settings(monkeypatch, database={"NAME": name})
    startup.check_database()
    assert wrapper.connection is None
    assert (tmp_path / "leveller.sqlite3").exists()


def test_an_unreachable_postgresql_server_names_database_url_and_where_it_tried(monkeypatch):
    monkeypatch.setattr(startup, "connection", SimpleNamespace(vendor="postgresql"))
    database = {
        "HOST": "127.0.0.1",
        "PORT": CLOSED_PORT,
        "NAME": "leveller",
        "USER": "leveller",
        "PASSWORD": "s3cret-pw",
    }
    _settings(monkeypatch, database=database)
    with pytest.raises(ConfigError) as refused:
        startup.check_database()
    message = str(refused.value)
    assert message.startswith(f"DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:{CLOSED_PORT}/leveller: ")
    assert "\n" not in message
    assert "s3cret-pw" not in message


def test_a_postgresql_url_without_host_or_port_is_reported_as_localhost_5432(monkeypatch):
    monkeypatch.setattr(startup, "connection", SimpleNamespace(vendor="postgresql"))
    monkeypatch.setattr(startup, "_check_postgresql", lambda db: _raise(OSError("")))
    _settings(monkeypatch, database={"NAME": "leveller"})
    with pytest.raises(
        ConfigError, match=r"^DATABASE_URL: cannot connect to PostgreSQL at localhost:5432/leveller: OSError$"
    ):
        startup.check_database()


def _raise(error: Exception):
    raise error


def test_without_redis_url_the_redis_check_has_nothing_to_do(monkeypatch):
    _settings(monkeypatch, database={}, redis_url=None)
    startup.check_redis()  # no Redis configured (the embedded mode): nothing to reach


def test_an_unreachable_redis_names_redis_url_and_where_it_tried(monkeypatch):
    _settings(monkeypatch, database={}, redis_url=f"redis://127.0.0.1:{CLOSED_PORT}/0")
    with pytest.raises(ConfigError) as refused:
        startup.check_redis()
    message = str(refused.value)
    assert message.startswith(f"REDIS_URL: cannot connect to Redis at 127.0.0.1:{CLOSED_PORT}: ")
    assert "\n" not in message


@requires_redis
def test_the_redis_this_run_uses_passes_the_check():
    startup.check_redis()


def test_serve_checks_the_database_first_and_then_redis(monkeypatch):
    order = []
    monkeypatch.setattr(startup, "check_database", lambda: order.append("database"))
    monkeypatch.setattr(startup, "check_redis", lambda: order.append("redis"))
    startup.check_all()
    assert order == ["database", "redis"]


def test_a_database_that_cannot_be_reached_stops_the_checks_before_redis(monkeypatch):
    monkeypatch.setattr(startup, "check_database", lambda: _raise(ConfigError("DATABASE_URL: cannot connect")))
    monkeypatch.setattr(startup, "check_redis", lambda: pytest.fail("Redis is not checked after a database failure"))
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        startup.check_all()
