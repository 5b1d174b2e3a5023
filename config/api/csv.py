"""Streamed CSV downloads of the v1/v2 lists: `text/csv`, never paginated, flat memory.

Rows come from a generator that reads the list in batches (a keyset or a server-side cursor, each batch with
its own constant number of queries); this module only turns row dicts into CSV lines as they are sent.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

CONTENT_TYPE = "text/csv"


def csv_value(value) -> str:
    """`null` → empty field, booleans `true`/`false`, everything else its string form."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def csv_lines(columns: Sequence[str], rows: Iterable[dict]) -> Iterator[bytes]:
    """The header then one line per row; nothing at all (not even the header) when there are no rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def take() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text.encode()

    header_sent = False
    for row in rows:
        if not header_sent:
            writer.writerow(columns)
            header_sent = True
        writer.writerow([csv_value(row.get(column)) for column in columns])
        if buffer.tell() > 64 * 1024:
            yield take()
    if buffer.tell():
        yield take()


def csv_response(columns: Sequence[str], rows: Iterable[dict]) -> StreamingHttpResponse:
    return StreamingHttpResponse(csv_lines(columns, rows), content_type=CONTENT_TYPE)
