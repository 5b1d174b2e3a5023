"""Set-based writes that never bring rows through Python."""

from django.db import connections
from django.db.models import Model, QuerySet


def insert_from_select(*, into: type[Model], columns: list[str], select: QuerySet) -> int:
    """`INSERT INTO <into> (<columns>) SELECT …` in one statement; returns the number of rows inserted.

    `select` is a `values_list()` queryset whose values line up with `columns` (constants go in as
    annotations with `Value(..., output_field=...)`, so that each database gets them in its own format).
    """
    connection = connections[select.db]
    sql, params = select.order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(into._meta.db_table)} ({', '.join(quote(column) for column in columns)}) {sql}",
            params,
        )
        return cursor.rowcount
