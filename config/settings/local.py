"""Developer and sandbox defaults: SQLite unless DATABASE_URL is set, the sandbox switched on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SANDBOX = env.bool("SANDBOX", default=True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
