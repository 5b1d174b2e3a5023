"""`GET /healthcheck`: whether the service can reach what it needs, for load balancers and operators.

Answered before any other middleware: no authentication, no rate limit, no Host or HTTPS requirement (a
probe from the platform uses neither), and cheap (one `SELECT 1` and one Redis PING at most).
"""

import json
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from django.http import HttpResponse

from config.api import ratelimit

logger = logging.getLogger(__name__)

PATH = "/healthcheck"


def dependency_status() -> dict[str, str]:
    """ "ok", or "unavailable" for each dependency: the database and the cache holding the rate limit."""
    status = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.error("Health check: database unavailable: %s", error)
        connection.close()
        status["database"] = "unavailable"
    try:
        ratelimit.counter().ping()
    except (ratelimit.CounterUnavailableError, DatabaseError) as error:
        logger.error("Health check: cache unavailable: %s", error)
        status["cache"] = "unavailable"
    return status


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        dependencies = dependency_status()
        healthy = all(value == "ok" for value in dependencies.values())
        body = {"status": "ok" if healthy else "unavailable", **dependencies}
        return HttpResponse(
            json.dumps(body),
            status=200 if healthy else 503,
            content_type="application/json",
            headers={"Cache-Control": "no-store"},
        )


def require_rate_limit() -> None:
    """Start-up check of a server process: the rate limit must be readable and its counters reachable, or
    the limit cannot hold; a server whose Redis is unreachable refuses to start, saying which one.
    (Counters in the database need no check of their own: without a database nothing is served.)"""
    ratelimit.Rate.parse(settings.API_RATE_LIMIT)
    store = ratelimit.counter()
    if not isinstance(store, ratelimit.RedisCounter):
        return
    try:
        store.ping()
    except ratelimit.CounterUnavailableError as error:
        message = f"Refusing to start: {error}. Check CACHE_URL and that the server is up."
        logger.critical(message)
        raise ImproperlyConfigured(message) from error
