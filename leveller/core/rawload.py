"""Load one model instance with a hand-written WHERE clause, skipping the ORM's query building.

For hot paths only (API calls served hundreds of times a second): `Model.objects.raw()` still converts each
column as the ORM would (dates on SQLite, JSON), but building the SQL of `Model.objects.get(...)` cost about
three times as much as running it (docs/architecture.md, Measured choices).
"""

from __future__ import annotations

from django.db import connection


def first(model, where: str, params: list, *, lock: bool = False):
    """The first row of `model`'s table matching `where` (column names, `%s` placeholders), or None.

    `lock` adds FOR UPDATE where the database has it; on SQLite the surrounding IMMEDIATE transaction already
    holds the write lock."""
    suffix = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    sql = f"SELECT * FROM {model._meta.db_table} WHERE {where} LIMIT 1{suffix}"  # noqa: S608 - constant parts
    return next(iter(model.objects.raw(sql, params)), None)
