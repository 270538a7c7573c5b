"""Hot-path SQL: plain statements on the request's own connection, and model instances loaded without the ORM's
query building.

For hot paths only (API calls served hundreds of times a second). Each statement goes straight to the DB-API
cursor (`execute`): Django's cursor wrapper, its `%s` → `?` rewrite on SQLite and psycopg's client-side
parameter binding on PostgreSQL cost more than the query. On PostgreSQL the cursor binds parameters on the
server, so psycopg prepares a statement the connection runs often. Errors are still Django's (IntegrityError
…), and the statements run inside the caller's `transaction.atomic` like any other.

The column list and each column's converters (dates on SQLite, JSON, booleans) are worked out once per model
and database, exactly as the ORM does it, then each load is one plain query and `Model.from_db`. Building the
SQL of `Model.objects.get(...)` cost about three times as much as running it (docs/architecture.md, Measured
choices).
"""

from __future__ import annotations

from django.db import connections
from django.db.models.sql import Query


def execute(sql: str, params=(), *, using: str = "default"):
    """Run one statement with `%s` placeholders; returns the DB-API cursor to fetch from (valid until the next
    `execute` on this connection). Not recorded by Django's query logging (tests' query counters)."""
    connection = connections[using]
    connection.validate_no_broken_transaction()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    state = connection.__dict__.get("_leveller_raw")
    if state is None or state[0] is not raw:
        no_sql_yet: dict[str, str] = {}
        state = connection.__dict__["_leveller_raw"] = (raw, _cursor(connection, raw), no_sql_yet)
    _, cursor, converted = state
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            cursor.execute(sql, params, prepare=True)
        else:
            cursor.execute(converted.get(sql) or converted.setdefault(sql, sql.replace("%s", "?")), params)
    return cursor


def _cursor(connection, raw):
    if connection.vendor == "postgresql":
        import psycopg

        return psycopg.Cursor(raw)  # server-side binding, so statements can be prepared
    return raw.cursor()


def _plan(model, connection, alias: str):
    """Kept on the connection object (one per thread), since the converters are bound to it."""
    plans = connection.__dict__.setdefault("_leveller_rawload_plans", {})
    if model not in plans:
        fields = list(model._meta.concrete_fields)
        compiler = connection.ops.compiler("SQLCompiler")(Query(model), connection, alias)
        converters = compiler.get_converters([f.get_col(model._meta.db_table) for f in fields])
        quote = connection.ops.quote_name
        select = ", ".join(quote(f.column) for f in fields)
        prefixed = ", ".join(f"{{alias}}.{quote(f.column)}" for f in fields)
        plans[model] = (compiler, converters, select, prefixed, [f.attname for f in fields])
    return plans[model]


def columns(model, alias: str, *, using: str = "default") -> str:
    """`alias.col1, alias.col2, …` in the order `build` expects, for a hand-written join."""
    return _plan(model, connections[using], using)[3].format(alias=alias)


def width(model) -> int:
    return len(model._meta.concrete_fields)


def build(model, row, *, using: str = "default"):
    """A model instance from the columns `columns(model, …)` selected (a slice of a longer row is fine)."""
    compiler, converters, _select, _prefixed, names = _plan(model, connections[using], using)
    if converters:
        row = next(iter(compiler.apply_converters([row], converters)))
    return model.from_db(using, names, list(row))


def first(model, where: str, params: list, *, lock: bool = False, using: str = "default"):
    """The first row of `model`'s table matching `where` (column names, `%s` placeholders), or None.

    `lock` adds FOR UPDATE where the database has it; on SQLite the surrounding IMMEDIATE transaction already
    holds the write lock."""
    connection = connections[using]
    _compiler, _converters, select, _prefixed, _names = _plan(model, connection, using)
    suffix = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    sql = f"SELECT {select} FROM {model._meta.db_table} WHERE {where} LIMIT 1{suffix}"  # noqa: S608 - constant
    row = execute(sql, params, using=using).fetchone()
    return None if row is None else build(model, row, using=using)


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
    return execute(sql, [*params, pk], using=using).rowcount


def insert(instance, *, using: str = "default"):
    """Save a new instance with one plain `INSERT … RETURNING id`: what `Model.objects.create()` does for a model
    without save() overrides or signals that matter, each value prepared by its field as the ORM would."""
    connection = connections[using]
    meta = instance._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns_ = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    placeholders = ", ".join(["%s"] * len(fields))
    returning = connection.ops.quote_name(meta.pk.column)
    sql = f"INSERT INTO {meta.db_table} ({columns_}) VALUES ({placeholders}) RETURNING {returning}"  # noqa: S608
    instance.pk = execute(sql, params, using=using).fetchone()[0]
    instance._state.adding, instance._state.db = False, using
    return instance
