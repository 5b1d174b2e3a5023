"""The API rate limit: at most N requests per fixed window per client, counted atomically where the counts
live (Redis when CACHE_URL names it, else a table in the database), so that the limit holds exactly
whatever the number of worker processes."""

import functools
import math
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

_RATE = re.compile(r"^\s*(?P<limit>\d+)\s*/\s*(?P<count>\d*)\s*(?P<unit>[smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds

    @classmethod
    def parse(cls, value: str) -> "Rate":
        """`1000/5m` is 1,000 requests per 5 minutes; units are s, m, h and d."""
        match = _RATE.match(value or "")
        window = int(match["count"] or 1) * _UNIT_SECONDS[match["unit"]] if match else 0
        if not match or int(match["limit"]) < 1 or window < 1:
            raise ImproperlyConfigured(
                f"API_RATE_LIMIT must look like 1000/5m (requests per window; units s, m, h, d), got {value!r}"
            )
        return cls(limit=int(match["limit"]), window=window)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # whole seconds until the window ends


class CounterUnavailableError(Exception):
    """The store holding the counts cannot be reached; the message names it without credentials."""


def clock() -> float:
    """Seconds since the epoch. Real time, never the sandbox's travelled clock; tests pin it."""
    return time.time()


def hit(key: str) -> Decision:
    """Counts one request of `key` in the current window and says whether it is within the limit."""
    rate = Rate.parse(settings.API_RATE_LIMIT)
    now = clock()
    window_start = int(now // rate.window) * rate.window
    hits = counter().hit(key, window_start=window_start, window=rate.window)
    return Decision(
        allowed=hits <= rate.limit, retry_after=max(1, math.ceil(window_start + rate.window - now))
    )


def counter():
    """The configured store: Redis when CACHE_URL names a Redis server, else the database."""
    return _counter(settings.API_RATE_LIMIT_REDIS_URL, settings.API_RATE_LIMIT_KEY_PREFIX)


@functools.cache
def _counter(redis_url: str | None, prefix: str):
    return RedisCounter(redis_url, prefix) if redis_url else DatabaseCounter()


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class RedisCounter:
    """INCR and EXPIREAT in one MULTI/EXEC: one round trip, atomic however many processes share the key."""

    name = "redis"

    def __init__(self, url: str, prefix: str):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.url = url
        self.prefix = prefix
        # No retries: a retried INCR whose first attempt had landed would count a request twice.
        self.client = redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=2, retry=Retry(NoBackoff(), 0)
        )

    def hit(self, key: str, *, window_start: int, window: int) -> int:
        import redis

        name = f"{self.prefix}{key}:{window_start}"
        try:
            pipeline = self.client.pipeline(transaction=True)
            pipeline.incr(name)
            pipeline.expireat(name, window_start + window + 1)
            hits, _ = pipeline.execute()
        except redis.RedisError as error:
            raise CounterUnavailableError(f"Redis at {safe_url(self.url)} is unreachable: {error}") from error
        return hits

    def ping(self) -> None:
        import redis

        try:
            self.client.ping()
        except redis.RedisError as error:
            raise CounterUnavailableError(f"Redis at {safe_url(self.url)} is unreachable: {error}") from error


class DatabaseCounter:
    """One INSERT … ON CONFLICT DO UPDATE … RETURNING per request (PostgreSQL and SQLite): the database
    serialises the increments of one row, so no two processes can read the same count."""

    name = "database"

    def hit(self, key: str, *, window_start: int, window: int) -> int:
        from partnerships.models import RateLimitCounter

        table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, window_start, hits) VALUES (%s, %s, 1) "
                f"ON CONFLICT (window_start, key) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
                [key[:100], window_start],
            )
            (hits,) = cursor.fetchone()
        if hits == 1:
            # The first request of a key in a new window clears every earlier window (an index range).
            RateLimitCounter.objects.filter(window_start__lt=window_start).delete()
        return hits

    def ping(self) -> None:
        from partnerships.models import RateLimitCounter

        RateLimitCounter.objects.exists()
