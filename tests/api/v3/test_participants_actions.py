"""PUT /api/v3/participants/ecf/{id}/defer|resume|withdraw."""

import datetime as dt

import pytest

from participants.models import InductionRecord, Participant, ParticipantIdChange, TrainingStatusChange
from tests.factories.participants import enrol
from tests.factories.partnerships import PartnershipFactory, cohort

pytestmark = pytest.mark.django_db

NOT_RECOGNISED = "Your update cannot be made as the '#/participant_id' is not recognised. Check participant details and try again."
COURSE_NOT_RECOGNISED = "The entered '#/course_identifier' is not recognised for the given participant. Check details and try again."
COURSE_BLANK = "Enter a '#/course_identifier' value for this participant."
REASON_BLANK = "The property '#/reason' must be present"
REASON_INVALID = "The property '#/reason' must be a valid reason"


def body(**attributes):
    return {"data": {"type": "participant-action", "attributes": attributes}}


def url(person_id, action):
    return f"/api/v3/participants/ecf/{person_id}/{action}"


def snapshot(ir):
    """Everything a refused action must leave untouched."""
    person = Participant.objects.get(pk=ir.training_record.participant_id)
    return (
        list(
            InductionRecord.objects.filter(training_record=ir.training_record)
            .order_by("pk")
            .values_list("pk", "training_status", "induction_status", "end_date")
        ),
        TrainingStatusChange.objects.count(),
        person.updated_at,
    )


def assert_refused(response, errors, ir, before):
    assert response.status_code == 422
    assert response.json() == {"errors": [{"title": t, "detail": d} for t, d in errors]}
    assert snapshot(ir) == before


# --- defer --------------------------------------------------------------------------------------------


def test_defer_closes_the_record_opens_a_deferred_copy_and_writes_one_history_row(
    provider_client, lead_provider
):
    ir = enrol(lead_provider=lead_provider)
    ir.school_transfer = True
    ir.preferred_email = "pref@example.com"
    ir.save()
    person = ir.training_record.participant
    before = Participant.objects.get(pk=person.pk).updated_at

    response = provider_client.put_json(
        url(person.pk, "defer"), body(course_identifier="ecf-induction", reason="career-break")
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == str(person.pk)
    [enrolment] = data["attributes"]["ecf_enrolments"]
    assert enrolment["training_status"] == "deferred"
    assert enrolment["participant_status"] == "active"
    assert enrolment["email"] == "pref@example.com"
    change = TrainingStatusChange.objects.get()
    assert enrolment["deferral"] == {
        "reason": "career-break",
        "date": change.changed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    ir.refresh_from_db()
    assert ir.induction_status == "changed"
    assert ir.end_date is not None
    assert ir.training_status == "active"
    copy = InductionRecord.objects.exclude(pk=ir.pk).get(training_record=ir.training_record)
    assert copy.training_status == "deferred"
    assert copy.start_date == ir.end_date
    assert copy.end_date is None
    assert copy.school_transfer is True
    assert copy.preferred_email == "pref@example.com"
    assert copy.induction_status == "active"
    assert (change.from_status, change.to_status, change.reason) == ("active", "deferred", "career-break")
    assert change.lead_provider == lead_provider
    assert change.induction_record == copy
    assert (change.actor_kind, change.actor_id) == ("provider_token", str(provider_client.token.pk))
    assert Participant.objects.get(pk=person.pk).updated_at > before


def test_action_on_a_future_record_edits_it_in_place(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    ir.start_date = dt.datetime(2099, 9, 1, tzinfo=dt.UTC)
    ir.save()

    response = provider_client.put_json(
        url(ir.training_record.participant_id, "defer"),
        body(course_identifier="ecf-induction", reason="other"),
    )

    assert response.status_code == 200
    assert InductionRecord.objects.filter(training_record=ir.training_record).count() == 1
    ir.refresh_from_db()
    assert (ir.training_status, ir.end_date, ir.induction_status) == ("deferred", None, "active")
    assert TrainingStatusChange.objects.get().induction_record == ir


def test_a_future_end_date_is_carried_to_the_copy(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    ir.end_date = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    ir.induction_status = "leaving"
    ir.save()

    provider_client.put_json(
        url(ir.training_record.participant_id, "withdraw"),
        body(course_identifier="ecf-induction", reason="moved-school"),
    )

    copy = InductionRecord.objects.exclude(pk=ir.pk).get(training_record=ir.training_record)
    assert copy.end_date == dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    assert copy.induction_status == "leaving"
    assert copy.training_status == "withdrawn"


@pytest.mark.parametrize(
    ("reason", "errors"),
    [
        (None, [("reason", f"{REASON_BLANK}, {REASON_INVALID}")]),
        ("", [("reason", f"{REASON_BLANK}, {REASON_INVALID}")]),
        ("holiday", [("reason", REASON_INVALID)]),
        ("moved-school", [("reason", REASON_INVALID)]),  # a withdraw reason
        (42, [("reason", REASON_INVALID)]),
    ],
)
def test_defer_reason_is_required_and_must_be_a_defer_reason(provider_client, lead_provider, reason, errors):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    attributes = {"course_identifier": "ecf-induction"}
    if reason is not None:
        attributes["reason"] = reason
    response = provider_client.put_json(url(ir.training_record.participant_id, "defer"), body(**attributes))
    assert_refused(response, errors, ir, before)


def test_defer_reason_is_checked_even_when_the_participant_is_unknown(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(
        url("00000000-0000-0000-0000-000000000000", "defer"),
        body(course_identifier="ecf-induction", reason="x"),
    )
    assert_refused(response, [("participant_id", NOT_RECOGNISED), ("reason", REASON_INVALID)], ir, before)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("deferred", "The participant is already deferred"),
        ("withdrawn", "The participant is already withdrawn"),
    ],
)
def test_defer_refused_from_deferred_and_withdrawn(provider_client, lead_provider, status, message):
    ir = enrol(lead_provider=lead_provider, training_status=status)
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir.training_record.participant_id, "defer"),
        body(course_identifier="ecf-induction", reason="other"),
    )
    assert_refused(response, [("participant_profile", message)], ir, before)


# --- shared resolution ------------------------------------------------------------------


@pytest.mark.parametrize("action", ["defer", "resume", "withdraw"])
def test_another_providers_participant_is_not_recognised(provider_client, other_lead_provider, action):
    ir = enrol(lead_provider=other_lead_provider, training_status="deferred")
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir.training_record.participant_id, action),
        body(course_identifier="ecf-induction", reason="other"),
    )
    assert_refused(response, [("participant_id", NOT_RECOGNISED)], ir, before)


@pytest.mark.parametrize("person_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "1"])
def test_unknown_or_malformed_id_is_422_never_404(provider_client, lead_provider, person_id):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(url(person_id, "resume"), body(course_identifier="ecf-induction"))
    assert_refused(response, [("participant_id", NOT_RECOGNISED)], ir, before)


def test_blank_course_identifier_for_a_known_person_joins_both_messages(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider, training_status="deferred")
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir.training_record.participant_id, "resume"), body(course_identifier="")
    )
    assert_refused(response, [("course_identifier", f"{COURSE_NOT_RECOGNISED}, {COURSE_BLANK}")], ir, before)


def test_missing_course_identifier_for_an_unknown_person(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(url("00000000-0000-0000-0000-000000000000", "resume"), body())
    assert_refused(
        response, [("participant_id", NOT_RECOGNISED), ("course_identifier", COURSE_BLANK)], ir, before
    )


@pytest.mark.parametrize("course", ["ecf-mentor", "npq-leading-teaching", 7])
def test_course_the_person_does_not_hold_is_not_recognised(provider_client, lead_provider, course):
    ir = enrol(lead_provider=lead_provider, training_status="deferred")
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir.training_record.participant_id, "resume"), body(course_identifier=course)
    )
    assert_refused(response, [("course_identifier", COURSE_NOT_RECOGNISED)], ir, before)


def test_withdrawn_training_record_is_not_recognised_for_its_course(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider, training_status="deferred", record_status="withdrawn")
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir.training_record.participant_id, "resume"), body(course_identifier="ecf-induction")
    )
    assert_refused(response, [("course_identifier", COURSE_NOT_RECOGNISED)], ir, before)


def test_actions_through_a_challenged_partnership_are_allowed(provider_client, lead_provider):
    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024), challenged=True)
    ir = enrol(partnership=partnership)
    response = provider_client.put_json(
        url(ir.training_record.participant_id, "defer"),
        body(course_identifier="ecf-induction", reason="other"),
    )
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["ecf_enrolments"] == []  # still hidden from GET
    assert TrainingStatusChange.objects.count() == 1


def test_a_retired_id_resolves_to_the_surviving_person(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    person = ir.training_record.participant
    ParticipantIdChange.objects.create(
        participant=person,
        from_participant_id="55555555-5555-5555-5555-555555555555",
        to_participant_id=person.pk,
    )
    response = provider_client.put_json(
        url("55555555-5555-5555-5555-555555555555", "defer"),
        body(course_identifier="ecf-induction", reason="other"),
    )
    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(person.pk)


def test_mentor_course_acts_on_the_mentor_record(provider_client, lead_provider):
    ect = enrol(lead_provider=lead_provider)
    person = ect.training_record.participant
    mentor = enrol(lead_provider=lead_provider, participant=person, participant_type="mentor")

    response = provider_client.put_json(
        url(person.pk, "withdraw"),
        body(course_identifier="ecf-mentor", reason="mentor-no-longer-being-mentor"),
    )

    assert response.status_code == 200
    statuses = {
        e["participant_type"]: e["training_status"]
        for e in response.json()["data"]["attributes"]["ecf_enrolments"]
    }
    assert statuses == {"ect": "active", "mentor": "withdrawn"}
    assert TrainingStatusChange.objects.get().training_record == mentor.training_record


@pytest.mark.parametrize("action", ["defer", "resume", "withdraw", "change-schedule"])
@pytest.mark.parametrize(
    "payload", [{}, {"attributes": {}}, {"data": "x"}, {"data": []}, {"data": {"attributes": "x"}}, []]
)
def test_bad_envelope_is_400(provider_client, lead_provider, action, payload):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(url(ir.training_record.participant_id, action), payload)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "title": "Bad request",
                "detail": "correct json data structure required. See API docs for reference",
            }
        ]
    }
    assert snapshot(ir) == before


def test_malformed_json_is_400(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    response = provider_client.put(
        url(ir.training_record.participant_id, "defer"), data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["title"] == "Bad request"


def test_data_without_attributes_is_validated(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir.training_record.participant_id, "resume"), {"data": {"type": "x"}}
    )
    assert_refused(response, [("course_identifier", f"{COURSE_NOT_RECOGNISED}, {COURSE_BLANK}")], ir, before)


def test_unauthenticated_action_is_401(anonymous_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    response = anonymous_client.put(url(ir.training_record.participant_id, "defer"), data={}, format="json")
    assert response.status_code == 401


# --- resume -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["deferred", "withdrawn"])
def test_resume_from_deferred_and_withdrawn(provider_client, lead_provider, status):
    ir = enrol(lead_provider=lead_provider, training_status=status)
    response = provider_client.put_json(
        url(ir.training_record.participant_id, "resume"),
        body(course_identifier="ecf-induction", reason="ignored"),
    )
    assert response.status_code == 200
    [enrolment] = response.json()["data"]["attributes"]["ecf_enrolments"]
    assert enrolment["training_status"] == "active"
    assert (enrolment["withdrawal"], enrolment["deferral"]) == (None, None)
    change = TrainingStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.reason) == (status, "active", None)


def test_resume_refused_when_already_active(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir.training_record.participant_id, "resume"), body(course_identifier="ecf-induction")
    )
    assert_refused(response, [("participant_profile", "The participant is already active")], ir, before)


# --- withdraw -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["active", "deferred"])
def test_withdraw_from_active_and_deferred(provider_client, lead_provider, status):
    ir = enrol(lead_provider=lead_provider, training_status=status)
    response = provider_client.put_json(
        url(ir.training_record.participant_id, "withdraw"),
        body(course_identifier="ecf-induction", reason="switched-to-school-led"),
    )
    assert response.status_code == 200
    [enrolment] = response.json()["data"]["attributes"]["ecf_enrolments"]
    assert enrolment["training_status"] == "withdrawn"
    assert enrolment["withdrawal"]["reason"] == "switched-to-school-led"
    change = TrainingStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.reason) == (
        status,
        "withdrawn",
        "switched-to-school-led",
    )


@pytest.mark.parametrize(
    ("reason", "errors"),
    [
        (None, [("reason", f"{REASON_BLANK}, {REASON_INVALID}")]),
        ("   ", [("reason", f"{REASON_BLANK}, {REASON_INVALID}")]),
        ("school-left-fip", [("reason", REASON_INVALID)]),  # renamed for 2025/26
        ("career-break", [("reason", REASON_INVALID)]),
        (["moved-school"], [("reason", REASON_INVALID)]),
    ],
)
def test_withdraw_reason_is_required_and_must_be_a_withdraw_reason(
    provider_client, lead_provider, reason, errors
):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    attributes = {"course_identifier": "ecf-induction"}
    if reason is not None:
        attributes["reason"] = reason
    response = provider_client.put_json(
        url(ir.training_record.participant_id, "withdraw"), body(**attributes)
    )
    assert_refused(response, errors, ir, before)


def test_withdraw_reason_is_not_checked_when_the_record_is_not_found(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(
        url("00000000-0000-0000-0000-000000000000", "withdraw"), body(course_identifier="ecf-induction")
    )
    assert_refused(response, [("participant_id", NOT_RECOGNISED)], ir, before)


def test_withdraw_refused_when_already_withdrawn(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider, training_status="withdrawn")
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir.training_record.participant_id, "withdraw"),
        body(course_identifier="ecf-induction", reason="other"),
    )
    assert_refused(response, [("participant_profile", "The participant is already withdrawn")], ir, before)


def test_withdraw_then_resume_then_defer_writes_one_row_each(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    person_id = ir.training_record.participant_id
    steps = [
        ("withdraw", "other", "withdrawn"),
        ("resume", None, "active"),
        ("defer", "bereavement", "deferred"),
    ]
    for count, (action, reason, status) in enumerate(steps, start=1):
        attributes = {"course_identifier": "ecf-induction", **({"reason": reason} if reason else {})}
        response = provider_client.put_json(url(person_id, action), body(**attributes))
        assert response.status_code == 200
        assert TrainingStatusChange.objects.count() == count
        assert response.json()["data"]["attributes"]["ecf_enrolments"][0]["training_status"] == status
    assert (
        InductionRecord.objects.filter(training_record=ir.training_record, end_date__isnull=True).count() == 1
    )


@pytest.mark.parametrize("action", ["defer", "resume", "withdraw", "change-schedule"])
@pytest.mark.parametrize(
    "attributes",
    [
        {"course_identifier": {"x": 1}, "reason": ["a"], "schedule_identifier": {"y": 2}, "cohort": [2024]},
        {"course_identifier": None, "reason": None, "schedule_identifier": None, "cohort": None},
        {"course_identifier": "ecf-induction", "reason": 3.5, "schedule_identifier": 9, "cohort": {"a": 1}},
        {
            "course_identifier": "ecf-induction",
            "reason": "\u0000",
            "schedule_identifier": "\u0000",
            "cohort": "-1",
        },
        {
            "course_identifier": True,
            "reason": False,
            "schedule_identifier": True,
            "cohort": 99999999999999999999,
        },
        {
            "course_identifier": "ecf-induction\u0000",
            "reason": "x",
            "schedule_identifier": "ecf\u0000",
            "cohort": "2024",
        },
        {
            "course_identifier": "ecf-induction",
            "reason": "x",
            "schedule_identifier": "ecf\u0000",
            "cohort": "2024",
        },
    ],
)
def test_odd_values_never_give_a_500(provider_client, lead_provider, action, attributes):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(url(ir.training_record.participant_id, action), body(**attributes))
    assert response.status_code == 422
    assert snapshot(ir) == before


@pytest.mark.parametrize("person_id", ["%00", "%E2%82%AC", "a" * 300])
def test_odd_ids_in_the_path_are_422(provider_client, lead_provider, person_id):
    response = provider_client.put_json(url(person_id, "resume"), body(course_identifier="ecf-induction"))
    assert response.status_code == 422
    assert response.json() == {"errors": [{"title": "participant_id", "detail": NOT_RECOGNISED}]}
