"""GET /api/v1/participants/ecf.csv: every matching row of the JSON list, streamed, unpaginated."""

import csv
import datetime as dt
import io

import pytest

from participants.api import views
from participants.models import Participant
from tests.factories.participants import ParticipantFactory, enrol
from tests.factories.partnerships import PartnershipFactory, cohort

pytestmark = pytest.mark.django_db

CSV = "/api/v1/participants/ecf.csv"
COLUMNS = [
    "id",
    "email",
    "full_name",
    "mentor_id",
    "school_urn",
    "participant_type",
    "cohort",
    "status",
    "teacher_reference_number",
    "teacher_reference_number_validated",
    "eligible_for_funding",
    "pupil_premium_uplift",
    "sparsity_uplift",
    "training_status",
    "training_record_id",
    "schedule_identifier",
    "updated_at",
]


def text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def download(client, query=""):
    response = client.get(f"{CSV}{query}")
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv"
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def as_csv_rows(json_items):
    return [[item["id"], *(text(value) for value in item["attributes"].values())] for item in json_items]


def some_participants(lead_provider):
    mentor = enrol(lead_provider=lead_provider, participant_type="mentor")
    ect = enrol(lead_provider=lead_provider, participant=mentor.training_record.participant)
    mentee = enrol(
        lead_provider=lead_provider, participant=ParticipantFactory(trn=None), not_yet_eligible=True
    )
    mentee.mentor = mentor.training_record
    mentee.save()
    enrol(lead_provider=lead_provider, year=2025, schedule_identifier="ecf-standard-january")
    return mentor, ect


@pytest.mark.parametrize(
    "query", ["", "?filter[cohort]=2024", "?filter[cohort]=2025,2024", "?filter[updated_since]=2020-01-01"]
)
def test_header_and_rows_equal_the_json_list(provider_client, lead_provider, query):
    some_participants(lead_provider)
    json_query = f"{query}&page[per_page]=3000" if query else "?page[per_page]=3000"
    expected = as_csv_rows(provider_client.get(f"/api/v1/participants/ecf{json_query}").json()["data"])

    [header, *lines] = list(csv.reader(io.StringIO(download(provider_client, query))))

    assert header == COLUMNS
    assert lines == expected
    assert len(lines) >= 2


def test_nulls_are_empty_and_booleans_are_words(provider_client, lead_provider):
    enrol(lead_provider=lead_provider, participant=ParticipantFactory(trn=None), not_yet_eligible=True)
    [header, line] = list(csv.reader(io.StringIO(download(provider_client))))
    row = dict(zip(header, line, strict=True))
    assert (row["mentor_id"], row["teacher_reference_number"], row["eligible_for_funding"]) == ("", "", "")
    assert (row["pupil_premium_uplift"], row["sparsity_uplift"]) == ("false", "false")


def test_a_person_with_ect_and_mentor_records_has_two_lines(provider_client, lead_provider):
    mentor, ect = some_participants(lead_provider)
    lines = list(csv.DictReader(io.StringIO(download(provider_client))))
    person_id = str(mentor.training_record.participant_id)
    assert {line["training_record_id"] for line in lines if line["id"] == person_id} == {
        str(mentor.training_record_id),
        str(ect.training_record_id),
    }


def test_nothing_matching_is_an_empty_body(provider_client, lead_provider, other_lead_provider):
    enrol(lead_provider=other_lead_provider)
    assert download(provider_client) == ""
    enrol(lead_provider=lead_provider)
    assert download(provider_client, "?filter[cohort]=2023") == ""


def test_pagination_parameters_are_ignored(provider_client, lead_provider):
    for _ in range(3):
        enrol(lead_provider=lead_provider)
    lines = download(provider_client, "?page[per_page]=1&page[page]=2").splitlines()
    assert len(lines) == 4


def test_the_alias_serves_the_same_csv(provider_client, lead_provider):
    enrol(lead_provider=lead_provider)
    response = provider_client.get("/api/v1/participants.csv")
    assert b"".join(response.streaming_content).decode() == download(provider_client)


def test_updated_since_filters_and_orders_by_person_updated_at(provider_client, lead_provider):
    first, second = enrol(lead_provider=lead_provider), enrol(lead_provider=lead_provider)
    Participant.objects.filter(pk=first.training_record.participant_id).update(
        updated_at=dt.datetime(2030, 1, 2, tzinfo=dt.UTC)
    )
    Participant.objects.filter(pk=second.training_record.participant_id).update(
        updated_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    )
    lines = list(csv.DictReader(io.StringIO(download(provider_client, "?filter[updated_since]=2030-01-01"))))
    assert [line["id"] for line in lines] == [
        str(second.training_record.participant_id),
        str(first.training_record.participant_id),
    ]


def test_bad_filter_is_a_json_400(provider_client):
    response = provider_client.get(f"{CSV}?filter[updated_since]=nope")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid RCF3339 date"}
        ]
    }


def test_without_a_token_is_401(anonymous_client):
    response = anonymous_client.get(CSV)
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v3/participants/ecf.csv",
        "/api/v1/participants/ecf/00000000-0000-0000-0000-000000000000.csv",
    ],
)
def test_no_csv_where_the_representation_has_none(provider_client, lead_provider, path):
    response = provider_client.get(path)
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


@pytest.mark.parametrize("count", [3, 60])
def test_queries_do_not_grow_with_rows_or_batches(
    provider_client, lead_provider, django_assert_max_num_queries, monkeypatch, count
):
    monkeypatch.setattr(views, "CSV_BATCH_SIZE", 7)  # 60 rows: 9 batches from the cursor
    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))
    mentor = enrol(partnership=partnership, participant_type="mentor")
    for _ in range(count):
        ir = enrol(partnership=partnership)
        ir.mentor = mentor.training_record
        ir.save()
    # 7 for auth and rate limiting + 1: the rows with their joins, read through one server-side cursor
    with django_assert_max_num_queries(8):
        body = download(provider_client)
    assert len(body.splitlines()) == count + 2
