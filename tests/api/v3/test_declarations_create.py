"""POST /api/v3/participant-declarations: resolution, the ordered rules and creation."""

import datetime as dt

import pytest

from declarations import exceptions as texts
from declarations.models import Declaration, DeclarationAttempt
from statements.models import StatementLineItem
from tests.declarations.helpers import (
    URL,
    attempts,
    change_training_status,
    counts,
    history,
    nothing_created,
    wire,
)
from tests.factories.declarations import DeclarationFactory, declaration_body, output_statement
from tests.factories.participants import ParticipantFactory, enrol

pytestmark = pytest.mark.django_db

DATE = "2024-10-01T09:30:00Z"


@pytest.fixture
def statement(lead_provider):
    return output_statement(lead_provider, 2024)


@pytest.fixture
def ect(lead_provider, statement):
    """A fundable 2024 ECT trained by the provider, with an open output statement."""
    return enrol(lead_provider=lead_provider)


def person(enrolment):
    return enrolment.training_record.participant


def post(client, participant_id, **attributes):
    return client.post_json(URL, declaration_body(participant_id, **attributes))


def errors(*pairs):
    return {"errors": [{"title": title, "detail": detail} for title, detail in pairs]}


# --- acceptance scenarios -------------------------------------------------------------------------------


def test_fundable_ect_started_is_eligible_on_the_next_output_statement(provider_client, ect, statement):
    response = post(provider_client, person(ect).id)

    assert response.status_code == 200
    declaration = Declaration.objects.get()
    assert response.json() == {"data": wire(declaration, statement_id=str(statement.id))}
    assert declaration.state == "eligible"
    assert declaration.cohort.start_year == 2024
    assert declaration.training_record == ect.training_record
    assert declaration.delivery_partner == ect.induction_programme.partnership.delivery_partner
    line = StatementLineItem.objects.get()
    assert (line.statement, line.kind, line.state) == (statement, "output", "eligible")
    assert history(declaration) == [(None, "submitted", None), ("submitted", "eligible", None)]
    attempt = DeclarationAttempt.objects.get()
    assert attempt.declaration == declaration
    assert (attempt.declaration_type, attempt.declaration_date, attempt.course_identifier) == (
        "started",
        DATE,
        "ecf-induction",
    )
    assert attempt.token == provider_client.token


def test_non_fundable_participant_stays_submitted_without_line_item(
    provider_client, lead_provider, statement
):
    enrolment = enrol(lead_provider=lead_provider, not_yet_eligible=True)

    response = post(provider_client, person(enrolment).id)

    assert response.status_code == 200
    declaration = Declaration.objects.get()
    assert response.json() == {"data": wire(declaration)}
    assert declaration.state == "submitted"
    assert StatementLineItem.objects.count() == 0
    assert history(declaration) == [(None, "submitted", None)]


def test_exact_resubmission_returns_the_existing_declaration(provider_client, ect):
    first = post(provider_client, person(ect).id)

    again = post(provider_client, person(ect).id)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert Declaration.objects.count() == 1
    assert attempts() == 2
    assert DeclarationAttempt.objects.filter(declaration__isnull=False).count() == 2


def test_exact_resubmission_is_idempotent_even_when_the_cohort_has_since_closed(
    provider_client, ect, statement
):
    first = post(provider_client, person(ect).id)
    type(statement).objects.filter(pk=statement.pk).update(deadline_date=dt.date(2024, 1, 1))  # cohort closed

    again = post(provider_client, person(ect).id)

    assert again.status_code == 200
    assert again.json()["data"]["id"] == first.json()["data"]["id"]


def test_same_slot_with_another_date_is_refused_as_base(provider_client, ect):
    post(provider_client, person(ect).id)
    before = counts()

    response = post(provider_client, person(ect).id, declaration_date="2024-10-02T09:30:00Z")

    assert response.status_code == 422
    assert response.json() == errors(("base", texts.DECLARATION_ALREADY_EXISTS))
    assert counts() == before
    assert attempts() == 2


def test_same_slot_with_other_evidence_is_refused_as_base(provider_client, lead_provider, statement):
    enrolment = enrol(lead_provider=lead_provider)
    body = {"declaration_type": "retained-1", "declaration_date": "2025-02-01T10:00:00Z"}
    assert post(provider_client, person(enrolment).id, evidence_held="other", **body).status_code == 200

    response = post(provider_client, person(enrolment).id, evidence_held="training-event-attended", **body)

    assert response.status_code == 422
    assert response.json() == errors(("base", texts.DECLARATION_ALREADY_EXISTS))
    assert Declaration.objects.count() == 1


def test_identical_copy_from_another_provider_is_refused(provider_client, other_provider_client, ect):
    post(provider_client, person(ect).id)
    output_statement(other_provider_client.lead_provider, 2024)

    response = post(other_provider_client, person(ect).id)

    # Rule #11 is not scoped to the provider, and #14 then does not run.
    assert response.status_code == 422
    assert response.json() == errors(("base", texts.DECLARATION_ALREADY_EXISTS))
    assert Declaration.objects.count() == 1


def test_resubmission_after_void_creates_a_second_declaration(provider_client, ect):
    first = post(provider_client, person(ect).id).json()["data"]["id"]
    assert provider_client.put_json(f"{URL}/{first}/void").status_code == 200

    response = post(provider_client, person(ect).id)

    assert response.status_code == 200
    assert response.json()["data"]["id"] != first
    assert Declaration.objects.count() == 2


@pytest.mark.parametrize("old_state", ["ineligible", "awaiting_clawback", "clawed_back"])
def test_slot_reopens_after_non_live_states(provider_client, ect, lead_provider, old_state):
    DeclarationFactory(
        lead_provider=lead_provider,
        enrolment=ect,
        state=old_state,
        declaration_date=dt.datetime(2024, 10, 2, 9, 30, tzinfo=dt.UTC),
    )

    response = post(provider_client, person(ect).id)

    assert response.status_code == 200
    assert Declaration.objects.count() == 2


def test_duplicate_by_trn_is_ineligible(provider_client, other_lead_provider, ect, statement):
    twin = enrol(lead_provider=other_lead_provider, participant=ParticipantFactory(trn=person(ect).trn))
    original = DeclarationFactory(lead_provider=other_lead_provider, enrolment=twin, paid=True)

    response = post(provider_client, person(ect).id)

    assert response.status_code == 200
    declaration = Declaration.objects.exclude(pk=original.pk).get()
    assert response.json() == {
        "data": wire(declaration, ineligible_for_funding_reason="duplicate_declaration")
    }
    assert declaration.state == "ineligible"
    assert declaration.superseded_by == original
    assert history(declaration) == [(None, "submitted", None), ("submitted", "ineligible", "duplicate")]
    line = StatementLineItem.objects.get(declaration=declaration)
    assert (line.statement, line.state) == (statement, "ineligible")


@pytest.fixture
def refused_duplicate(provider_client, other_lead_provider, ect):
    """The provider's declaration for a teacher already paid for under another registration (same TRN):
    refused as a duplicate, `ineligible`, with a line on the next statement."""
    twin = enrol(lead_provider=other_lead_provider, participant=ParticipantFactory(trn=person(ect).trn))
    DeclarationFactory(lead_provider=other_lead_provider, enrolment=twin, paid=True)
    response = post(provider_client, person(ect).id)
    assert response.json()["data"]["attributes"]["state"] == "ineligible"
    return Declaration.objects.get(pk=response.json()["data"]["id"]), response.json()


def test_retries_of_a_refused_duplicate_return_it_unchanged(provider_client, ect, refused_duplicate):
    declaration, first = refused_duplicate
    before = counts()

    responses = [post(provider_client, person(ect).id) for _ in range(2)]

    assert [response.status_code for response in responses] == [200, 200]
    assert [response.json() for response in responses] == [first, first]
    assert counts() == before  # no declaration, history row or statement line added
    assert Declaration.objects.filter(participant=person(ect)).get() == declaration
    assert StatementLineItem.objects.filter(declaration=declaration).count() == 1
    assert attempts() == 3
    assert DeclarationAttempt.objects.filter(declaration=declaration).count() == 3


def test_retry_of_a_refused_duplicate_answers_even_when_the_rules_would_now_refuse_it(
    provider_client, ect, statement, refused_duplicate
):
    _, first = refused_duplicate
    type(statement).objects.filter(pk=statement.pk).update(deadline_date=dt.date(2024, 1, 1))  # cohort closed

    response = post(provider_client, person(ect).id)

    assert response.status_code == 200
    assert response.json() == first


@pytest.mark.parametrize(
    "changed",
    [
        {"declaration_date": "2024-10-02T09:30:00Z"},
        {"evidence_held": "training-event-attended", "declaration_type": "retained-1",
         "declaration_date": "2025-02-01T10:00:00Z"},
    ],
    ids=["another-date", "another-type-and-evidence"],
)  # fmt: skip
def test_a_changed_request_after_a_refused_duplicate_is_judged_afresh(
    provider_client, ect, refused_duplicate, changed
):
    declaration, _ = refused_duplicate

    response = post(provider_client, person(ect).id, **changed)

    assert response.status_code == 200
    assert response.json()["data"]["id"] != str(declaration.pk)
    assert Declaration.objects.filter(participant=person(ect)).count() == 2
    assert StatementLineItem.objects.filter(declaration__participant=person(ect)).count() == 2


def test_another_providers_identical_request_is_not_a_retry_of_a_refused_duplicate(
    provider_client, other_provider_client, ect, refused_duplicate
):
    """The retry is the provider's own: another provider sending the same attributes is judged by the rules
    (here: it does not train the participant)."""
    output_statement(other_provider_client.lead_provider, 2024)

    response = post(other_provider_client, person(ect).id)

    assert response.status_code == 422
    assert response.json() == errors(("participant_id", texts.INVALID_PARTICIPANT))
    assert Declaration.objects.filter(participant=person(ect)).count() == 1


def test_duplicate_of_earliest_unsuperseded_declaration(provider_client, other_lead_provider, ect):
    trn = person(ect).trn
    first = DeclarationFactory(
        lead_provider=other_lead_provider,
        enrolment=enrol(lead_provider=other_lead_provider, participant=ParticipantFactory(trn=trn)),
        eligible=True,
    )
    DeclarationFactory(
        lead_provider=other_lead_provider,
        enrolment=enrol(lead_provider=other_lead_provider, participant=ParticipantFactory(trn=trn)),
        eligible=True,
    )

    post(provider_client, person(ect).id)

    assert Declaration.objects.get(participant=person(ect)).superseded_by == first


def test_voided_declaration_of_same_trn_is_not_a_duplicate(provider_client, other_lead_provider, ect):
    twin = enrol(lead_provider=other_lead_provider, participant=ParticipantFactory(trn=person(ect).trn))
    DeclarationFactory(lead_provider=other_lead_provider, enrolment=twin, voided=True)

    response = post(provider_client, person(ect).id)

    assert response.json()["data"]["attributes"]["state"] == "eligible"


def test_duplicate_with_no_open_statement_is_saved_unattached(
    provider_client, lead_provider, other_lead_provider
):
    # Non-fundable, so rule #9 does not apply; the duplicate has nowhere to go and is kept unattached.
    enrolment = enrol(lead_provider=lead_provider, not_yet_eligible=True)
    twin = enrol(lead_provider=other_lead_provider, participant=ParticipantFactory(trn=person(enrolment).trn))
    DeclarationFactory(lead_provider=other_lead_provider, enrolment=twin)

    response = post(provider_client, person(enrolment).id)

    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["state"] == "ineligible"
    assert response.json()["data"]["attributes"]["statement_id"] is None
    assert StatementLineItem.objects.count() == 0


def test_withdrawn_participant_only_before_the_withdrawal(provider_client, lead_provider, ect):
    withdrawn_at = dt.datetime(2024, 10, 1, 9, 30, tzinfo=dt.UTC)
    change_training_status(ect, lead_provider, to="withdrawn", at=withdrawn_at)

    after = post(provider_client, person(ect).id, declaration_date="2024-10-01T09:30:01Z")
    equal = post(provider_client, person(ect).id, declaration_date="2024-10-01T09:30:00Z")
    assert nothing_created()
    before = post(provider_client, person(ect).id, declaration_date="2024-10-01T09:29:59Z")

    message = texts.WITHDRAWN_BEFORE_DECLARATION.format(withdrawn_at="2024-10-01T09:30:00Z")
    assert after.status_code == 422
    assert after.json() == errors(("participant_id", message))
    assert equal.json() == errors(("participant_id", message))
    assert message == (
        "This participant withdrew from this course on 2024-10-01T09:30:00Z. "
        "Enter a '#/declaration_date' that's on or before the withdrawal date."
    )
    assert before.status_code == 200
    assert attempts() == 3


def test_withdrawal_by_another_provider_does_not_block(
    provider_client, lead_provider, other_lead_provider, ect
):
    change_training_status(
        ect, other_lead_provider, to="withdrawn", at=dt.datetime(2024, 9, 2, tzinfo=dt.UTC)
    )

    assert post(provider_client, person(ect).id).status_code == 200


def test_resumed_participant_is_not_blocked_by_an_older_withdrawal(provider_client, lead_provider, ect):
    change_training_status(ect, lead_provider, to="withdrawn", at=dt.datetime(2024, 9, 2, tzinfo=dt.UTC))
    change_training_status(ect, lead_provider, to="active", at=dt.datetime(2024, 9, 3, tzinfo=dt.UTC))

    assert post(provider_client, person(ect).id).status_code == 200


def test_deferred_participant_can_be_declared_for(provider_client, lead_provider, ect):
    change_training_status(ect, lead_provider, to="deferred", at=dt.datetime(2024, 9, 2, tzinfo=dt.UTC))

    response = post(provider_client, person(ect).id)

    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["state"] == "eligible"


@pytest.fixture
def statement_2025(lead_provider):
    return output_statement(lead_provider, 2025)


def test_2025_mentor_cannot_declare_retained(provider_client, lead_provider, statement_2025):
    mentor = enrol(lead_provider=lead_provider, participant_type="mentor", year=2025)

    response = post(
        provider_client,
        person(mentor).id,
        course_identifier="ecf-mentor",
        declaration_type="retained-1",
        declaration_date="2025-10-01T09:30:00Z",
        evidence_held="other",
    )

    assert response.status_code == 422
    assert response.json() == errors(("declaration_type", texts.RETAINED_NOT_ALLOWED_FOR_MENTOR))
    assert nothing_created()


def test_2025_mentor_missing_type_fails_the_mentor_rule_too(provider_client, lead_provider, statement_2025):
    mentor = enrol(lead_provider=lead_provider, participant_type="mentor", year=2025)

    response = post(
        provider_client,
        person(mentor).id,
        course_identifier="ecf-mentor",
        declaration_type=None,
        declaration_date="2025-10-01T09:30:00Z",
    )

    assert response.json() == errors(
        (
            "declaration_type",
            f"{texts.MISSING_DECLARATION_TYPE}, {texts.MISMATCH_DECLARATION_TYPE}, "
            f"{texts.RETAINED_NOT_ALLOWED_FOR_MENTOR}",
        )
    )


@pytest.mark.parametrize(
    ("declaration_type", "evidence"),
    [
        ("started", None),
        ("started", "materials-engaged-with-offline"),
        ("completed", "75-percent-engagement-met"),
    ],
)
def test_2025_mentor_started_and_completed_are_allowed(
    provider_client, lead_provider, statement_2025, declaration_type, evidence
):
    mentor = enrol(lead_provider=lead_provider, participant_type="mentor", year=2025)

    response = post(
        provider_client,
        person(mentor).id,
        course_identifier="ecf-mentor",
        declaration_type=declaration_type,
        declaration_date="2025-10-01T09:30:00Z",
        evidence_held=evidence,
    )

    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["evidence_held"] == evidence
    assert response.json()["data"]["attributes"]["mentor_id"] is None


def test_pre_2025_mentor_may_declare_retained(provider_client, lead_provider, statement):
    mentor = enrol(lead_provider=lead_provider, participant_type="mentor")

    response = post(
        provider_client,
        person(mentor).id,
        course_identifier="ecf-mentor",
        declaration_type="retained-1",
        declaration_date="2025-02-01T09:30:00Z",
        evidence_held="other",
    )

    assert response.status_code == 200


def test_2025_ect_retained_1_is_allowed(provider_client, lead_provider, statement_2025):
    enrolment = enrol(lead_provider=lead_provider, year=2025)

    response = post(
        provider_client,
        person(enrolment).id,
        declaration_type="retained-1",
        declaration_date="2025-10-01T09:30:00Z",
        evidence_held="materials-engaged-with-offline",
    )

    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["evidence_held"] == "materials-engaged-with-offline"


def test_2025_ect_retained_2_needs_engagement_evidence(provider_client, lead_provider, statement_2025):
    enrolment = enrol(lead_provider=lead_provider, year=2025)
    body = {"declaration_type": "retained-2", "declaration_date": "2025-10-01T09:30:00Z"}

    other = post(provider_client, person(enrolment).id, evidence_held="other", **body)
    missing = post(provider_client, person(enrolment).id, **body)
    assert nothing_created()
    met = post(
        provider_client,
        person(enrolment).id,
        evidence_held="75-percent-engagement-met-reduced-induction",
        **body,
    )

    assert other.status_code == 422
    assert other.json() == errors(("evidence_held", texts.INVALID_EVIDENCE_TYPE))
    assert missing.json() == errors(("evidence_held", texts.MISSING_EVIDENCE_HELD))
    assert met.status_code == 200


@pytest.mark.parametrize(
    ("declaration_type", "evidence", "ok"),
    [
        ("completed", "one-term-induction", True),
        ("completed", "75-percent-engagement-met", True),
        ("completed", "other", False),
        ("started", "75-percent-engagement-met", False),
        ("started", "", True),
        ("started", "nonsense", False),
        ("extended-1", "other", None),  # not on a standard schedule: rule #10
        ("retained-4", "self-study-material-completed", True),
    ],
)
def test_2025_ect_evidence_per_type(
    provider_client, lead_provider, statement_2025, declaration_type, evidence, ok
):
    enrolment = enrol(lead_provider=lead_provider, year=2025)

    response = post(
        provider_client,
        person(enrolment).id,
        declaration_type=declaration_type,
        declaration_date="2025-10-01T09:30:00Z",
        evidence_held=evidence,
    )

    if ok:
        assert response.status_code == 200
        assert response.json()["data"]["attributes"]["evidence_held"] == (evidence or None)
    elif ok is None:
        assert response.json() == errors(("declaration_type", texts.MISMATCH_DECLARATION_TYPE))
    else:
        assert response.json() == errors(("evidence_held", texts.INVALID_EVIDENCE_TYPE))


def test_2025_extended_schedule_accepts_extended_types(provider_client, lead_provider, statement_2025):
    enrolment = enrol(lead_provider=lead_provider, year=2025, schedule_identifier="ecf-extended-september")

    response = post(
        provider_client,
        person(enrolment).id,
        declaration_type="extended-2",
        declaration_date="2025-10-01T09:30:00Z",
        evidence_held="other",
    )

    assert response.status_code == 200


def test_pre_2025_started_evidence_is_discarded(provider_client, ect):
    response = post(provider_client, person(ect).id, evidence_held="anything")

    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["evidence_held"] is None
    assert Declaration.objects.get().evidence_held is None


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (None, ("evidence_held", texts.MISSING_EVIDENCE_HELD)),
        ("  ", ("evidence_held", texts.MISSING_EVIDENCE_HELD)),
        ("materials-engaged-with-offline", ("evidence_held", texts.INVALID_EVIDENCE_TYPE)),
        ("75-percent-engagement-met", ("evidence_held", texts.INVALID_EVIDENCE_TYPE)),
        ("training-event-attended", None),
        ("self-study-material-completed", None),
        ("other", None),
    ],
)
def test_pre_2025_retained_evidence(provider_client, ect, evidence, expected):
    response = post(
        provider_client,
        person(ect).id,
        declaration_type="retained-1",
        declaration_date="2025-02-01T09:30:00Z",
        evidence_held=evidence,
    )

    if expected is None:
        assert response.status_code == 200
        assert response.json()["data"]["attributes"]["evidence_held"] == evidence
    else:
        assert response.status_code == 422
        assert response.json() == errors(expected)
        assert nothing_created()


def test_no_open_output_statement_refuses_a_fundable_participant(provider_client, lead_provider):
    output_statement(lead_provider, 2024, deadline=dt.date(2024, 10, 31))  # deadline passed
    enrolment = enrol(lead_provider=lead_provider)

    response = post(provider_client, person(enrolment).id)

    assert response.status_code == 422
    assert response.json() == errors(("cohort", texts.NO_OUTPUT_FEE_STATEMENTS.format(year=2024)))
    assert texts.NO_OUTPUT_FEE_STATEMENTS.format(year=2024) == (
        "You cannot submit or void declarations for the 2024 cohort. The funding contract for this cohort has "
        "ended. Get in touch if you need to discuss this with us"
    )
    assert nothing_created()


@pytest.mark.parametrize(
    "statement_kwargs", [{"status": "payable"}, {"output_fee": False}], ids=["not-open", "service-fee-only"]
)
def test_only_open_output_fee_statements_count(provider_client, lead_provider, statement_kwargs):
    output_statement(lead_provider, 2024, **statement_kwargs)
    enrolment = enrol(lead_provider=lead_provider)

    response = post(provider_client, person(enrolment).id)

    assert response.json() == errors(("cohort", texts.NO_OUTPUT_FEE_STATEMENTS.format(year=2024)))


def test_statement_due_today_still_counts(provider_client, lead_provider):
    from config import clock

    output_statement(lead_provider, 2024, deadline=clock.today())
    enrolment = enrol(lead_provider=lead_provider)

    assert post(provider_client, person(enrolment).id).status_code == 200


def test_no_open_output_statement_accepts_a_non_fundable_participant(provider_client, lead_provider):
    enrolment = enrol(lead_provider=lead_provider, not_yet_eligible=True)

    response = post(provider_client, person(enrolment).id)

    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["state"] == "submitted"


def test_future_date_by_one_second_is_refused(provider_client, ect):
    now = {"HTTP_X_WITH_SERVER_DATE": "2024-10-01T09:30:00Z"}

    future = provider_client.post_json(
        URL, declaration_body(person(ect).id, declaration_date="2024-10-01T09:30:01Z"), **now
    )
    assert nothing_created()
    present = provider_client.post_json(URL, declaration_body(person(ect).id, declaration_date=DATE), **now)

    assert future.status_code == 422
    assert future.json() == errors(("declaration_date", texts.FUTURE_DATE))
    assert present.status_code == 200


# --- each rule broken on purpose ----------------------------------------------------------------------


def test_npq_course_short_circuits_everything(provider_client):
    response = provider_client.post_json(
        URL, {"data": {"attributes": {"course_identifier": "npq-leading-teaching"}}}
    )

    assert response.status_code == 422
    assert response.json() == errors(("course_identifier", texts.NPQ_COURSE_NO_LONGER_SUPPORTED))
    assert nothing_created()


def test_npq_course_with_known_participant_records_an_attempt(provider_client, ect):
    response = post(provider_client, person(ect).id, course_identifier="npq-senior-leadership")

    assert response.json() == errors(("course_identifier", "NPQ Courses are no longer supported"))
    assert attempts() == 1
    assert nothing_created()


def test_empty_attributes_give_three_errors_in_order(provider_client):
    response = provider_client.post_json(URL, {"data": {"type": "participant-declaration", "attributes": {}}})

    assert response.status_code == 422
    assert response.json() == errors(
        ("participant_id", texts.INVALID_PARTICIPANT),
        ("declaration_date", texts.MISSING_DECLARATION_DATE),
        ("declaration_type", texts.MISSING_DECLARATION_TYPE),
    )
    assert attempts() == 0


def test_data_without_attributes_is_validated_as_empty(provider_client):
    response = provider_client.post_json(URL, {"data": {"type": "participant-declaration"}})

    assert response.status_code == 422
    assert [error["title"] for error in response.json()["errors"]] == [
        "participant_id",
        "declaration_date",
        "declaration_type",
    ]


@pytest.mark.parametrize(
    "participant_id",
    ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000", 12345, ["x"], {"id": "x"}, None, True],
)
def test_unknown_participant(provider_client, ect, participant_id):
    response = provider_client.post_json(
        URL,
        {
            "data": {
                "attributes": {
                    "participant_id": participant_id,
                    "declaration_type": "started",
                    "declaration_date": DATE,
                    "course_identifier": "ecf-induction",
                }
            }
        },
    )

    assert response.status_code == 422
    assert response.json() == errors(("participant_id", texts.INVALID_PARTICIPANT))
    assert nothing_created()
    assert attempts() == 0


def test_invalid_participant_message_text():
    assert texts.INVALID_PARTICIPANT == (
        "Your update cannot be made as the '#/participant_id' is not recognised. "
        "Check participant details and try again."
    )


def test_retired_participant_id_resolves_to_the_surviving_person(provider_client, ect):
    import uuid

    from participants.models import ParticipantIdChange

    retired = uuid.uuid4()
    ParticipantIdChange.objects.create(
        participant=person(ect), from_participant_id=retired, to_participant_id=person(ect).id
    )

    response = post(provider_client, retired)

    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["participant_id"] == str(person(ect).id)


def test_participant_of_another_provider_is_not_recognised(other_provider_client, ect):
    output_statement(other_provider_client.lead_provider, 2024)

    response = post(other_provider_client, person(ect).id)

    assert response.status_code == 422
    assert response.json() == errors(("participant_id", texts.INVALID_PARTICIPANT))
    assert nothing_created()
    assert attempts() == 1


def test_provider_on_an_older_schedule_is_not_recognised(provider_client, lead_provider, ect):
    from participants.models import TrainingRecord
    from tests.factories.participants import schedule

    TrainingRecord.objects.filter(pk=ect.training_record_id).update(
        schedule=schedule(2024, "ecf-extended-september")
    )

    response = post(provider_client, person(ect).id)

    assert response.json() == errors(("participant_id", texts.INVALID_PARTICIPANT))


def test_rule_9_runs_before_14_for_another_providers_participant(other_provider_client, ect):
    # The requesting provider has no statement; the participant is fundable: #9 fires, #14 never runs.
    response = post(other_provider_client, person(ect).id)

    assert response.json() == errors(("cohort", texts.NO_OUTPUT_FEE_STATEMENTS.format(year=2024)))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-19-01T11:21:55Z", [texts.MISSING_DECLARATION_DATE, texts.INVALID_DECLARATION_DATE]),
        ("2024-02-30T10:00:00Z", [texts.MISSING_DECLARATION_DATE, texts.INVALID_DECLARATION_DATE]),
        ("2024-10-01T25:00:00Z", [texts.MISSING_DECLARATION_DATE, texts.INVALID_DECLARATION_DATE]),
        ("2024-10-01T09:60:00Z", [texts.MISSING_DECLARATION_DATE, texts.INVALID_DECLARATION_DATE]),
        ("01/10/2024", [texts.MISSING_DECLARATION_DATE, texts.INVALID_DECLARATION_DATE]),
        ("yesterday", [texts.MISSING_DECLARATION_DATE, texts.INVALID_DECLARATION_DATE]),
        ("2024-10-01T09:30:00+25:00", [texts.MISSING_DECLARATION_DATE, texts.INVALID_DECLARATION_DATE]),
        (20241001, [texts.MISSING_DECLARATION_DATE, texts.INVALID_DECLARATION_DATE]),
        ("2024-10-01 09:30:00", [texts.INVALID_DECLARATION_DATE]),
        ("2024-10-01", [texts.INVALID_DECLARATION_DATE]),
        ("2024-10-01T09:30", [texts.INVALID_DECLARATION_DATE]),
        ("2024-10-01T09:30:00 UTC", [texts.INVALID_DECLARATION_DATE]),
        ("", [texts.MISSING_DECLARATION_DATE]),
        ("   ", [texts.MISSING_DECLARATION_DATE]),
        (None, [texts.MISSING_DECLARATION_DATE]),
        ([], [texts.MISSING_DECLARATION_DATE]),
        (["2024-10-01T09:30:00Z"], [texts.MISSING_DECLARATION_DATE]),
        ({"date": "2024-10-01T09:30:00Z"}, [texts.MISSING_DECLARATION_DATE]),
    ],
)
def test_bad_declaration_dates(provider_client, ect, raw, expected):
    response = post(provider_client, person(ect).id, declaration_date=raw)

    assert response.status_code == 422
    assert response.json() == errors(("declaration_date", ", ".join(expected)))
    assert nothing_created()
    assert attempts() == 1


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("2024-10-01T09:30:00Z", dt.datetime(2024, 10, 1, 9, 30, tzinfo=dt.UTC)),
        ("2024-10-01t09:30:00z", dt.datetime(2024, 10, 1, 9, 30, tzinfo=dt.UTC)),
        ("2024-10-01T09:30:00", dt.datetime(2024, 10, 1, 9, 30, tzinfo=dt.UTC)),
        ("2024-10-01T10:30:00+01:00", dt.datetime(2024, 10, 1, 9, 30, tzinfo=dt.UTC)),
        ("2024-10-01T10:30:00+0100", dt.datetime(2024, 10, 1, 9, 30, tzinfo=dt.UTC)),
        ("2024-10-01T08:30:00-01", dt.datetime(2024, 10, 1, 9, 30, tzinfo=dt.UTC)),
        ("2024-10-01T09:30:00.250Z", dt.datetime(2024, 10, 1, 9, 30, 0, 250000, tzinfo=dt.UTC)),
        ("2024-10-01T09:30:00,5Z", dt.datetime(2024, 10, 1, 9, 30, 0, 500000, tzinfo=dt.UTC)),
        ("2024-10-01T09:30:00.123456789Z", dt.datetime(2024, 10, 1, 9, 30, 0, 123456, tzinfo=dt.UTC)),
    ],
)
def test_accepted_date_formats_are_stored_in_utc(provider_client, ect, raw, stored):
    response = post(provider_client, person(ect).id, declaration_date=raw)

    assert response.status_code == 200
    assert Declaration.objects.get().declaration_date == stored


def test_missing_type_also_reports_the_schedule_mismatch(provider_client, ect):
    response = post(provider_client, person(ect).id, declaration_type="")

    assert response.status_code == 422
    assert response.json() == errors(
        ("declaration_type", f"{texts.MISSING_DECLARATION_TYPE}, {texts.MISMATCH_DECLARATION_TYPE}")
    )
    assert nothing_created()


@pytest.mark.parametrize("declaration_type", ["retained-9", "extended-1", "STARTED", 7, ["started"]])
def test_type_not_on_the_schedule(provider_client, ect, declaration_type):
    response = post(provider_client, person(ect).id, declaration_type=declaration_type)

    assert response.status_code == 422
    expected = (
        f"{texts.MISSING_DECLARATION_TYPE}, {texts.MISMATCH_DECLARATION_TYPE}"
        if isinstance(declaration_type, list)
        else texts.MISMATCH_DECLARATION_TYPE
    )
    assert response.json() == errors(("declaration_type", expected))
    assert nothing_created()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-31T23:59:59Z", texts.BEFORE_MILESTONE_START),
        ("2024-06-01T00:00:00Z", None),
        ("2024-06-01T00:30:00+01:00", texts.BEFORE_MILESTONE_START),
        ("2024-12-31T23:59:59Z", None),
        ("2024-12-31T23:59:59.999999Z", None),
        ("2025-01-01T00:00:00Z", texts.AFTER_MILESTONE_CUTOFF),
        ("2025-01-01T00:30:00+01:00", None),
    ],
)
def test_milestone_window_in_utc(provider_client, ect, raw, expected):
    response = post(provider_client, person(ect).id, declaration_date=raw)

    if expected is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 422
        assert response.json() == errors(("declaration_date", expected))
        assert nothing_created()


def test_rules_on_several_attributes_keep_their_order(provider_client, lead_provider, ect):
    change_training_status(ect, lead_provider, to="withdrawn", at=dt.datetime(2024, 9, 2, tzinfo=dt.UTC))

    response = post(
        provider_client, person(ect).id, declaration_date="2024-10-01 10:00:00", declaration_type=""
    )

    assert response.json() == errors(
        ("participant_id", texts.WITHDRAWN_BEFORE_DECLARATION.format(withdrawn_at="2024-09-02T00:00:00Z")),
        # #4 (type) fires before #6 (date format), so the type key comes first.
        ("declaration_type", f"{texts.MISSING_DECLARATION_TYPE}, {texts.MISMATCH_DECLARATION_TYPE}"),
        ("declaration_date", texts.INVALID_DECLARATION_DATE),
    )


def test_withdrawn_rule_uses_the_lenient_date(provider_client, lead_provider, ect):
    change_training_status(ect, lead_provider, to="withdrawn", at=dt.datetime(2024, 9, 2, tzinfo=dt.UTC))

    response = post(provider_client, person(ect).id, declaration_date="2024-10-01 09:30:00")

    assert [error["title"] for error in response.json()["errors"]] == ["participant_id", "declaration_date"]


@pytest.mark.parametrize("course", [None, "", "ecf-mentor", "foo", 1, ["ecf-induction"]])
def test_course_not_recognised_for_the_participant(provider_client, ect, course):
    response = post(provider_client, person(ect).id, course_identifier=course)

    assert response.status_code == 422
    assert response.json() == errors(("course_identifier", texts.INVALID_COURSE))
    assert nothing_created()
    assert attempts() == 1


def test_mentor_declared_as_ect_is_not_recognised(provider_client, lead_provider, statement):
    mentor = enrol(lead_provider=lead_provider, participant_type="mentor")

    response = post(provider_client, person(mentor).id, course_identifier="ecf-induction")

    assert response.json() == errors(("course_identifier", texts.INVALID_COURSE))


def test_person_with_both_roles_is_declared_per_course(provider_client, lead_provider, ect, statement):
    enrol(lead_provider=lead_provider, participant=person(ect), participant_type="mentor")

    as_ect = post(provider_client, person(ect).id)
    as_mentor = post(provider_client, person(ect).id, course_identifier="ecf-mentor")

    assert (as_ect.status_code, as_mentor.status_code) == (200, 200)
    assert sorted(Declaration.objects.values_list("course_identifier", flat=True)) == [
        "ecf-induction",
        "ecf-mentor",
    ]


def test_withdrawn_training_record_is_not_a_profile(provider_client, ect):
    from participants.models import TrainingRecord

    TrainingRecord.objects.filter(pk=ect.training_record_id).update(record_status="withdrawn")

    response = post(provider_client, person(ect).id)

    assert response.json() == errors(("course_identifier", texts.INVALID_COURSE))


def test_only_if_clean_rules_are_skipped_after_an_earlier_error(provider_client, ect):
    # Bad evidence would fail #15, but #5 already failed so #13–#15 are skipped.
    response = post(
        provider_client,
        person(ect).id,
        declaration_type="retained-1",
        declaration_date="2099-02-01T09:30:00Z",
        evidence_held="bogus",
    )

    assert response.json() == errors(
        ("declaration_date", f"{texts.FUTURE_DATE}, {texts.AFTER_MILESTONE_CUTOFF}")
    )


# --- creation details --------------------------------------------------------------------------------


def test_mentor_and_uplifts_are_captured_at_creation(provider_client, lead_provider, statement):
    mentor = enrol(lead_provider=lead_provider, participant_type="mentor")
    enrolment = enrol(lead_provider=lead_provider, sparsity_uplift=True)
    type(enrolment).objects.filter(pk=enrolment.pk).update(mentor=mentor.training_record)

    response = post(provider_client, person(enrolment).id)

    declaration = Declaration.objects.get()
    assert response.json()["data"]["attributes"]["mentor_id"] == str(person(mentor).id)
    assert (declaration.sparsity_uplift, declaration.pupil_premium_uplift) == (True, False)
    assert response.json()["data"]["attributes"]["uplift_paid"] is False  # not paid yet


def test_delivery_partner_comes_from_the_record_current_at_the_declaration_date(
    provider_client, lead_provider, ect, statement
):
    from participants.models import InductionRecord
    from tests.factories.partnerships import InductionProgrammeFactory, PartnershipFactory, cohort

    later_partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))
    later = InductionRecord.objects.create(
        training_record=ect.training_record,
        induction_programme=InductionProgrammeFactory(
            school_cohort=ect.training_record.school_cohort, partnership=later_partnership
        ),
        schedule=ect.schedule,
        start_date=dt.datetime(2024, 11, 1, tzinfo=dt.UTC),
    )
    type(ect).objects.filter(pk=ect.pk).update(end_date=later.start_date)

    october = post(provider_client, person(ect).id)
    november = post(
        provider_client,
        person(ect).id,
        declaration_type="retained-1",
        declaration_date="2025-02-01T00:00:00Z",
        evidence_held="other",
    )

    assert october.json()["data"]["attributes"]["delivery_partner_id"] == str(
        ect.induction_programme.partnership.delivery_partner_id
    )
    assert november.json()["data"]["attributes"]["delivery_partner_id"] == str(
        later_partnership.delivery_partner_id
    )


def test_mentor_completed_declaration_sets_and_void_clears_completion(
    provider_client, lead_provider, statement
):
    mentor = enrol(lead_provider=lead_provider, participant_type="mentor")

    response = post(
        provider_client,
        person(mentor).id,
        course_identifier="ecf-mentor",
        declaration_type="completed",
        declaration_date="2026-05-01T09:30:00Z",
        evidence_held="other",
    )
    assert response.status_code == 200
    record = mentor.training_record
    record.refresh_from_db()
    assert (record.mentor_completion_date, record.mentor_completion_reason) == (
        dt.date(2026, 5, 1),
        "completed_declaration_received",
    )

    provider_client.put_json(f"{URL}/{response.json()['data']['id']}/void")

    record.refresh_from_db()
    assert (record.mentor_completion_date, record.mentor_completion_reason) == (None, None)


def test_manual_mentor_completion_reason_is_kept(provider_client, lead_provider, statement):
    mentor = enrol(
        lead_provider=lead_provider,
        participant_type="mentor",
        mentor_completion_date=dt.date(2024, 8, 1),
        mentor_completion_reason="started_not_completed",
    )

    post(
        provider_client,
        person(mentor).id,
        course_identifier="ecf-mentor",
        declaration_type="completed",
        declaration_date="2026-05-01T09:30:00Z",
        evidence_held="other",
    )

    record = mentor.training_record
    record.refresh_from_db()
    assert record.mentor_completion_reason == "started_not_completed"


def test_unknown_attributes_and_has_passed_are_ignored(provider_client, ect):
    response = post(provider_client, person(ect).id, has_passed=True, colour="blue")

    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["has_passed"] is None


# --- malformed bodies ---------------------------------------------------------------------------------

BAD_STRUCTURE = {
    "errors": [
        {"title": "Bad request", "detail": "correct json data structure required. See API docs for reference"}
    ]
}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"attributes": {}},
        {"data": None},
        {"data": "x"},
        {"data": []},
        [],
        "text",
        3,
        {"data": {"attributes": []}},
    ],
)
def test_bodies_without_a_data_object(provider_client, body):
    response = provider_client.post_json(URL, body)

    assert response.status_code == 400
    assert response.json() == BAD_STRUCTURE
    assert nothing_created()


def test_malformed_json(provider_client):
    response = provider_client.post(URL, data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == BAD_STRUCTURE


def test_unauthenticated_post(anonymous_client):
    response = anonymous_client.post(URL, data={}, format="json")

    assert response.status_code == 401


def test_post_uses_a_bounded_number_of_queries(provider_client, ect, django_assert_max_num_queries):
    with django_assert_max_num_queries(50):  # ~30 for the submission, the rest auth, rate limit and audit
        response = post(provider_client, person(ect).id)
    assert response.status_code == 200


ODD_VALUES = [
    1,
    -1.5,
    True,
    False,
    None,
    [],
    ["started"],
    {},
    {"nested": {"deep": [1, 2]}},
    "",
    "x" * 5000,
    "\x00",
    "started\x00",
    "\ud800",
    "2024-10-01T09:30:00\x00Z",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "0000-01-01T00:00:00Z",
    "NaN",
]


@pytest.fixture
def no_request_audit(monkeypatch):
    """The API request audit cannot store NUL characters; in autocommit it just skips the row, but inside a
    test's transaction the failed insert would abort it. Not what these tests are about."""
    from config.api.middleware import ApiRequestAuditMiddleware

    monkeypatch.setattr(ApiRequestAuditMiddleware, "_record", lambda *args, **kwargs: None)


def post_raw(client, participant_id, attributes):
    """Sent as ASCII-escaped JSON text, so lone surrogates travel as the JSON escapes a client would send."""
    import json

    body = declaration_body(participant_id)
    body["data"]["attributes"].update(attributes)
    return client.post(URL, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    "attribute",
    ["participant_id", "declaration_type", "declaration_date", "course_identifier", "evidence_held"],
)
def test_odd_attribute_values_never_give_a_server_error(provider_client, ect, attribute, no_request_audit):
    for value in ODD_VALUES:
        response = post_raw(provider_client, person(ect).id, {attribute: value})

        assert response.status_code in (200, 422), (attribute, value, response.content)
        assert "errors" in response.json() or "data" in response.json()
        if response.status_code == 200:  # only an ignored evidence value on a pre-2025 `started` succeeds
            assert attribute == "evidence_held"
            provider_client.put_json(f"{URL}/{response.json()['data']['id']}/void")


def test_odd_values_are_recorded_harmlessly_in_the_attempt(provider_client, ect, no_request_audit):
    post_raw(provider_client, person(ect).id, {"declaration_type": "x\x00" + "y" * 300})

    attempt = DeclarationAttempt.objects.get()
    assert attempt.declaration_type == "x\ufffd" + "y" * 253
