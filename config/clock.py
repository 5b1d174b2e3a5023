"""The service's notion of "now" (UTC) and the sandbox's time travel (the `X-With-Server-Date` header).

Domain code asks this module, never `timezone.now()` directly, so that one request carrying
`X-With-Server-Date` runs as if at that instant without touching any other request.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_server_now: ContextVar[dt.datetime | None] = ContextVar("server_now", default=None)


def now() -> dt.datetime:
    travelled = _server_now.get()
    return travelled if travelled is not None else timezone.now()


def today() -> dt.date:
    """Today's UTC date: milestone boundaries and statement deadlines are UTC dates."""
    return now().astimezone(dt.UTC).date()


@contextmanager
def travel_to(instant: dt.datetime) -> Iterator[None]:
    token = _server_now.set(instant.astimezone(dt.UTC))
    try:
        yield
    finally:
        _server_now.reset(token)
