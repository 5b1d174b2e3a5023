"""Settings shared by every environment. Values that differ per machine come from the environment."""

import datetime as dt
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# Sandbox mode enables seed data, the X-With-Server-Date header and sandbox branding.
SANDBOX = env.bool("SANDBOX", default=False)

# Keyed digest of API tokens. Kept apart from SECRET_KEY so rotating one does not void the other.
API_TOKEN_DIGEST_KEY = env("API_TOKEN_DIGEST_KEY", default="insecure-token-digest-key-change-me")

# Requests per fixed window per token (or per client address when no or an unknown token).
API_RATE_LIMIT = env("API_RATE_LIMIT", default="1000/5m")

# Seconds taken off `meta.sync_from` of cursor walks (below the start of the oldest open transaction) for the
# clock skew between application servers and the database; see config/api/cursor.py `sync_watermark`.
API_SYNC_SAFETY_MARGIN = env.int("API_SYNC_SAFETY_MARGIN", default=60)

# Redis for the rate limit's counters (and Django's cache) when CACHE_URL names it; otherwise the counters
# live in a database table. Either way every worker process counts atomically in the same place.
CACHE_URL = env("CACHE_URL", default="")
API_RATE_LIMIT_REDIS_URL = CACHE_URL if CACHE_URL.startswith(("redis://", "rediss://", "unix://")) else None
API_RATE_LIMIT_KEY_PREFIX = env("API_RATE_LIMIT_KEY_PREFIX", default="ecf:ratelimit:")

# How many proxies in front of the service append to X-Forwarded-For; 0 means the peer is the client.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)

# Emails to schools and providers (config/mail.py). The local settings print them on the console; the
# production settings send them by SMTP (EMAIL_URL or EMAIL_HOST…); tests collect them in mail.outbox.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Early career training <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "partnerships",
    "participants",
    "declarations",
    "statements",
    "sandbox",
]

MIDDLEWARE = [
    # First, so that load balancer probes need neither an allowed Host nor HTTPS.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.api.middleware.ApiErrorMiddleware",
    "config.api.middleware.ApiRateLimitMiddleware",
    "config.api.middleware.ApiRequestAuditMiddleware",
    "config.api.middleware.ServerDateMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.environment",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Embedded SQLite unless DATABASE_URL names another database (PostgreSQL in tests and production).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections, checked before reuse in each request, save a connection set-up per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": env.cache_url_config(CACHE_URL)
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login: after 5 failures for one account from one address, that pair waits 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.network.client_address"
AXES_VERBOSE = False

# Staff sessions last a working day at most.
SESSION_COOKIE_AGE = 60 * 60 * 8

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"  # admin display; every stored timestamp is UTC (D4)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["partnerships.authentication.LeadProviderTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.permissions.IsLeadProvider"],
    "DEFAULT_RENDERER_CLASSES": ["config.api.renderers.JsonApiRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.JsonBodyParser"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PagePagination",
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "config.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_VERSIONING_CLASS": "config.api.versioning.PathPrefixVersioning",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.api.renderers.FirstRendererNegotiation",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Lead provider API",
    "DESCRIPTION": (
        "API for lead providers of early career teacher training: participants, partnerships, "
        "declarations and statements."
    ),
    "VERSION": "3.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    # The reference providers read: summaries, request and response bodies, errors (config/api/docs).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.docs.postprocess",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
