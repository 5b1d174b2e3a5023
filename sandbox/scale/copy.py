"""Bulk loading through the Django connection's psycopg 3 cursor, in the caller's transaction.

Rows go in as COPY text, formatted here (much faster than adapting each value); indexes of the large tables
are dropped for the load and built again after it (which also checks every unique constraint), and the
foreign keys, whose per-row triggers are off during the load, are then checked set-based, one anti-join
per key: any dangling reference fails the load.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection, models

CHUNK_BYTES = 4 << 20


def _text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)  # str, int, UUID, Decimal: none of the seeded values holds a tab, newline or backslash


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Streams `rows` (tuples lined up with `columns`, column names of the table) into `model`'s table."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    count, buffer, size = 0, [], 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            line = "\t".join(map(_text, row))
            buffer.append(line)
            size += len(line)
            count += 1
            if size > CHUNK_BYTES:
                copy.write("\n".join(buffer) + "\n")
                buffer, size = [], 0
        if buffer:
            copy.write("\n".join(buffer) + "\n")
    return count


def reset_sequence(model: type[models.Model]) -> None:
    """After rows were copied with explicit ids: the next id the table hands out follows the largest."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))",
            [table],
        )


def drop_indexes(tables: Sequence[str]) -> list[str]:
    """Drops the indexes (and the unique constraints behind them) of `tables`, except primary keys;
    returns the statements that build them again."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            LEFT JOIN pg_constraint c ON c.conindid = i.oid AND c.conrelid = t.oid
            WHERE t.relname = ANY(%s) AND NOT x.indisprimary
            """,
            [list(tables)],
        )
        found = cursor.fetchall()
        rebuild = []
        for table, index, index_def, constraint, constraint_def in found:
            if constraint:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
                rebuild.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {constraint_def}')
            else:
                cursor.execute(f'DROP INDEX "{index}"')
                rebuild.append(index_def)
    return rebuild


def build_indexes(statements: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in statements:
            cursor.execute(statement)


def check_foreign_keys(models_: Sequence[type[models.Model]]) -> None:
    """Every foreign key of the loaded tables points at a row: one anti-join per key."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models_:
            for field in model._meta.concrete_fields:
                if not field.is_relation or not field.db_constraint:
                    continue
                target = field.related_model
                target_column = target._meta.get_field(field.target_field.name).column
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(model._meta.db_table)} t "
                    f"WHERE t.{quote(field.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                    f"{quote(target._meta.db_table)} r WHERE r.{quote(target_column)} = t.{quote(field.column)})"
                )
                (dangling,) = cursor.fetchone()
                if dangling:
                    raise ValueError(f"{dangling} rows of {model._meta.label}.{field.name} point at nothing")
