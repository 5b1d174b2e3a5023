"""Settings shared by every environment. Values that differ per machine come from the environment."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# Sandbox mode enables seed data, the X-With-Server-Date header (D12) and sandbox branding.
SANDBOX = env.bool("SANDBOX", default=False)

# Keyed digest of API tokens (D10). Kept apart from SECRET_KEY so rotating one does not void the other.
API_TOKEN_DIGEST_KEY = env("API_TOKEN_DIGEST_KEY", default="insecure-token-digest-key-change-me")

# D11: requests per window per token (or per client address when no/unknown token).
API_RATE_LIMIT = env("API_RATE_LIMIT", default="1000/5m")

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
    "partnerships",
    "participants",
    "declarations",
    "statements",
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The rate limiter's counters must be shared by every worker process, so the default cache is the
# database (or Redis when CACHE_URL says so), never per-process memory.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://django_cache")}
RATELIMIT_USE_CACHE = "default"

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
STATIC_ROOT = BASE_DIR / "staticfiles"

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
    "DEFAULT_VERSIONING_CLASS": None,
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
