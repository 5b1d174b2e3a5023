"""Production (and a hosted sandbox, with SANDBOX=true): every secret and every service comes from the
environment, with no default; the settings refuse to load without them."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

REQUIRED = ("SECRET_KEY", "API_TOKEN_DIGEST_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CACHE_URL")
_missing = [name for name in REQUIRED if not env.str(name, default="").strip()]
if _missing:
    raise ImproperlyConfigured(
        f"Production settings need {', '.join(_missing)} in the environment (see the settings table in "
        "the README). For development use DJANGO_SETTINGS_MODULE=config.settings.local, as `make run` does."
    )
if not env.str("CACHE_URL").startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        "CACHE_URL must name a Redis server in production (redis://host:6379/0 or rediss://…): the rate "
        "limit's counters are shared there by every worker process."
    )

# The base settings have read SECRET_KEY, API_TOKEN_DIGEST_KEY, ALLOWED_HOSTS, DATABASE_URL and CACHE_URL.
DEBUG = False
SANDBOX = env.bool("SANDBOX", default=False)

# Emails by SMTP: EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.com:587), or EMAIL_HOST with
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS / EMAIL_USE_SSL. A hosted sandbox
# without either prints them in its log; a production service without either refuses to start, as schools
# and providers would otherwise never hear of withdrawals and challenges.
if env.str("EMAIL_URL", default="").strip():
    globals().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_HOST", default="").strip():
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
elif SANDBOX:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    raise ImproperlyConfigured(
        "Production settings need EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.com:587) or "
        "EMAIL_HOST in the environment to send emails to schools and providers (see the README)."
    )

# Hashed, compressed static files (run `collectstatic`; `make serve` does), served by the app.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# TLS ends at the proxy in front, which says so with X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
