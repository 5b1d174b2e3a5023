"""The API rate limit: N requests per fixed window per token, else per client address, counted atomically in
the database or in Redis. Each test pins the limiter's clock, so no window edge can fall inside it."""

import uuid

import pytest
import redis
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config.api import ratelimit
from partnerships.models import LeadProviderToken, RateLimitCounter
from tests.factories.partnerships import DeliveryPartnerFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v3/delivery-partners"
WINDOW_START = 1_800_000_000  # a multiple of 300: the start of a five-minute window
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def at(monkeypatch):
    """Pins the limiter's clock: `at(seconds)` is WINDOW_START + seconds from then on."""

    def pin(seconds: float) -> None:
        monkeypatch.setattr(ratelimit, "clock", lambda: WINDOW_START + seconds)

    pin(100)
    return pin


@pytest.fixture
def redis_counter():
    """The limiter on the local Redis under a key prefix of this test's own, removed afterwards."""
    prefix = f"test:{uuid.uuid4().hex}:"
    with override_settings(API_RATE_LIMIT_REDIS_URL=REDIS_URL, API_RATE_LIMIT_KEY_PREFIX=prefix):
        yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def statuses(responses) -> list[int]:
    return [response.status_code for response in responses]


def get_many(client, count: int, **headers) -> list:
    return [client.get(LIST, **headers) for _ in range(count)]


# -- per token ----------------------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT="3/5m")
def test_a_token_gets_exactly_the_limit_then_429_with_the_seconds_left_in_the_window(
    provider_client, other_provider_client, at
):
    responses = get_many(provider_client, 5)

    assert statuses(responses) == [200, 200, 200, 429, 429]
    refused = responses[-1]
    assert refused.json() == {"error": "Retry later"}
    assert refused["Content-Type"] == "application/vnd.api+json"
    assert refused["Retry-After"] == "200"  # 100 s into a 300 s window
    assert statuses(get_many(other_provider_client, 3)) == [200, 200, 200]  # counted per token

    at(299.2)
    assert provider_client.get(LIST)["Retry-After"] == "1"
    at(300)  # the next window
    assert statuses(get_many(provider_client, 4)) == [200, 200, 200, 429]


@override_settings(API_RATE_LIMIT="2/5m")
def test_a_revoked_token_is_refused_on_its_next_request_and_counted_by_address(provider_client, at):
    assert provider_client.get(LIST).status_code == 200
    LeadProviderToken.objects.filter(pk=provider_client.token.pk).update(revoked_at="2026-01-01T00:00:00Z")

    assert statuses(get_many(provider_client, 3)) == [401, 401, 429]


@pytest.mark.parametrize(
    "rate, limit, window",
    [("1000/5m", 1000, 300), ("60/m", 60, 60), ("10/30s", 10, 30), ("5/2h", 5, 7200), ("1/d", 1, 86400)],
    ids=["5m", "m", "30s", "2h", "d"],
)
def test_rate_setting_forms(rate, limit, window):
    assert ratelimit.Rate.parse(rate) == ratelimit.Rate(limit=limit, window=window)


@pytest.mark.parametrize("rate", ["", "1000", "0/5m", "10/0m", "ten/5m", "10/5w"], ids=str)
def test_a_bad_rate_setting_says_what_it_should_look_like(rate):
    with pytest.raises(Exception, match=r"API_RATE_LIMIT must look like 1000/5m"):
        ratelimit.Rate.parse(rate)


# -- per address --------------------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT="3/5m")
def test_no_token_and_unknown_tokens_share_the_limit_of_their_address(anonymous_client, at):
    here = {"REMOTE_ADDR": "192.0.2.7"}

    first = get_many(anonymous_client, 2, **here)
    second = get_many(anonymous_client, 2, HTTP_AUTHORIZATION="Bearer unknown", **here)
    elsewhere = anonymous_client.get(LIST, REMOTE_ADDR="192.0.2.8")

    assert statuses(first + second) == [401, 401, 401, 429]
    assert second[-1].json() == {"error": "Retry later"}
    assert second[-1]["Retry-After"] == "200"
    assert elsewhere.status_code == 401


@override_settings(API_RATE_LIMIT="2/5m", TRUSTED_PROXIES=1)
def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(anonymous_client, at):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    # The client can write anything to the left of what the proxy appends; it does not change its address.
    spoofing = [
        anonymous_client.get(LIST, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9", **proxy)
        for n in range(3)
    ]
    another_client = anonymous_client.get(LIST, HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)

    assert statuses(spoofing) == [401, 401, 429]
    assert another_client.status_code == 401


# -- never limited ------------------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT="1/5m")
def test_documentation_and_the_health_check_are_never_limited(anonymous_client, at):
    for _ in range(3):
        assert anonymous_client.get("/api/docs/v3").status_code == 200
        assert anonymous_client.get("/api/schema/v3").status_code == 200
        assert anonymous_client.get("/api/guidance/not-a-page").status_code == 404
        assert anonymous_client.get("/healthcheck").status_code == 200
    assert RateLimitCounter.objects.count() == 0
    assert statuses(get_many(anonymous_client, 2)) == [401, 429]


# -- the embedded counter -----------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT="5/5m")
def test_the_first_request_of_a_new_window_prunes_the_past_ones(provider_client, anonymous_client, at):
    get_many(provider_client, 2)
    anonymous_client.get(LIST)
    assert sorted(RateLimitCounter.objects.values_list("window_start", "hits")) == [
        (WINDOW_START, 1),
        (WINDOW_START, 2),
    ]

    at(300 + 5)
    provider_client.get(LIST)

    assert list(RateLimitCounter.objects.values_list("key", "window_start", "hits")) == [
        (f"token:{provider_client.token.pk}", WINDOW_START + 300, 1)
    ]


def test_the_embedded_counter_on_sqlite_is_exact_across_four_processes(tmp_path):
    """`make run`'s default: SQLite serialises the upserts of every process."""
    import multiprocessing

    from tests.ratelimit_worker import count_hits

    database = tmp_path / "db.sqlite3"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "API_RATE_LIMIT": "60/5m",
        "CACHE_URL": "",
    }
    _create_counter_table(database)
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Barrier(4), spawn.Queue()
    workers = [
        spawn.Process(target=count_hits, args=(env, WINDOW_START + 100, 20, start, results)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    allowed = [verdict for _ in workers for verdict in results.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=30)

    assert (allowed.count(True), allowed.count(False)) == (60, 20)


def _create_counter_table(database) -> None:
    from django.db.utils import ConnectionHandler

    sqlite = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)}})
    with sqlite["default"].schema_editor() as editor:
        editor.create_model(RateLimitCounter)
    sqlite.close_all()


# -- Redis --------------------------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT="3/5m")
def test_on_redis_a_token_gets_exactly_the_limit_and_keys_expire_with_their_window(
    provider_client, redis_counter, at
):
    responses = get_many(provider_client, 4)

    assert statuses(responses) == [200, 200, 200, 429]
    assert responses[-1]["Retry-After"] == "200"
    assert RateLimitCounter.objects.count() == 0
    client = redis.Redis.from_url(REDIS_URL)
    key = f"{redis_counter}token:{provider_client.token.pk}:{WINDOW_START}"
    assert client.get(key) == b"4"
    assert client.expiretime(key) == WINDOW_START + 300 + 1


@override_settings(API_RATE_LIMIT="3/5m", API_RATE_LIMIT_REDIS_URL="redis://:s3cret@127.0.0.1:1/0")
def test_when_redis_is_unreachable_the_api_answers_503_and_the_health_check_names_the_cache(
    provider_client, anonymous_client, at
):
    response = provider_client.get(LIST)
    health = anonymous_client.get("/healthcheck")

    assert response.status_code == 503
    assert response.json() == {"error": "Service unavailable"}
    assert response["Retry-After"] == "30"
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "database": "ok", "cache": "unavailable"}


@override_settings(API_RATE_LIMIT_REDIS_URL="redis://:s3cret@127.0.0.1:1/0")
def test_a_server_refuses_to_start_naming_the_unreachable_redis_without_its_password():
    from django.core.exceptions import ImproperlyConfigured

    from config.health import require_rate_limit

    with pytest.raises(ImproperlyConfigured) as refused:
        require_rate_limit()

    assert str(refused.value).startswith("Refusing to start: Redis at redis://127.0.0.1:1/0 is unreachable")
    assert "s3cret" not in str(refused.value)


# -- per-request overhead -----------------------------------------------------------------------------------


def _overhead(client) -> list[str]:
    """The SQL a list request runs besides the page's own query."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries if "deliverypartner" not in query["sql"]]


def test_an_authenticated_get_costs_one_token_lookup_and_one_counter_upsert(provider_client, at):
    DeliveryPartnerFactory()
    provider_client.get(LIST)  # sets last_used_at

    overhead = _overhead(provider_client)

    assert len(overhead) == 2
    assert overhead[0].startswith('SELECT "partnerships_leadprovidertoken"')
    assert overhead[1].startswith('INSERT INTO "partnerships_ratelimitcounter"')
    assert "ON CONFLICT" in overhead[1] and "RETURNING" in overhead[1]


def test_on_redis_an_authenticated_get_costs_the_token_lookup_alone(provider_client, redis_counter, at):
    provider_client.get(LIST)

    assert [sql.split(" ", 2)[:2] for sql in _overhead(provider_client)] == [
        ["SELECT", '"partnerships_leadprovidertoken"."id",']
    ]


def test_last_used_at_is_written_at_most_once_a_minute(provider_client, at):
    token = provider_client.token
    provider_client.get(LIST)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    provider_client.get(LIST)
    token.refresh_from_db()
    assert token.last_used_at == first_use

    stale = first_use.replace(year=first_use.year - 1)
    LeadProviderToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    with CaptureQueriesContext(connection) as queries:
        provider_client.get(LIST)
    token.refresh_from_db()
    assert token.last_used_at > first_use
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and '"last_used_at" <=' in updates[0]
