"""Two identical partnership POSTs at once create exactly one partnership (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection
from django.db.models import QuerySet

from partnerships import exceptions as exc
from partnerships import services
from partnerships.models import Partnership, PartnershipStateChange
from tests.concurrency import in_threads
from tests.conftest import make_provider_client
from tests.factories.partnerships import (
    DeliveryPartnerFactory,
    LeadProviderFactory,
    ProviderRelationshipFactory,
    SchoolFactory,
    cohort,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

URL = "/api/v3/partnerships/ecf"


@pytest.fixture
def setup():
    provider = LeadProviderFactory(name="Race Provider")
    partner = DeliveryPartnerFactory()
    ProviderRelationshipFactory(lead_provider=provider, delivery_partner=partner, cohort=cohort(2024))
    school = SchoolFactory()
    body = {
        "data": {
            "type": "ecf-partnership",
            "attributes": {
                "cohort": "2024",
                "school_id": str(school.id),
                "delivery_partner_id": str(partner.id),
            },
        }
    }
    return provider, school, body


def post_twice(provider, body):
    clients = [make_provider_client(provider), make_provider_client(provider)]
    start = threading.Barrier(2, timeout=20)
    results, errors = in_threads([lambda c=c: c.post_json(URL, body) for c in clients], start=start)
    assert errors == []
    return sorted((r.status_code, r.json()) for r in results if r is not None)


def assert_one_created(provider, school, responses):
    assert [status for status, _ in responses] == [200, 422]
    assert responses[1][1] == {"errors": [{"title": "school_id", "detail": exc.SCHOOL_ALREADY_CONFIRMED}]}
    partnership = Partnership.objects.get(school=school)
    assert partnership.lead_provider == provider
    assert responses[0][1]["data"]["id"] == str(partnership.id)
    assert PartnershipStateChange.objects.filter(partnership=partnership).count() == 1


def test_identical_posts_at_once_create_one_partnership(setup):
    provider, school, body = setup
    responses = post_twice(provider, body)
    assert_one_created(provider, school, responses)


def test_without_row_locks_the_database_constraint_still_allows_one(setup, monkeypatch):
    """Control: both requests pass every check before either writes; the partial unique constraint then
    refuses the second insert, and that refusal is the spec's 422, not a 500."""
    provider, school, body = setup
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    after_checks = threading.Barrier(2, timeout=20)
    original = services._reusable_partnership

    def waiting(**kwargs):
        after_checks.wait()
        return original(**kwargs)

    monkeypatch.setattr(services, "_reusable_partnership", waiting)

    responses = post_twice(provider, body)

    assert_one_created(provider, school, responses)
