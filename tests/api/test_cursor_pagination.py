"""`page[cursor]` walks on every list endpoint: links, binding to the walk, refusals, query counts."""

import datetime as dt
import threading
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.api.cursor import (
    CURSOR_WITH_PAGE,
    DESCENDING_CURSOR,
    INVALID_CURSOR,
    MISMATCHED_CURSOR,
    UNSUPPORTED_CURSOR_SORT,
    cursor_key,
)
from config.api.pagination import PagePagination
from config.routes import generate_schema
from participants.models import InductionRecord
from tests.factories.declarations import DeclarationFactory
from tests.factories.participants import add_induction_record, enrol
from tests.factories.partnerships import (
    DeliveryPartnerFactory,
    PartnershipFactory,
    ProviderRelationshipFactory,
    SchoolCohortFactory,
    cohort,
)
from tests.factories.statements import StatementFactory

pytestmark = pytest.mark.django_db

PARTICIPANTS = "/api/v3/participants/ecf"


def bad_request(detail: str) -> dict:
    return {"errors": [{"title": "Bad request", "detail": detail}]}


def walk(client, url: str) -> tuple[list[str], list[dict]]:
    """Every id of a cursor walk, following links.next to the end, and each page's body."""
    seen, bodies = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        bodies.append(body)
        seen += [item["id"] for item in body["data"]]
        url = body["links"]["next"]
        assert len(bodies) < 100
    return seen, bodies


def cursor_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["page[cursor]"][0]


# --- every list endpoint ---------------------------------------------------------------------------


def _participants(lp, other):
    for _ in range(3):
        enrol(lead_provider=lp)


def _unfunded_mentors(lp, other):
    for _ in range(3):
        mentor = enrol(lead_provider=other, participant_type="mentor")
        ect = enrol(lead_provider=lp)
        ect.mentor = mentor.training_record
        ect.save()


def _transfers(lp, other):
    for _ in range(3):
        leaving = enrol(lead_provider=lp)
        leaving.induction_status = "leaving"
        leaving.end_date = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        leaving.save()
        add_induction_record(
            leaving.training_record, lead_provider=other, start_date=leaving.end_date, school_transfer=True
        )


def _partnerships(lp, other):
    for _ in range(3):
        PartnershipFactory(lead_provider=lp, cohort=cohort(2024))


def _schools(lp, other):
    for _ in range(3):
        SchoolCohortFactory(cohort=cohort(2024))


def _delivery_partners(lp, other):
    for _ in range(3):
        ProviderRelationshipFactory(
            lead_provider=lp, delivery_partner=DeliveryPartnerFactory(), cohort=cohort(2024)
        )


def _declarations(lp, other):
    DeclarationFactory.create_batch(3, lead_provider=lp)


def _statements(lp, other):
    for month in (1, 2, 3):
        StatementFactory(lead_provider=lp, year=2024, month=month)


ENDPOINTS = [
    ("/api/v3/participants/ecf", _participants),
    ("/api/v3/unfunded-mentors/ecf", _unfunded_mentors),
    ("/api/v3/participants/ecf/transfers", _transfers),
    ("/api/v3/partnerships/ecf", _partnerships),
    ("/api/v3/schools/ecf?filter[cohort]=2024", _schools),
    ("/api/v3/delivery-partners", _delivery_partners),
    ("/api/v3/participant-declarations", _declarations),
    ("/api/v3/statements", _statements),
]


@pytest.mark.parametrize(("path", "build"), ENDPOINTS, ids=[path for path, _ in ENDPOINTS])
def test_every_list_walks_by_cursor_to_the_same_rows(
    provider_client, lead_provider, other_lead_provider, path, build
):
    build(lead_provider, other_lead_provider)
    separator = "&" if "?" in path else "?"
    everything = provider_client.get(f"{path}{separator}page[per_page]=3000").json()["data"]
    assert len(everything) >= 3

    seen, bodies = walk(provider_client, f"{path}{separator}page[per_page]=2&page[cursor]=")

    assert sorted(seen) == sorted(item["id"] for item in everything)
    assert len(seen) == len(set(seen))
    assert bodies[-1]["links"]["next"] is None
    assert len({body["meta"]["sync_from"] for body in bodies}) == 1


def test_walk_follows_created_at_then_id_with_absolute_next_links(provider_client, lead_provider):
    people = [enrol(lead_provider=lead_provider).training_record.participant for _ in range(5)]
    expected = [str(person.pk) for person in sorted(people, key=lambda p: (p.created_at, p.pk))]

    first = provider_client.get(f"{PARTICIPANTS}?page[per_page]=2&page[cursor]=&filter[cohort]=2024")

    body = first.json()
    assert first.status_code == 200
    assert set(body) == {"data", "links", "meta"}
    next_url = body["links"]["next"]
    assert next_url.startswith("http://testserver/api/v3/participants/ecf?")
    query = parse_qs(urlsplit(next_url).query)
    assert query["filter[cohort]"] == ["2024"]
    assert query["page[per_page]"] == ["2"]
    seen, bodies = walk(provider_client, next_url)
    assert [item["id"] for item in body["data"]] + seen == expected
    assert [len(page["data"]) for page in bodies] == [2, 1]
    assert bodies[-1]["links"]["next"] is None
    assert body["links"]["prev"] is None


def test_prev_links_walk_back_page_by_page(provider_client, lead_provider):
    for _ in range(5):
        enrol(lead_provider=lead_provider)
    _, forward = walk(provider_client, f"{PARTICIPANTS}?page[per_page]=2&page[cursor]=")
    pages = [[item["id"] for item in body["data"]] for body in forward]
    assert [len(page) for page in pages] == [2, 2, 1]

    back, url = [], forward[-1]["links"]["prev"]
    while url:
        body = provider_client.get(url).json()
        back.append([item["id"] for item in body["data"]])
        url = body["links"]["prev"]

    assert back == [pages[1], pages[0]]
    middle = provider_client.get(forward[-1]["links"]["prev"]).json()
    assert [item["id"] for item in provider_client.get(middle["links"]["next"]).json()["data"]] == pages[2]


def test_sort_updated_at_walks_by_updated_at(provider_client, lead_provider):
    people = [enrol(lead_provider=lead_provider).training_record.participant for _ in range(3)]
    people[0].save()  # now the most recently updated
    people = [type(people[0]).objects.get(pk=person.pk) for person in people]
    expected = [str(p.pk) for p in sorted(people, key=lambda p: (p.updated_at, p.pk))]

    seen, _ = walk(provider_client, f"{PARTICIPANTS}?sort=updated_at&page[per_page]=1&page[cursor]=")

    assert seen == expected
    assert seen[-1] == str(people[0].pk)


def test_page_number_responses_are_unchanged(provider_client, lead_provider):
    enrol(lead_provider=lead_provider)

    response = provider_client.get(f"{PARTICIPANTS}?page[per_page]=1&page[page]=1")

    assert response.status_code == 200
    assert list(response.json()) == ["data"]
    assert response.content.startswith(b'{"data":[{')


def test_an_empty_list_walk_has_no_next(provider_client):
    response = provider_client.get(f"{PARTICIPANTS}?page[cursor]=")

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["links"] == {"next": None, "prev": None}


# --- refusals --------------------------------------------------------------------------------------


def test_page_and_cursor_together_are_refused(provider_client):
    response = provider_client.get(f"{PARTICIPANTS}?page[page]=2&page[cursor]=")

    assert response.status_code == 400
    assert response.json() == bad_request(CURSOR_WITH_PAGE)


@pytest.mark.parametrize("sort", ["-updated_at", "-created_at", "updated_at,-created_at"])
def test_descending_cursor_walks_are_refused_and_say_why(provider_client, sort):
    response = provider_client.get(f"{PARTICIPANTS}?sort={sort}&page[cursor]=")

    assert response.status_code == 400
    assert response.json() == bad_request(DESCENDING_CURSOR)


@pytest.mark.parametrize("sort", ["name", "created_at,updated_at"])
def test_cursor_walks_by_other_columns_are_refused(provider_client, sort):
    response = provider_client.get(f"/api/v3/delivery-partners?sort={sort}&page[cursor]=")

    assert response.status_code == 400
    assert response.json() == bad_request(UNSUPPORTED_CURSOR_SORT)


def test_a_bad_per_page_is_the_pagination_error_in_a_walk(provider_client):
    response = provider_client.get(f"{PARTICIPANTS}?page[per_page]=0&page[cursor]=")

    assert response.status_code == 400
    assert response.json()["errors"][0]["title"] == "Bad request"


def _second_page_cursor(client, url):
    return cursor_of(client.get(url).json()["links"]["next"])


@pytest.mark.parametrize(
    "changed",
    [
        f"{PARTICIPANTS}?filter[cohort]=2023&page[per_page]=1",  # other filter value
        f"{PARTICIPANTS}?page[per_page]=1",  # filter dropped
        f"{PARTICIPANTS}?filter[cohort]=2024&sort=updated_at&page[per_page]=1",  # other order
        "/api/v3/participant-declarations?filter[cohort]=2024&page[per_page]=1",  # other list
    ],
)
def test_a_cursor_reused_with_other_filters_sort_or_list_is_refused(provider_client, lead_provider, changed):
    enrol(lead_provider=lead_provider)
    enrol(lead_provider=lead_provider)
    cursor = _second_page_cursor(
        provider_client, f"{PARTICIPANTS}?filter[cohort]=2024&page[per_page]=1&page[cursor]="
    )

    response = provider_client.get(f"{changed}&page[cursor]={cursor}")

    assert response.status_code == 400
    assert response.json() == bad_request(MISMATCHED_CURSOR)


def test_unknown_and_empty_filters_do_not_bind_a_cursor(provider_client, lead_provider):
    for _ in range(3):
        enrol(lead_provider=lead_provider)
    cursor = _second_page_cursor(provider_client, f"{PARTICIPANTS}?page[per_page]=1&page[cursor]=")

    response = provider_client.get(
        f"{PARTICIPANTS}?filter[colour]=red&filter[cohort]=&page[per_page]=1&page[cursor]={cursor}"
    )

    assert response.status_code == 200
    assert len(response.json()["data"]) == 1


def test_a_cursor_is_bound_to_its_provider(provider_client, other_provider_client, lead_provider):
    enrol(lead_provider=lead_provider)
    enrol(lead_provider=lead_provider)
    cursor = _second_page_cursor(provider_client, f"{PARTICIPANTS}?page[per_page]=1&page[cursor]=")

    response = other_provider_client.get(f"{PARTICIPANTS}?page[per_page]=1&page[cursor]={cursor}")

    assert response.status_code == 400
    assert response.json() == bad_request(MISMATCHED_CURSOR)


def test_per_page_may_change_during_a_walk(provider_client, lead_provider):
    for _ in range(3):
        enrol(lead_provider=lead_provider)
    cursor = _second_page_cursor(provider_client, f"{PARTICIPANTS}?page[per_page]=1&page[cursor]=")

    response = provider_client.get(f"{PARTICIPANTS}?page[per_page]=5&page[cursor]={cursor}")

    assert response.status_code == 200
    assert len(response.json()["data"]) == 2


@pytest.mark.parametrize("cursor", ["abc", "eyJ2IjoxfQ:1abc:def", "%00", "a" * 400])
def test_a_cursor_not_issued_here_is_refused(provider_client, cursor):
    response = provider_client.get(f"{PARTICIPANTS}?page[cursor]={cursor}")

    assert response.status_code == 400
    assert response.json() == bad_request(INVALID_CURSOR)


def test_an_altered_cursor_is_refused(provider_client, lead_provider):
    enrol(lead_provider=lead_provider)
    enrol(lead_provider=lead_provider)
    cursor = _second_page_cursor(provider_client, f"{PARTICIPANTS}?page[per_page]=1&page[cursor]=")
    altered = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]

    response = provider_client.get(f"{PARTICIPANTS}?page[per_page]=1&page[cursor]={altered}")

    assert response.status_code == 400
    assert response.json() == bad_request(INVALID_CURSOR)


# --- cost ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "build"),
    [(PARTICIPANTS, _participants), ("/api/v3/participant-declarations", _declarations)],
)
def test_every_cursor_page_costs_the_same_queries(
    provider_client, lead_provider, other_lead_provider, path, build
):
    for _ in range(3):
        build(lead_provider, other_lead_provider)  # 9 rows, 5 pages of 2
    provider_client.get(path)  # the token's first use of the window writes its bookkeeping once
    counts = []
    url = f"{path}?page[per_page]=2&page[cursor]=&sort=updated_at"
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = provider_client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
        url = response.json()["links"]["next"]

    assert len(counts) == 5
    # The first page also reads the sync watermark; every later page costs exactly the same.
    assert counts[0] == counts[1] + 1
    assert len(set(counts[1:-1])) == 1
    assert counts[-1] <= counts[1]


# --- sync_from --------------------------------------------------------------------------------------


def test_sync_from_is_now_less_the_margin_when_nothing_is_in_flight(provider_client, settings):
    settings.API_SYNC_SAFETY_MARGIN = 60
    before = dt.datetime.now(dt.UTC)

    body = provider_client.get(f"{PARTICIPANTS}?page[cursor]=").json()

    after = dt.datetime.now(dt.UTC)
    sync_from = dt.datetime.fromisoformat(body["meta"]["sync_from"])
    assert before.replace(microsecond=0) - dt.timedelta(seconds=60) <= sync_from
    assert sync_from <= after - dt.timedelta(seconds=60)


def test_sync_from_goes_back_to_the_start_of_a_transaction_still_in_flight(provider_client, settings):
    """A writer that opened its transaction earlier may still commit rows stamped from then on."""
    settings.API_SYNC_SAFETY_MARGIN = 0
    params = connection.get_connection_params()
    dsn = {key: params[key] for key in ("dbname", "user", "host", "port", "password") if params.get(key)}
    opened, release = threading.Event(), threading.Event()
    started = {}

    def writer():
        with psycopg.connect(**dsn) as other, other.transaction():
            started["at"] = other.execute("SELECT now()").fetchone()[0]
            opened.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert opened.wait(10)
        threading.Event().wait(1.2)  # the request comes more than a second after the writer began
        body = provider_client.get(f"{PARTICIPANTS}?page[cursor]=").json()
    finally:
        release.set()
        thread.join()

    sync_from = dt.datetime.fromisoformat(body["meta"]["sync_from"])
    assert sync_from == started["at"].astimezone(dt.UTC).replace(microsecond=0)


def test_sync_from_is_carried_through_the_walk(provider_client, lead_provider, settings):
    enrol(lead_provider=lead_provider)
    enrol(lead_provider=lead_provider)
    first = provider_client.get(f"{PARTICIPANTS}?page[per_page]=1&page[cursor]=").json()
    settings.API_SYNC_SAFETY_MARGIN = 3600  # would move a recomputed watermark an hour back

    second = provider_client.get(first["links"]["next"]).json()

    assert second["meta"]["sync_from"] == first["meta"]["sync_from"]


# --- the OpenAPI documents -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [path.split("?")[0] for path, _ in ENDPOINTS])
def test_the_schema_describes_cursor_walks(path):
    schema = generate_schema("v3")
    operation = schema["paths"][path]["get"]

    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert "links.next" in parameters["page[cursor]"]["description"]
    body = next(iter(operation["responses"]["200"]["content"].values()))["schema"]
    properties = {}
    for part in body.get("allOf", [body]):
        if "$ref" in part:
            part = schema["components"]["schemas"][part["$ref"].rsplit("/", 1)[-1]]
        properties.update(part["properties"])
    assert set(properties) == {"data", "links", "meta"}
    assert set(properties["links"]["properties"]) == {"next", "prev"}
    assert set(properties["meta"]["properties"]) == {"sync_from"}


# --- a key on a related row ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "default", "key"),
    [
        ([], "created_at", "created_at"),
        ([], "payment_date", "created_at"),
        ([], "training_record__participant__updated_at", "training_record__participant__updated_at"),
        (["updated_at"], "created_at", "updated_at"),
    ],
)
def test_the_walk_key_follows_sort_or_the_default_order(requested, default, key):
    assert cursor_key(requested, default) == key


def test_a_list_ordered_by_a_related_timestamp_walks_by_it(lead_provider):
    """Lists with one item per training record (v1/v2 participants) are ordered by their person."""
    records = [enrol(lead_provider=lead_provider) for _ in range(3)]
    records.append(add_induction_record(records[0].training_record, lead_provider=lead_provider))
    key = "training_record__participant__created_at"
    view = SimpleNamespace(
        cursor_key=lambda: key, lead_provider=lead_provider, filters={}, filterset_class=None
    )
    queryset = InductionRecord.objects.filter(pk__in=[record.pk for record in records])
    seen, url = [], "/api/v3/participants/ecf?page[per_page]=1&page[cursor]="
    while url:
        paginator = PagePagination()
        request = Request(APIRequestFactory().get(url))
        seen += [row.pk for row in paginator.paginate_queryset(queryset, request, view)]
        url = paginator.get_paginated_response([]).data["links"]["next"]

    people = {r.pk: r.training_record.participant for r in records}
    assert seen == sorted(people, key=lambda pk: (people[pk].created_at, pk))


# --- v1 and v2 lists ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_v1_v2_lists_walk_by_cursor_to_the_same_rows_as_their_pages(provider_client, lead_provider, version):
    for _ in range(5):
        record = enrol(lead_provider=lead_provider)
        DeclarationFactory(lead_provider=lead_provider, enrolment=record)
    for path in ("participants/ecf", "participant-declarations"):
        url = f"/api/{version}/{path}"
        paged = provider_client.get(url, {"page[per_page]": "100"}).json()["data"]

        walked, bodies = walk(provider_client, f"{url}?page[per_page]=2&page[cursor]=")

        assert walked == [item["id"] for item in paged]
        assert len(walked) == 5 and len(bodies) == 3
        assert bodies[-1]["links"]["next"] is None
