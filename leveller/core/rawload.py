"""Load model instances with a hand-written WHERE clause, skipping the ORM's query building.

For hot paths only (API calls served hundreds of times a second). The column list and each column's converters
(dates on SQLite, JSON, booleans) are worked out once per model and database, exactly as the ORM does it,
then each load is one plain query and `Model.from_db`. Building the SQL of `Model.objects.get(...)` cost
about three times as much as running it; `Model.objects.raw()` still resolved columns and converters on
every call (docs/architecture.md, Measured choices).
"""

from __future__ import annotations

from django.db import connections
from django.db.models.sql import Query


def _plan(model, connection, alias: str):
    """Kept on the connection object (one per thread), since the converters are bound to it."""
    plans = connection.__dict__.setdefault("_leveller_rawload_plans", {})
    if model not in plans:
        fields = list(model._meta.concrete_fields)
        compiler = connection.ops.compiler("SQLCompiler")(Query(model), connection, alias)
        converters = compiler.get_converters([f.get_col(model._meta.db_table) for f in fields])
        select = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        plans[model] = (compiler, converters, select, [f.attname for f in fields])
    return plans[model]


def first(model, where: str, params: list, *, lock: bool = False, using: str = "default"):
    """The first row of `model`'s table matching `where` (column names, `%s` placeholders), or None.

    `lock` adds FOR UPDATE where the database has it; on SQLite the surrounding IMMEDIATE transaction already
    holds the write lock."""
    connection = connections[using]
    compiler, converters, select, names = _plan(model, connection, using)
    suffix = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    sql = f"SELECT {select} FROM {model._meta.db_table} WHERE {where} LIMIT 1{suffix}"  # noqa: S608 - constant
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        row = next(iter(compiler.apply_converters([row], converters)))
    return model.from_db(using, names, list(row))


def update(model, pk, *, using: str = "default", **values) -> int:
    """`UPDATE … SET <values> WHERE pk = …`: what `Model.objects.filter(pk=pk).update(**values)` does for plain
    values (no expressions), each prepared by its field as the ORM would. Returns the rows changed."""
    connection = connections[using]
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    params = [
        f.get_db_prep_save(getattr(values[name], "pk", values[name]) if f.is_relation else values[name], connection)
        for f, name in zip(fields, values, strict=True)
    ]
    sql = f"UPDATE {meta.db_table} SET {assignments} WHERE {meta.pk.column} = %s"  # noqa: S608 - constant
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk])
        return cursor.rowcount


def insert(instance, *, using: str = "default"):
    """Save a new instance with one plain `INSERT`: what `Model.objects.create()` does for a model without
    save() overrides or signals that matter, each value prepared by its field as the ORM would."""
    connection = connections[using]
    meta = instance._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {meta.db_table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - constant parts
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(f"{sql} RETURNING {connection.ops.quote_name(meta.pk.column)}", params)
            instance.pk = cursor.fetchone()[0]
        else:
            cursor.execute(sql, params)
            instance.pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    instance._state.adding, instance._state.db = False, using
    return instance
