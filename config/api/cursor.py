"""Keyset cursors: `page[cursor]` walks a list by `(created_at, id)` or `(updated_at, id)` ascending.

A cursor is the position after the last row of a page, signed (django.core.signing), so that it is opaque and
tamper-evident, and bound to the walk it was issued for: the route, the caller's provider, the filters and
the order. The next page is `WHERE (key, id) > (position)`, an index range scan, so a row that is edited
(and moves to the end), inserted or leaves the list never shifts the rows not yet read.

The cursor also carries `sync_from`: the watermark computed when the walk started, from which the next
`filter[updated_since]` pass is guaranteed to see every change the walk could not (see `sync_watermark`).
"""

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import BooleanField, Func

from config import clock
from config.errors import BadRequestError

CURSOR_VERSION = 1
CURSOR_KEYS = ("created_at", "updated_at")
_SALT = "config.api.cursor"

INVALID_CURSOR = (
    "The '#/page[cursor]' parameter is not a cursor this API issued (or it was altered). "
    "Send an empty page[cursor] to start the walk again."
)
OLD_CURSOR = (
    "The '#/page[cursor]' parameter was issued by an earlier version of this API. "
    "Send an empty page[cursor] to start the walk again."
)
MISMATCHED_CURSOR = (
    "The '#/page[cursor]' parameter was issued for a different list, filter or sort. Send the same "
    "filter[...] and sort as the request that returned it, or an empty page[cursor] to start a new walk."
)
CURSOR_WITH_PAGE = "Send either '#/page[page]' (page numbers) or '#/page[cursor]' (a cursor walk), not both."
DESCENDING_CURSOR = (
    "A cursor walk is ordered ascending only: sort=created_at or sort=updated_at. A descending walk would "
    "miss rows that change while it runs (an edited row moves to the end the walk has already read), so "
    "it is refused; walk sort=updated_at ascending and follow links.next to the end instead."
)
UNSUPPORTED_CURSOR_SORT = (
    "A cursor walk can be ordered by created_at or updated_at (ascending) only. "
    "Remove sort, or send sort=created_at or sort=updated_at."
)


@dataclass(frozen=True)
class Position:
    """Where a walk stands: after the row with this key value and id."""

    key_value: dt.datetime
    pk: object  # as the list's primary key field reads it back (`Field.to_python`): a UUID or an integer


@dataclass(frozen=True)
class Cursor:
    """A page of a walk: the rows after `position` (before it when `backward`, for `links.prev`)."""

    binding: str
    key: str
    position: Position | None
    sync_from: dt.datetime
    backward: bool = False

    def encode(self) -> str:
        payload = {
            "v": CURSOR_VERSION,
            "b": self.binding,
            "k": self.key,
            "s": self.sync_from.isoformat(),
            "d": int(self.backward),
            "p": None
            if self.position is None
            else [self.position.key_value.isoformat(), _json_pk(self.position.pk)],
        }
        return signing.dumps(payload, salt=_SALT, compress=True)

    @classmethod
    def decode(cls, token: str, *, binding: str, key: str) -> "Cursor":
        try:
            payload = signing.loads(token, salt=_SALT)
        except signing.BadSignature:
            raise BadRequestError(INVALID_CURSOR) from None
        if not isinstance(payload, dict):
            raise BadRequestError(INVALID_CURSOR)
        if payload.get("v") != CURSOR_VERSION:
            raise BadRequestError(OLD_CURSOR)
        if payload.get("b") != binding or payload.get("k") != key:
            raise BadRequestError(MISMATCHED_CURSOR)
        try:
            position = payload["p"]
            return cls(
                binding=binding,
                key=key,
                position=None
                if position is None
                else Position(dt.datetime.fromisoformat(position[0]), _pk_from_json(position[1])),
                sync_from=dt.datetime.fromisoformat(payload["s"]),
                backward=bool(payload.get("d")) and position is not None,
            )
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            raise BadRequestError(INVALID_CURSOR) from None


def _json_pk(pk) -> str | int:
    return pk if isinstance(pk, int) else str(pk)


def _pk_from_json(value) -> uuid.UUID | int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return uuid.UUID(value)


def cursor_key(requested: list[str], default: str) -> str:
    """The walk's key from the `sort` fields the caller named (already reduced to known columns), or the
    endpoint's default order when it named none. Descending and other columns are a 400.

    The key is an ORM path: a column of the list's rows (`created_at`), or of a row they point to by
    foreign key (`training_record__participant__updated_at`, for lists with one item per training record
    ordered by their person), so a default order on a related timestamp is walked as it is.
    """
    if not requested:
        return default if default.rsplit("__", 1)[-1] in CURSOR_KEYS else "created_at"
    if any(field.startswith("-") for field in requested):
        raise BadRequestError(DESCENDING_CURSOR)
    if len(requested) != 1 or requested[0] not in CURSOR_KEYS:
        raise BadRequestError(UNSUPPORTED_CURSOR_SORT)
    return requested[0]


def walk_binding(*, path: str, lead_provider_id, filters: dict[str, str], key: str) -> str:
    """A digest of what a cursor is valid for. Empty filter values count as absent, as they do in filters."""
    described = {
        "path": path,
        "provider": str(lead_provider_id),
        "filters": {name: value for name, value in sorted(filters.items()) if value != ""},
        "key": key,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:32]


class RowAfter(Func):
    """`(key, id) > (%s, %s)`: SQL row comparison, which PostgreSQL answers from a `(key, id)` index."""

    output_field = BooleanField()
    arity = 4
    operator = ">"

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.source_expressions:
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        return f"({parts[0]}, {parts[1]}) {self.operator} ({parts[2]}, {parts[3]})", params


class RowBefore(RowAfter):
    """`(key, id) < (%s, %s)`, for `links.prev`: the same index, scanned backwards."""

    operator = "<"


def sync_watermark() -> dt.datetime:
    """The earliest `updated_at` a change still invisible to this request can carry, floored to the second.

    A write stamps `updated_at` with the service clock inside its transaction and becomes visible only at
    commit, so at any instant a change stamped in the past may still be in flight. Two bounds cover it:

    - every transaction open on the database now (on PostgreSQL, `pg_stat_activity.xact_start`, which
      includes long payment runs) started before it stamped anything, so its stamps are later than its start;
    - `API_SYNC_SAFETY_MARGIN` is taken off both, for the clock skew between application servers and the
      database and the instant between a service reading the clock and its first statement.

    Older rows are never stamped again with an earlier value, so a pass of `filter[updated_since]` from this
    value misses nothing that committed after this request's snapshot.
    """
    now = clock.now()
    oldest = now
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT min(xact_start) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            )
            (started,) = cursor.fetchone()
        if started is not None:
            oldest = min(oldest, started)
    watermark = oldest - dt.timedelta(seconds=settings.API_SYNC_SAFETY_MARGIN)
    return watermark.astimezone(dt.UTC).replace(microsecond=0)


def rfc3339(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
