"""Test settings: PostgreSQL (DATABASE_URL, else the local server), fast hashing, sandbox features on."""

from .base import *  # noqa: F403
from .base import env

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ecf")}
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_ecf")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SANDBOX = True
DEBUG = False
API_TOKEN_DIGEST_KEY = "test-token-digest-key"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
