"""GET /api/v3/participants/ecf/transfers and /participants/ecf/{id}/transfers."""

import datetime as dt

import pytest

from participants.models import Participant
from tests.factories.participants import add_induction_record, enrol

pytestmark = pytest.mark.django_db


def ts(value):
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def transfer(
    leaving_provider, joining_provider=None, *, leave=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), join=None
):
    leaving = enrol(lead_provider=leaving_provider)
    leaving.induction_status = "leaving"
    leaving.end_date = leave
    leaving.save()
    joining = None
    if joining_provider is not None:
        joining = add_induction_record(
            leaving.training_record,
            lead_provider=joining_provider,
            start_date=join or leave,
            school_transfer=True,
        )
    return leaving, joining


def urn(record):
    return record.induction_programme.school_cohort.school.urn


def test_transfer_to_a_new_provider_is_seen_by_both(
    provider_client, other_provider_client, lead_provider, other_lead_provider
):
    leaving, joining = transfer(lead_provider, other_lead_provider)
    person_id = leaving.training_record.participant_id
    leaving.refresh_from_db()
    joining.refresh_from_db()
    expected = {
        "id": str(person_id),
        "type": "participant-transfer",
        "attributes": {
            "updated_at": ts(max(leaving.updated_at, joining.updated_at)),
            "transfers": [
                {
                    "training_record_id": str(leaving.training_record_id),
                    "transfer_type": "new_provider",
                    "status": "complete",
                    "leaving": {
                        "school_urn": urn(leaving),
                        "provider": lead_provider.name,
                        "date": "2025-01-01",
                    },
                    "joining": {
                        "school_urn": urn(joining),
                        "provider": other_lead_provider.name,
                        "date": "2025-01-01",
                    },
                    "created_at": ts(leaving.created_at),
                }
            ],
        },
    }

    assert provider_client.get("/api/v3/participants/ecf/transfers").json() == {"data": [expected]}
    assert other_provider_client.get("/api/v3/participants/ecf/transfers").json() == {"data": [expected]}
    response = provider_client.get(f"/api/v3/participants/ecf/{person_id}/transfers")
    assert response.status_code == 200
    assert response.json() == {"data": expected}


def test_transfer_within_one_provider_is_new_school(provider_client, lead_provider):
    transfer(lead_provider, lead_provider)
    [item] = provider_client.get("/api/v3/participants/ecf/transfers").json()["data"]
    assert item["attributes"]["transfers"][0]["transfer_type"] == "new_school"


def test_leaving_without_joining_is_unknown(provider_client, other_provider_client, lead_provider):
    transfer(lead_provider)
    [item] = provider_client.get("/api/v3/participants/ecf/transfers").json()["data"]
    [entry] = item["attributes"]["transfers"]
    assert (entry["transfer_type"], entry["joining"]) == ("unknown", None)
    assert entry["leaving"]["date"] == "2025-01-01"
    assert other_provider_client.get("/api/v3/participants/ecf/transfers").json() == {"data": []}


def test_future_dates_make_the_transfer_incomplete(provider_client, lead_provider, other_lead_provider):
    transfer(
        lead_provider,
        other_lead_provider,
        leave=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        join=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    [item] = provider_client.get("/api/v3/participants/ecf/transfers").json()["data"]
    assert item["attributes"]["transfers"][0]["status"] == "incomplete"


def test_joining_record_must_be_a_school_transfer_at_another_school(provider_client, lead_provider):
    leaving, _ = transfer(lead_provider)
    add_induction_record(
        leaving.training_record,
        lead_provider=lead_provider,
        start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        school_transfer=False,
    )
    [item] = provider_client.get("/api/v3/participants/ecf/transfers").json()["data"]
    assert item["attributes"]["transfers"][0]["transfer_type"] == "unknown"


def test_unrelated_provider_sees_nothing_and_gets_404(other_provider_client, lead_provider):
    leaving, _ = transfer(lead_provider, lead_provider)
    assert other_provider_client.get("/api/v3/participants/ecf/transfers").json() == {"data": []}
    response = other_provider_client.get(
        f"/api/v3/participants/ecf/{leaving.training_record.participant_id}/transfers"
    )
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


@pytest.mark.parametrize("bad", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_unknown_participant_transfers_is_404(provider_client, bad):
    response = provider_client.get(f"/api/v3/participants/ecf/{bad}/transfers")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


def test_participant_without_a_leaving_record_is_not_in_scope(provider_client, lead_provider):
    enrol(lead_provider=lead_provider)
    assert provider_client.get("/api/v3/participants/ecf/transfers").json() == {"data": []}


def test_updated_since_filters_and_orders_by_updated_at(provider_client, lead_provider):
    first, _ = transfer(lead_provider)
    second, _ = transfer(lead_provider)
    third, _ = transfer(lead_provider)
    stamps = {
        first: dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        second: dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
        third: dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    }
    for record, stamp in stamps.items():
        Participant.objects.filter(pk=record.training_record.participant_id).update(updated_at=stamp)

    default = provider_client.get("/api/v3/participants/ecf/transfers").json()["data"]
    assert [item["id"] for item in default] == [
        str(r.training_record.participant_id) for r in (first, second, third)
    ]
    filtered = provider_client.get(
        "/api/v3/participants/ecf/transfers?filter[updated_since]=2025-02-01T00:00:00Z"
    )
    assert [item["id"] for item in filtered.json()["data"]] == [
        str(second.training_record.participant_id),
        str(first.training_record.participant_id),
    ]
    bad = provider_client.get("/api/v3/participants/ecf/transfers?filter[updated_since]=bad")
    assert bad.status_code == 400


def test_transfers_is_not_read_as_a_participant_id(provider_client):
    response = provider_client.get("/api/v3/participants/ecf/transfers")
    assert response.status_code == 200
    assert response.json() == {"data": []}


@pytest.mark.parametrize("rows", [1, 30, 300])
def test_transfers_list_uses_constant_queries(
    provider_client, lead_provider, other_lead_provider, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        transfer(lead_provider, other_lead_provider)
    # 7 for auth and rate limiting + persons + their induction records
    with django_assert_max_num_queries(9):
        response = provider_client.get("/api/v3/participants/ecf/transfers?page[per_page]=3000")
    assert len(response.json()["data"]) == rows
