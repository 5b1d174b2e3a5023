"""Developer and sandbox defaults: SQLite unless DATABASE_URL is set, the sandbox switched on."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = env.bool("DEBUG", default=True)
SANDBOX = env.bool("SANDBOX", default=True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# runserver starts a thread per request, so a kept connection would never be reused.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
