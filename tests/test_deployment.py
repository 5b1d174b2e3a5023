"""Running it as an operator does: production settings and their refusals, the health check with a database
down, the safe default of manage.py, `make run`'s port check and a test database per checkout."""

import hashlib
import json
import socket
import subprocess
import sys

import pytest

from tests.servers import ROOT, child_env

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-production-secret-key-of-more-than-fifty-characters-0123456789",
    "API_TOKEN_DIGEST_KEY": "a-token-digest-key",
    "ALLOWED_HOSTS": "api.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
}
PRODUCTION_NAMES = ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "API_TOKEN_DIGEST_KEY", "ALLOWED_HOSTS")
PRODUCTION_NAMES += ("DATABASE_URL", "CACHE_URL", "TEST_DATABASE_NAME", "SANDBOX", "DEBUG", "EMAIL_URL")
PRODUCTION_NAMES += ("EMAIL_HOST",)


def python(*args, env: dict[str, str], drop=()) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in child_env().items() if key not in drop}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_at_warning_level():
    checked = python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_production_settings_refuse_to_load_naming_every_missing_variable():
    env = {key: value for key, value in PRODUCTION.items() if key not in ("SECRET_KEY", "CACHE_URL")}

    refused = python("manage.py", "check", env=env, drop=PRODUCTION_NAMES)

    assert refused.returncode != 0
    assert "Production settings need SECRET_KEY, CACHE_URL in the environment" in refused.stderr


def test_production_settings_refuse_a_cache_that_is_not_redis():
    refused = python("manage.py", "check", env={**PRODUCTION, "CACHE_URL": "dbcache://django_cache"})

    assert refused.returncode != 0
    assert "CACHE_URL must name a Redis server in production" in refused.stderr


EMAIL_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.EMAIL_BACKEND, getattr(settings, 'EMAIL_HOST', ''), settings.EMAIL_PORT, settings.EMAIL_USE_TLS)"
)


def test_production_sends_email_by_smtp_from_the_environment_and_refuses_without_it():
    configured = python(
        "manage.py", "shell", "--no-imports", "-c", EMAIL_SETTINGS, env=PRODUCTION, drop=PRODUCTION_NAMES
    )
    assert configured.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
        "587",
        "True",
    ], configured.stderr
    by_host = {**PRODUCTION, "EMAIL_URL": "", "EMAIL_HOST": "mail.example.com", "EMAIL_PORT": "2525"}
    configured = python(
        "manage.py", "shell", "--no-imports", "-c", EMAIL_SETTINGS, env=by_host, drop=PRODUCTION_NAMES
    )
    assert configured.stdout.split()[1:3] == ["mail.example.com", "2525"], configured.stderr

    without = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_URL"}
    refused = python("manage.py", "check", env=without, drop=PRODUCTION_NAMES)
    assert refused.returncode != 0
    assert "Production settings need EMAIL_URL" in refused.stderr
    sandbox = python(
        "manage.py",
        "shell",
        "--no-imports",
        "-c",
        EMAIL_SETTINGS,
        env={**without, "SANDBOX": "true"},
        drop=PRODUCTION_NAMES,
    )
    assert sandbox.stdout.split()[0] == "django.core.mail.backends.console.EmailBackend", sandbox.stderr


def test_manage_py_without_a_settings_module_loads_production_settings_and_so_refuses_to_guess():
    refused = python("manage.py", "check", env={}, drop=PRODUCTION_NAMES)

    assert refused.returncode != 0
    assert (
        "Production settings need SECRET_KEY, API_TOKEN_DIGEST_KEY, ALLOWED_HOSTS, DATABASE_URL, CACHE_URL"
        in refused.stderr
    )
    assert "DJANGO_SETTINGS_MODULE=config.settings.local" in refused.stderr


HEALTH = """
from django.test import Client
response = Client().get("/healthcheck", HTTP_HOST="10.0.0.9")
print(response.status_code, response.content.decode())
"""


def test_the_health_check_names_a_database_that_is_down():
    env = {**PRODUCTION, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere"}

    checked = python("manage.py", "shell", "-v0", "-c", HEALTH, env=env)

    assert checked.returncode == 0, checked.stderr
    status, body = checked.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "unavailable", "database": "unavailable", "cache": "ok"}


def test_the_test_database_is_named_after_the_checkout_unless_one_is_given():
    show = "from django.conf import settings; print(settings.DATABASES['default']['TEST']['NAME'])"
    run = ["-c", f"import django; django.setup(); {show}"]

    derived = python(
        *run, env={"DJANGO_SETTINGS_MODULE": "config.settings.test"}, drop=["TEST_DATABASE_NAME"]
    )
    given = python(
        *run, env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "TEST_DATABASE_NAME": "test_x"}
    )

    assert derived.stdout.strip() == f"test_ecf_{hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]}"
    assert given.stdout.strip() == "test_x"


@pytest.fixture
def busy_port():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_make_run_stops_before_migrating_when_its_port_is_taken(busy_port, tmp_path):
    database = tmp_path / "db.sqlite3"
    env = child_env(DATABASE_URL=f"sqlite:///{database}", PORT=str(busy_port))
    env.pop("DJANGO_SETTINGS_MODULE", None)

    made = subprocess.run(["make", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert made.returncode != 0
    assert f"Port {busy_port} on 127.0.0.1 is already in use" in made.stderr
    assert f"make run PORT={busy_port + 1}" in made.stderr
    assert not database.exists()


def test_the_port_check_passes_once_the_port_is_free(busy_port):
    assert python("scripts/check_port_free.py", "127.0.0.1", str(busy_port), env={}).returncode == 1
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    assert python("scripts/check_port_free.py", "127.0.0.1", str(free), env={}).returncode == 0
