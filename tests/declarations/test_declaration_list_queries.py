"""The declarations list reads a page in a constant number of queries (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.declarations.helpers import URL
from tests.factories.declarations import DeclarationFactory

pytestmark = pytest.mark.django_db

STATES = ("submitted", "eligible", "paid", "voided", "ineligible", "awaiting_clawback", "clawed_back")


def _page_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    # Authentication and the rate limiter's cache rows are per request, not per declaration.
    reads = [q for q in queries.captured_queries if q["sql"].startswith("SELECT") and "token" not in q["sql"]]
    reads = [sql for sql in reads if "django_cache" not in sql["sql"]]
    return len(response.json()["data"]), len(reads)


def test_list_queries_do_not_grow_with_the_page(provider_client):
    lead_provider = provider_client.lead_provider
    for state in STATES:
        DeclarationFactory(lead_provider=lead_provider, **{state: True} if state != "submitted" else {})
    small_count, small_queries = _page_queries(provider_client)
    for state in STATES * 3:
        DeclarationFactory(lead_provider=lead_provider, **{state: True} if state != "submitted" else {})
    large_count, large_queries = _page_queries(provider_client)

    assert (small_count, large_count) == (len(STATES), 4 * len(STATES))
    assert large_queries == small_queries == 1
