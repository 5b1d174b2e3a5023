"""PUT /api/v1/participants/ecf/{id}/{defer,resume,withdraw,change-schedule} and the legacy
/api/v1/participants/{id}/... paths: the v3 rules (shared services), answered with the flat v1 item of the
acted-on training record."""

import pytest

from participants.models import InductionRecord, ParticipantIdChange, TrainingStatusChange
from tests.contracts import assert_matches_contract
from tests.factories.participants import enrol
from tests.factories.partnerships import PartnershipFactory, cohort

pytestmark = pytest.mark.django_db

NOT_RECOGNISED = "Your update cannot be made as the '#/participant_id' is not recognised. Check participant details and try again."
COURSE_NOT_RECOGNISED = "The entered '#/course_identifier' is not recognised for the given participant. Check details and try again."
COURSE_BLANK = "Enter a '#/course_identifier' value for this participant."
REASON_INVALID = "The property '#/reason' must be a valid reason"
WITHDRAWN = "Cannot perform actions on a withdrawn participant"

ROUTES = ["/api/v1/participants/ecf/{id}/{action}", "/api/v1/participants/{id}/{action}"]


def body(**attributes):
    return {"data": {"type": "participant-action", "attributes": attributes}}


def put(client, route, ir, action, **attributes):
    path = route.format(id=ir.training_record.participant_id, action=action)
    return client.put_json(path, body(**attributes))


def ok(response):
    assert response.status_code == 200, response.content
    assert_matches_contract(response)
    return response.json()["data"]


def assert_422(response, errors):
    assert response.status_code == 422
    assert response.json() == {"errors": [{"title": title, "detail": detail} for title, detail in errors]}


@pytest.mark.parametrize("route", ROUTES)
def test_defer_answers_with_the_deferred_flat_item(provider_client, lead_provider, route):
    ir = enrol(lead_provider=lead_provider)

    data = ok(
        put(provider_client, route, ir, "defer", course_identifier="ecf-induction", reason="career-break")
    )

    assert data["id"] == str(ir.training_record.participant_id)
    assert data["type"] == "participant"
    assert data["attributes"]["training_status"] == "deferred"
    assert data["attributes"]["training_record_id"] == str(ir.training_record_id)
    assert set(data["attributes"]) == set(
        provider_client.get(f"/api/v1/participants/ecf/{data['id']}").json()["data"]["attributes"]
    )
    change = TrainingStatusChange.objects.get()
    assert (change.to_status, change.reason, change.lead_provider) == (
        "deferred",
        "career-break",
        lead_provider,
    )
    current = InductionRecord.objects.get(training_record=ir.training_record, end_date__isnull=True)
    assert current.training_status == "deferred"


@pytest.mark.parametrize("route", ROUTES)
def test_resume_and_withdraw(provider_client, lead_provider, route):
    ir = enrol(lead_provider=lead_provider, training_status="deferred")

    resumed = ok(put(provider_client, route, ir, "resume", course_identifier="ecf-induction"))
    assert resumed["attributes"]["training_status"] == "active"
    withdrawn = ok(
        put(provider_client, route, ir, "withdraw", course_identifier="ecf-induction", reason="moved-school")
    )
    assert withdrawn["attributes"]["training_status"] == "withdrawn"
    assert list(
        TrainingStatusChange.objects.order_by("changed_at", "id").values_list("to_status", flat=True)
    ) == [
        "active",
        "withdrawn",
    ]


@pytest.mark.parametrize("route", ROUTES)
def test_change_schedule(provider_client, lead_provider, route):
    ir = enrol(lead_provider=lead_provider)

    data = ok(
        put(
            provider_client,
            route,
            ir,
            "change-schedule",
            course_identifier="ecf-induction",
            schedule_identifier="ecf-standard-january",
        )
    )

    assert data["attributes"]["schedule_identifier"] == "ecf-standard-january"
    assert data["attributes"]["cohort"] == "2024"
    assert data["attributes"]["training_status"] == "active"


def test_a_mentor_action_answers_with_the_mentor_record(provider_client, lead_provider):
    ect = enrol(lead_provider=lead_provider)
    mentor = enrol(
        lead_provider=lead_provider, participant=ect.training_record.participant, participant_type="mentor"
    )

    data = ok(
        put(provider_client, ROUTES[0], mentor, "defer", course_identifier="ecf-mentor", reason="other")
    )

    assert data["attributes"]["training_record_id"] == str(mentor.training_record_id)
    assert data["attributes"]["participant_type"] == "mentor"
    assert data["attributes"]["training_status"] == "deferred"
    assert InductionRecord.objects.get(training_record=ect.training_record).training_status == "active"


def test_a_retired_id_acts_on_the_surviving_person(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    person = ir.training_record.participant
    retired = "55555555-5555-5555-5555-555555555555"
    ParticipantIdChange.objects.create(
        participant=person, from_participant_id=retired, to_participant_id=person.pk
    )

    response = provider_client.put_json(
        f"/api/v1/participants/{retired}/defer", body(course_identifier="ecf-induction", reason="other")
    )

    assert ok(response)["id"] == str(person.pk)


def test_the_answer_comes_from_the_relevant_record_even_under_a_challenged_partnership(
    provider_client, lead_provider
):
    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024), challenged=True)
    ir = enrol(partnership=partnership)

    data = ok(put(provider_client, ROUTES[0], ir, "defer", course_identifier="ecf-induction", reason="other"))

    assert data["attributes"]["training_status"] == "deferred"
    assert data["attributes"]["school_urn"] == partnership.school.urn


@pytest.mark.parametrize("route", ROUTES)
def test_another_providers_participant_is_not_recognised(provider_client, other_lead_provider, route):
    ir = enrol(lead_provider=other_lead_provider)
    response = put(provider_client, route, ir, "defer", course_identifier="ecf-induction", reason="other")
    assert_422(response, [("participant_id", NOT_RECOGNISED)])
    assert TrainingStatusChange.objects.count() == 0


@pytest.mark.parametrize("participant_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_unknown_or_malformed_id_is_422(provider_client, participant_id):
    response = provider_client.put_json(
        f"/api/v1/participants/ecf/{participant_id}/resume", body(course_identifier="ecf-induction")
    )
    assert_422(response, [("participant_id", NOT_RECOGNISED)])


def test_blank_course_identifier(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    response = put(provider_client, ROUTES[1], ir, "resume", course_identifier="")
    assert_422(response, [("course_identifier", f"{COURSE_NOT_RECOGNISED}, {COURSE_BLANK}")])


def test_invalid_reason(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    response = put(
        provider_client, ROUTES[0], ir, "withdraw", course_identifier="ecf-induction", reason="bored"
    )
    assert_422(response, [("reason", REASON_INVALID)])


@pytest.mark.parametrize(
    ("status", "action", "attributes", "detail"),
    [
        ("deferred", "defer", {"reason": "other"}, "The participant is already deferred"),
        ("active", "resume", {}, "The participant is already active"),
        ("withdrawn", "withdraw", {"reason": "other"}, "The participant is already withdrawn"),
    ],
)
def test_status_rules(provider_client, lead_provider, status, action, attributes, detail):
    ir = enrol(lead_provider=lead_provider, training_status=status)
    response = put(provider_client, ROUTES[0], ir, action, course_identifier="ecf-induction", **attributes)
    assert_422(response, [("participant_profile", detail)])


def test_change_schedule_of_a_withdrawn_participant(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider, training_status="withdrawn")
    response = put(
        provider_client,
        ROUTES[1],
        ir,
        "change-schedule",
        course_identifier="ecf-induction",
        schedule_identifier="ecf-standard-january",
    )
    assert_422(response, [("participant_id", WITHDRAWN)])


@pytest.mark.parametrize("payload", [None, {}, {"data": "x"}, [1]])
def test_a_body_without_data_is_400(provider_client, lead_provider, payload):
    ir = enrol(lead_provider=lead_provider)
    response = provider_client.put_json(
        f"/api/v1/participants/ecf/{ir.training_record.participant_id}/defer", payload
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["title"] == "Bad request"


@pytest.mark.parametrize("route", ROUTES)
def test_without_a_token_is_401(anonymous_client, route):
    path = route.format(id="00000000-0000-0000-0000-000000000000", action="defer")
    response = anonymous_client.put(path, data=body(course_identifier="ecf-induction"), format="json")
    assert response.status_code == 401
    assert set(response.json()) == {"error"}
