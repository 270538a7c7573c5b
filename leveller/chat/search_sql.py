"""The SQL behind chat search, for both databases (used by migration 0002 and by search.py)."""

from __future__ import annotations

# Latin letters with diacritics and their plain forms: PostgreSQL folds them with translate() (immutable,
# so it can feed a generated column) the way SQLite's unicode61 tokenizer does with remove_diacritics 2.
ACCENTED = "áàâäãåāăąçćčďéèêëēėęěğíìîïīįıłñńňóòôöõøōőœŕřśšşßťúùûüūůűųýÿźžżæ"
PLAIN = "aaaaaaaaacccdeeeeeeeegiiiiiiilnnnooooooooorrsssstuuuuuuuuyyzzza"

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS chat_message_fts USING fts5("
    "text, content='chat_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS chat_message_fts_ai AFTER INSERT ON chat_message BEGIN "
    "INSERT INTO chat_message_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS chat_message_fts_ad AFTER DELETE ON chat_message BEGIN "
    "INSERT INTO chat_message_fts(chat_message_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS chat_message_fts_au AFTER UPDATE OF text ON chat_message BEGIN "
    "INSERT INTO chat_message_fts(chat_message_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO chat_message_fts(rowid, text) VALUES (new.id, new.text); END",
]


def pg_fold(sql_expression: str) -> str:
    return f"translate(lower({sql_expression}), '{ACCENTED}', '{PLAIN}')"


_FOLDED_TEXT = pg_fold("coalesce(text, '')")
POSTGRES = [
    "ALTER TABLE chat_message ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS "
    f"(to_tsvector('simple'::regconfig, {_FOLDED_TEXT})) STORED",
    "CREATE INDEX IF NOT EXISTS chat_message_search ON chat_message USING GIN (search_vector)",
]


def install(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_TABLE)
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)
        schema_editor.execute("INSERT INTO chat_message_fts(chat_message_fts) VALUES ('rebuild')")
    elif vendor == "postgresql":
        for statement in POSTGRES:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS chat_message_fts_{name}")
        schema_editor.execute("DROP TABLE IF EXISTS chat_message_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS chat_message_search")
        schema_editor.execute("ALTER TABLE chat_message DROP COLUMN IF EXISTS search_vector")
