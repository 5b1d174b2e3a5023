"""A deep page of a participants list costs the same number of queries as the first, in every version: the
provider's latest induction records are chosen as one set, whatever the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.participants import enrol
from tests.factories.partnerships import PartnershipFactory, cohort

pytestmark = pytest.mark.django_db


def _query_count(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.json()["data"])


@pytest.mark.parametrize("version", ["v1", "v2", "v3"])
def test_the_last_page_issues_as_many_queries_as_the_first(provider_client, lead_provider, version):
    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))
    mentor = enrol(partnership=partnership, participant_type="mentor")
    for index in range(8):
        record = enrol(partnership=partnership)
        if index % 2:
            record.mentor = mentor.training_record
            record.save()
    url = f"/api/{version}/participants/ecf?page[per_page]=3"
    provider_client.get(url)  # the token's once-a-minute bookkeeping happens here, not below

    first, first_items = _query_count(provider_client, f"{url}&page[page]=1")
    last, last_items = _query_count(provider_client, f"{url}&page[page]=3")

    assert (first_items, last_items) == (3, 3)
    assert last == first
