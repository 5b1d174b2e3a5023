"""`make bench`'s server: production's serving choices (persistent connections checked before reuse, the
rate limit counted in Redis, no debug) on the bench database, with the sandbox on (the payment runs take
`--date`) and one addition: every response says how many SQL queries it made (`X-Query-Count`).

Needs DATABASE_URL and CACHE_URL (Redis) in the environment; the bench runner sets both.
"""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

DEBUG = False
SANDBOX = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
MIDDLEWARE = ["config.settings.bench.QueryCountMiddleware", *MIDDLEWARE]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
WHITENOISE_AUTOREFRESH = True


class QueryCountMiddleware:
    """Counts the SQL statements of a request on every database connection (the connection's health check
    before reuse is not one: it bypasses the cursor)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connections

        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        from contextlib import ExitStack

        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
