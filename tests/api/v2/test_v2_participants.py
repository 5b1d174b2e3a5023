"""API v2 participants: the same flat representation and rules as v1, on v2 paths and the v2 contract."""

import csv
import io

import pytest

from participants.models import TrainingStatusChange
from tests.contracts import assert_matches_contract
from tests.factories.participants import ParticipantFactory, enrol
from tests.factories.partnerships import PartnershipFactory, cohort

pytestmark = pytest.mark.django_db

LIST = "/api/v2/participants/ecf"
NOT_RECOGNISED = "Your update cannot be made as the '#/participant_id' is not recognised. Check participant details and try again."


def body(**attributes):
    return {"data": {"type": "participant-action", "attributes": attributes}}


def ok(response):
    assert response.status_code == 200, response.content
    assert_matches_contract(response)
    return response.json()["data"]


def text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_list_and_show_are_the_flat_items(provider_client, lead_provider):
    ect = enrol(lead_provider=lead_provider)
    person = ect.training_record.participant
    mentor = enrol(lead_provider=lead_provider, participant=person, participant_type="mentor")

    listed = ok(provider_client.get(LIST))
    shown = ok(provider_client.get(f"{LIST}/{person.pk}"))

    assert [(item["id"], item["attributes"]["training_record_id"]) for item in listed] == [
        (str(person.pk), str(ect.training_record_id)),
        (str(person.pk), str(mentor.training_record_id)),
    ]
    assert shown == listed[0]
    assert list(shown["attributes"]) == list(
        provider_client.get(f"/api/v1/participants/ecf/{person.pk}").json()["data"]["attributes"]
    )
    assert provider_client.get("/api/v2/participants").json()["data"] == listed  # the alias: not in the contract


def test_filters(provider_client, lead_provider):
    enrol(lead_provider=lead_provider, year=2025, schedule_identifier="ecf-standard-january")
    enrol(lead_provider=lead_provider)
    assert [
        item["attributes"]["cohort"] for item in ok(provider_client.get(f"{LIST}?filter[cohort]=2025"))
    ] == ["2025"]
    assert ok(provider_client.get(f"{LIST}?filter[updated_since]=2999-01-01")) == []
    response = provider_client.get(f"{LIST}?filter[updated_since]=nope")
    assert response.status_code == 400
    assert (
        response.json()["errors"][0]["detail"] == "The filter '#/updated_since' must be a valid RCF3339 date"
    )


def test_without_a_token_is_401(anonymous_client):
    response = anonymous_client.get(LIST)
    assert response.status_code == 401
    assert_matches_contract(response)


def test_another_providers_participant_is_404(provider_client, other_lead_provider):
    ir = enrol(lead_provider=other_lead_provider)
    assert ok(provider_client.get(LIST)) == []
    response = provider_client.get(f"{LIST}/{ir.training_record.participant_id}")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


@pytest.mark.parametrize(
    "route", ["/api/v2/participants/ecf/{id}/{action}", "/api/v2/participants/{id}/{action}"]
)
def test_actions_on_both_paths(provider_client, lead_provider, route):
    ir = enrol(lead_provider=lead_provider)
    person_id = ir.training_record.participant_id

    deferred = provider_client.put_json(
        route.format(id=person_id, action="defer"), body(course_identifier="ecf-induction", reason="other")
    )
    resumed = provider_client.put_json(
        route.format(id=person_id, action="resume"), body(course_identifier="ecf-induction")
    )

    assert deferred.status_code == resumed.status_code == 200
    assert deferred.json()["data"]["attributes"]["training_status"] == "deferred"
    assert resumed.json()["data"]["attributes"]["training_status"] == "active"
    assert resumed.json()["data"]["attributes"]["training_record_id"] == str(ir.training_record_id)
    if "/ecf/" in route:  # the v2 contract lists only the ecf paths
        assert_matches_contract(deferred)
        assert_matches_contract(resumed)
    assert TrainingStatusChange.objects.count() == 2


def test_change_schedule(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    data = ok(
        provider_client.put_json(
            f"{LIST}/{ir.training_record.participant_id}/change-schedule",
            body(course_identifier="ecf-induction", schedule_identifier="ecf-extended-september"),
        )
    )
    assert data["attributes"]["schedule_identifier"] == "ecf-extended-september"


def test_action_rules_are_the_shared_ones(provider_client, lead_provider, other_lead_provider):
    theirs = enrol(lead_provider=other_lead_provider)
    response = provider_client.put_json(
        f"{LIST}/{theirs.training_record.participant_id}/withdraw",
        body(course_identifier="ecf-induction", reason="moved-school"),
    )
    assert response.status_code == 422
    assert response.json() == {"errors": [{"title": "participant_id", "detail": NOT_RECOGNISED}]}

    ours = enrol(lead_provider=lead_provider, training_status="withdrawn")
    response = provider_client.put_json(
        f"{LIST}/{ours.training_record.participant_id}/defer",
        body(course_identifier="ecf-induction", reason="other"),
    )
    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"title": "participant_profile", "detail": "The participant is already withdrawn"}]
    }

    response = provider_client.put_json(f"{LIST}/{ours.training_record.participant_id}/resume", {"nodata": 1})
    assert response.status_code == 400


def test_csv_equals_the_json_list(provider_client, lead_provider):
    mentor = enrol(lead_provider=lead_provider, participant_type="mentor")
    enrol(lead_provider=lead_provider, participant=mentor.training_record.participant)
    enrol(lead_provider=lead_provider, participant=ParticipantFactory(trn=None), not_yet_eligible=True)
    items = provider_client.get(LIST).json()["data"]

    response = provider_client.get(f"{LIST}.csv")

    assert response["Content-Type"] == "text/csv"
    [header, *lines] = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert header == ["id", *items[0]["attributes"]]
    assert lines == [[item["id"], *(text(value) for value in item["attributes"].values())] for item in items]
    assert b"".join(provider_client.get(f"{LIST}.csv?filter[cohort]=2030").streaming_content) == b""


@pytest.mark.parametrize("count", [1, 30])
def test_list_uses_a_constant_number_of_queries(
    provider_client, lead_provider, django_assert_max_num_queries, count
):
    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))
    for _ in range(count):
        enrol(partnership=partnership)
    with django_assert_max_num_queries(8):  # 7 for auth and rate limiting + the rows with their joins
        response = provider_client.get(LIST)
    assert len(ok(response)) == count
