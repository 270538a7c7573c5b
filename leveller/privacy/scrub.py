"""The last step of every erasure: look in every text column of every table for the erased person's email
and phone, and blank them out wherever a domain's own eraser did not already (audit summaries, queued email
tasks, login-attempt logs, realtime payloads, free text someone else typed)."""

from __future__ import annotations

import contextlib
import json
import re

from django.apps import apps
from django.db import connection, models

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)
REPLACEMENT = "[erased]"


def text_columns():
    """(model, field) for every text-like concrete column in the database, including third-party apps."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS):
                yield model, field


def _matches_sql(model, field, needle: str) -> tuple[str, list]:
    qn = connection.ops.quote_name
    column = qn(field.column)
    cast = f"CAST({column} AS TEXT)" if isinstance(field, models.JSONField) else column
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    sql = f"SELECT {pk} FROM {table} WHERE LOWER({cast}) LIKE %s"  # noqa: S608 - quoted names from the models
    like = "%" + needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return sql + " ESCAPE '\\'", [like]


def _replace(value, pattern: re.Pattern):
    if isinstance(value, str):
        return pattern.sub(REPLACEMENT, value)
    if isinstance(value, list):
        return [_replace(item, pattern) for item in value]
    if isinstance(value, dict):
        return {_replace(k, pattern): _replace(v, pattern) for k, v in value.items()}
    return value


def scrub(needles: list[str]) -> dict[str, int]:
    """Replace each needle (case-insensitively) in every text column. Returns rows changed per table."""
    needles = [n for n in dict.fromkeys(needles) if n]
    if not needles:
        return {}
    # Whole addresses and numbers only: erasing al@example.org must not touch sal@example.org or
    # al@example.org.uk, nor +4474001 the number +44740012.
    alternatives = "|".join(re.escape(n) for n in needles)
    pattern = re.compile(rf"(?<![\w.%+-])(?:{alternatives})(?![\w-]|\.\w)", re.IGNORECASE)
    changed: dict[str, int] = {}
    for model, field in text_columns():
        ids: set = set()
        for needle in needles:
            sql, params = _matches_sql(model, field, needle)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                ids.update(row[0] for row in cursor.fetchall())
        if not ids:
            continue
        manager = model._base_manager
        for pk, value in manager.filter(pk__in=ids).values_list("pk", field.attname):
            new = _replace(value, pattern)
            if isinstance(field, models.JSONField) and isinstance(value, str):
                with contextlib.suppress(ValueError):
                    new = _replace(json.loads(value), pattern)
            if new != value:
                if isinstance(field, models.CharField) and field.max_length:
                    new = new[: field.max_length]
                manager.filter(pk=pk).update(**{field.attname: new})
                changed[model._meta.db_table] = changed.get(model._meta.db_table, 0) + 1
    return changed
