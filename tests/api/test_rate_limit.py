"""The rate limit is counted in the shared cache, so every worker process sees the same count."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.factories.partnerships import LeadProviderFactory, LeadProviderTokenFactory

ROOT = Path(__file__).resolve().parents[2]
LIST = "/api/v3/delivery-partners"

WORKER = """
import json, os, sys
import django
django.setup()
from django.test import Client
client = Client(REMOTE_ADDR=os.environ["CLIENT_ADDR"])
headers = {"HTTP_AUTHORIZATION": os.environ["AUTH"]} if os.environ["AUTH"] else {}
results = []
for _ in range(int(os.environ["REQUESTS"])):
    response = client.get("/api/v3/delivery-partners", **headers)
    results.append([response.status_code, response.get("Retry-After"), response.content.decode()])
print(json.dumps(results))
"""


def run_worker(*, auth: str, requests: int, limit: str, address: str = "10.0.0.1") -> list:
    """A separate Python process serving requests against the same database (as a second worker would)."""
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "API_RATE_LIMIT": limit,
        "AUTH": auth,
        "REQUESTS": str(requests),
        "CLIENT_ADDR": address,
    }
    completed = subprocess.run(
        [sys.executable, "-c", WORKER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_limit_is_shared_across_processes_per_token():
    provider = LeadProviderFactory(name="Rate limited provider")
    _, raw = LeadProviderTokenFactory.issue(provider)
    _, other_raw = LeadProviderTokenFactory.issue(LeadProviderFactory(name="Another provider"))

    first = run_worker(auth=f"Bearer {raw}", requests=4, limit="6/5m")
    second = run_worker(auth=f"Bearer {raw}", requests=4, limit="6/5m")
    other_token = run_worker(auth=f"Bearer {other_raw}", requests=2, limit="6/5m")

    statuses = [status for status, _, _ in first + second]
    assert statuses == [200] * 6 + [429] * 2
    _, retry_after, body = second[-1]
    assert json.loads(body) == {"error": "Retry later"}
    assert 1 <= int(retry_after) <= 300
    assert [status for status, _, _ in other_token] == [200, 200]  # counted per token


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_requests_without_a_known_token_are_limited_per_address():
    first = run_worker(auth="", requests=3, limit="4/5m", address="10.0.0.7")
    second = run_worker(auth="Bearer unknown", requests=3, limit="4/5m", address="10.0.0.7")
    elsewhere = run_worker(auth="", requests=1, limit="4/5m", address="10.0.0.8")

    assert [status for status, _, _ in first + second] == [401] * 4 + [429] * 2
    assert [status for status, _, _ in elsewhere] == [401]
