"""The SQL behind chat search (leveller/chat/search_sql.py), installed and removed on each database.

The SQLite full-text index and its triggers run against a SQLite file each test makes, so they are tested on
either backend; PostgreSQL's generated column is checked for what it asks of the server everywhere, and run
for real (in a schema of its own, rolled back) when this run has PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import pytest
from django.db import connection

from leveller.chat import search_sql
from tests.support.services import requires_postgres


class _Editor:
    """A schema editor for `vendor`: runs each statement on `run` (a SQLite connection) or only records it."""

    def __init__(self, vendor: str, run: sqlite3.Connection | None = None):
        self.connection = SimpleNamespace(vendor=vendor)
        self.statements: list[str] = []
        self._run = run

    def execute(self, sql: str) -> None:
        self.statements.append(sql)
        if self._run is not None:
            self._run.execute(sql)


@pytest.fixture
def chat_file(tmp_path):
    conn = sqlite3.connect(tmp_path / "chat.sqlite3", isolation_level=None)
    conn.execute("CREATE TABLE chat_message (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    yield conn
    conn.close()


def _matching(conn: sqlite3.Connection, query: str) -> list[str]:
    sql = (
        "SELECT m.text FROM chat_message_fts JOIN chat_message m ON m.id = chat_message_fts.rowid "
        "WHERE chat_message_fts MATCH ? ORDER BY m.id"
    )
    return [row[0] for row in conn.execute(sql, [query])]


def test_on_sqlite_messages_sent_before_the_index_existed_are_found_once_it_is_installed(chat_file):
    chat_file.execute("INSERT INTO chat_message (text) VALUES ('Réunion au Café Bürgerhaus')")
    search_sql.install(None, _Editor("sqlite", chat_file))
    assert _matching(chat_file, "cafe") == ["Réunion au Café Bürgerhaus"]  # rebuilt, diacritics folded
    assert _matching(chat_file, "burgerhaus") == ["Réunion au Café Bürgerhaus"]


def test_on_sqlite_a_member_finds_a_message_as_it_is_sent_edited_and_deleted(chat_file):
    search_sql.install(None, _Editor("sqlite", chat_file))
    chat_file.execute("INSERT INTO chat_message (id, text) VALUES (1, 'Rent strike on Tuesday')")
    assert _matching(chat_file, "strike") == ["Rent strike on Tuesday"]
    chat_file.execute("UPDATE chat_message SET text = 'Rent strike moved to Thursday' WHERE id = 1")
    assert _matching(chat_file, "tuesday") == []  # the old words leave the index with the edit
    assert _matching(chat_file, "thursday") == ["Rent strike moved to Thursday"]
    chat_file.execute("DELETE FROM chat_message WHERE id = 1")
    assert _matching(chat_file, "strike") == []


def test_on_sqlite_installing_twice_is_harmless_and_uninstalling_removes_the_index_and_its_triggers(chat_file):
    search_sql.install(None, _Editor("sqlite", chat_file))
    search_sql.install(None, _Editor("sqlite", chat_file))  # IF NOT EXISTS throughout
    search_sql.uninstall(None, _Editor("sqlite", chat_file))
    left = chat_file.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'chat_message_fts%'").fetchall()
    assert left == []
    chat_file.execute("INSERT INTO chat_message (text) VALUES ('still sendable without search')")


def test_on_postgresql_install_adds_a_generated_folded_search_column_and_its_gin_index():
    editor = _Editor("postgresql")
    search_sql.install(None, editor)
    column, index = editor.statements
    assert column.startswith("ALTER TABLE chat_message ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED")
    assert "to_tsvector('simple'::regconfig, translate(lower(coalesce(text, ''))," in column
    assert index == "CREATE INDEX IF NOT EXISTS chat_message_search ON chat_message USING GIN (search_vector)"


def test_on_postgresql_uninstall_drops_the_index_before_the_column():
    editor = _Editor("postgresql")
    search_sql.uninstall(None, editor)
    assert editor.statements == [
        "DROP INDEX IF EXISTS chat_message_search",
        "ALTER TABLE chat_message DROP COLUMN IF EXISTS search_vector",
    ]


@pytest.mark.parametrize("install", [search_sql.install, search_sql.uninstall])
def test_another_database_gets_no_search_statements(install):
    editor = _Editor("mysql")
    install(None, editor)
    assert editor.statements == []


def test_every_accented_letter_has_exactly_one_plain_form():
    # translate() deletes letters that have no counterpart: a shorter PLAIN would silently drop letters.
    assert len(search_sql.ACCENTED) == len(search_sql.PLAIN)
    assert len(set(search_sql.ACCENTED)) == len(search_sql.ACCENTED)
    assert search_sql.PLAIN.isascii() and search_sql.PLAIN.islower()


def test_the_postgresql_fold_lowercases_before_translating():
    folded = search_sql.pg_fold("m.text")
    assert folded == f"translate(lower(m.text), '{search_sql.ACCENTED}', '{search_sql.PLAIN}')"


@requires_postgres
@pytest.mark.django_db
def test_on_postgresql_the_generated_column_finds_accented_words_from_plain_ones_until_uninstalled():
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA search_sql_test")
        cursor.execute("SET LOCAL search_path TO search_sql_test")
        cursor.execute("CREATE TABLE chat_message (id serial PRIMARY KEY, text text NOT NULL)")
        cursor.execute("INSERT INTO chat_message (text) VALUES ('Réunion au Café Bürgerhaus'), ('Rent strike')")
        with connection.schema_editor(atomic=False) as editor:
            search_sql.install(None, editor)
        cursor.execute("SELECT text FROM chat_message WHERE search_vector @@ to_tsquery('simple', 'cafe & burgerhaus')")
        assert cursor.fetchall() == [("Réunion au Café Bürgerhaus",)]
        with connection.schema_editor(atomic=False) as editor:
            search_sql.uninstall(None, editor)
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'search_sql_test'")
        assert sorted(row[0] for row in cursor.fetchall()) == ["id", "text"]
