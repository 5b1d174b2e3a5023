"""Served as in production: gunicorn with four worker processes (`make serve`'s configuration), the rate
limit exact across them on both counter stores, the health check, static files and HTTPS behind a proxy."""

import json
import subprocess
import sys
import uuid

import pytest
import redis

from tests.factories.partnerships import LeadProviderFactory, LeadProviderTokenFactory
from tests.servers import ROOT, child_env, fetch, fetch_all_at_once, gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

WINDOW_START = 1_800_000_000  # pinned in every worker: 100 s into a five-minute window
LIST = "/api/v3/delivery-partners"
REDIS_URL = "redis://127.0.0.1:6379/0"
HTTPS = {"X-Forwarded-Proto": "https"}


def production_env(**extra) -> dict[str, str]:
    """What an operator sets; the digest key matches the test settings' so that factory tokens work."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-production-secret-key-of-more-than-fifty-characters-0123456789",
        "API_TOKEN_DIGEST_KEY": "test-token-digest-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CACHE_URL": REDIS_URL,
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "API_RATE_LIMIT_KEY_PREFIX": f"test:{uuid.uuid4().hex}:",
        **extra,
    }


@pytest.fixture
def redis_keys():
    prefixes = []
    yield prefixes
    client = redis.Redis.from_url(REDIS_URL)
    for prefix in prefixes:
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)


def tally(answers) -> dict[int, int]:
    counts: dict[int, int] = {}
    for answer in answers:
        counts[answer.status] = counts.get(answer.status, 0) + 1
    return counts


@pytest.mark.parametrize("store", ["database", "redis"])
def test_eighty_concurrent_requests_across_four_workers_get_exactly_sixty_answers(store, redis_keys):
    _, raw = LeadProviderTokenFactory.issue(LeadProviderFactory(name="Concurrent provider"))
    if store == "redis":
        env = production_env(API_RATE_LIMIT="60/5m")
        redis_keys.append(env["API_RATE_LIMIT_KEY_PREFIX"])
    else:
        env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "API_RATE_LIMIT": "60/5m"}

    with gunicorn(env, workers=4, pinned_clock=WINDOW_START + 100) as server:
        by_token = fetch_all_at_once(server.url + LIST, 80, {"Authorization": f"Bearer {raw}", **HTTPS})
        by_address = fetch_all_at_once(server.url + LIST, 80, {"Authorization": "Bearer unknown", **HTTPS})
        workers = server.worker_pids_that_answered()

    assert tally(by_token) == {200: 60, 429: 20}
    assert tally(by_address) == {401: 60, 429: 20}
    for refused in [a for a in by_token + by_address if a.status == 429]:
        assert json.loads(refused.body) == {"error": "Retry later"}
        assert refused.headers["Retry-After"] == "200"
    assert len(workers) > 1, "the requests were all served by one process"


def test_production_settings_serve_the_api_static_files_and_the_health_check_behind_https(
    tmp_path, redis_keys
):
    _, raw = LeadProviderTokenFactory.issue(LeadProviderFactory(name="Served provider"))
    env = production_env(API_RATE_LIMIT="1000/5m", STATIC_ROOT=str(tmp_path / "static"))
    redis_keys.append(env["API_RATE_LIMIT_KEY_PREFIX"])
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=child_env(**env, DATABASE_URL="postgres://unused@127.0.0.1/unused"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    hashed_css = manifest["admin/css/base.css"]
    assert hashed_css != "admin/css/base.css"

    with gunicorn(env, workers=2, pinned_clock=WINDOW_START) as server:
        api = fetch(server.url + LIST, {"Authorization": f"Bearer {raw}", **HTTPS})
        plain_http = fetch(server.url + LIST, {"Authorization": f"Bearer {raw}"})
        css = fetch(f"{server.url}/static/{hashed_css}", {"Accept-Encoding": "gzip", **HTTPS})
        health = fetch(server.url + "/healthcheck", {"Host": "10.1.2.3"})
        bad_host = fetch(server.url + LIST, {"Host": "evil.example", **HTTPS})
        log = server.log.read_text()

    assert api.status == 200
    assert json.loads(api.body) == {"data": []}
    assert api.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert plain_http.status == 301
    assert plain_http.headers["Location"] == f"https://127.0.0.1:{server.url.rsplit(':', 1)[1]}{LIST}"
    assert css.status == 200
    assert css.headers["Content-Encoding"] == "gzip"
    assert "immutable" in css.headers["Cache-Control"]
    # A platform probe uses neither an allowed Host nor HTTPS.
    assert health.status == 200
    assert json.loads(health.body) == {"status": "ok", "database": "ok", "cache": "ok"}
    assert bad_host.status == 400
    assert json.loads(bad_host.body)["errors"][0]["title"] == "Bad request"
    assert raw not in log and "Bearer" not in log


@pytest.mark.parametrize(
    "setting, message",
    [
        (
            {"CACHE_URL": "redis://127.0.0.1:1/0"},
            "Refusing to start: Redis at redis://127.0.0.1:1/0 is unreachable",
        ),
        ({"API_RATE_LIMIT": "lots"}, "API_RATE_LIMIT must look like 1000/5m"),
    ],
    ids=["redis unreachable", "rate unreadable"],
)
def test_a_server_that_cannot_hold_the_rate_limit_refuses_to_start_and_says_why(setting, message):
    with pytest.raises(AssertionError) as refused, gunicorn(production_env(**setting), workers=1):
        pass
    assert message in str(refused.value)
