"""Test settings: PostgreSQL (DATABASE_URL, else the local server), fast hashing, sandbox features on."""

import hashlib

from .base import *  # noqa: F403
from .base import BASE_DIR, env

# The test database is named after this checkout unless TEST_DATABASE_NAME says otherwise, so that two
# checkouts on one server never create or drop each other's (xdist appends _gw0, _gw1, …).
CHECKOUT_ID = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:10]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ecf")}
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default=f"test_ecf_{CHECKOUT_ID}")}
# A connection per request unless a test's server process asks for persistent ones.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SANDBOX = True
DEBUG = False
API_TOKEN_DIGEST_KEY = "test-token-digest-key"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Rate-limit counters in the test database unless a test asks for Redis itself.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
API_RATE_LIMIT_REDIS_URL = None
# Tests collect no static files: WhiteNoise looks them up per request instead of warning at start-up.
WHITENOISE_AUTOREFRESH = True
