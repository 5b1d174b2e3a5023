"""The database, not only Python, refuses rows that break the invariants of 07."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django_fsm import TransitionNotAllowed

from config.actors import Actor
from config.history import HistoryRowError
from declarations.models import Declaration, DeclarationStateChange
from partnerships.models import Cohort, Partnership
from statements.models import CallOffContract, Statement, StatementLineItem
from tests.factories.participants import enrol
from tests.factories.partnerships import LeadProviderFactory, PartnershipFactory, cohort

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def declaration_for(record, **fields):
    values = {
        "participant": record.participant,
        "training_record": record,
        "lead_provider": LeadProviderFactory(name="Declaring provider"),
        "cohort": record.schedule.cohort,
        "declaration_type": "started",
        "declaration_date": dt.datetime(2024, 10, 1, tzinfo=dt.UTC),
        "course_identifier": "ecf-induction",
    }
    return Declaration.objects.create(**(values | fields))


def test_one_live_declaration_per_person_course_and_type_whatever_the_state():
    record = enrol().training_record
    declaration_for(record, state="paid")
    refused(lambda: declaration_for(record, state="submitted"))
    declaration_for(record, state="voided")  # not live: allowed
    declaration_for(record, declaration_type="retained-1")  # another slot


def test_voided_by_and_voided_at_come_together(django_user_model):
    record = enrol().training_record
    user = django_user_model.objects.create_user("u")
    refused(lambda: declaration_for(record, state="voided", voided_by=user))
    refused(
        lambda: declaration_for(record, state="eligible", voided_by=user, voided_at=dt.datetime.now(dt.UTC))
    )


def test_unknown_enum_values_are_refused():
    record = enrol().training_record
    refused(lambda: declaration_for(record, state="lost"))
    refused(lambda: declaration_for(record, declaration_type="retained-9"))


def test_state_field_changes_only_through_transitions():
    declaration = declaration_for(enrol().training_record)
    with pytest.raises(AttributeError):
        declaration.state = "paid"
    with pytest.raises(TransitionNotAllowed):
        declaration.pay()


def test_partnership_challenge_fields_match_status():
    partnership = PartnershipFactory()
    refused(lambda: Partnership.objects.filter(pk=partnership.pk).update(challenge_reason="mistake"))


def test_one_confirmed_partnership_per_school_and_cohort():
    partnership = PartnershipFactory()
    refused(lambda: PartnershipFactory(school=partnership.school, cohort=partnership.cohort))
    PartnershipFactory(school=partnership.school, cohort=partnership.cohort, relationship=True)


def test_one_statement_per_provider_cohort_and_month():
    provider = LeadProviderFactory()
    contract = CallOffContract.objects.create(
        lead_provider=provider, cohort=cohort(2024), recruitment_target=10
    )

    def statement(**fields):
        values = {
            "lead_provider": provider,
            "cohort": cohort(2024),
            "year": 2025,
            "month": 1,
            "deadline_date": dt.date(2024, 12, 31),
            "payment_date": dt.date(2025, 1, 25),
            "call_off_contract": contract,
        }
        return Statement.objects.create(**(values | fields))

    first = statement()
    refused(statement)
    refused(lambda: statement(month=13))
    refused(lambda: statement(month=2, deadline_date=dt.date(2025, 3, 1), payment_date=dt.date(2025, 2, 25)))

    declaration = declaration_for(enrol().training_record, state="eligible")
    StatementLineItem.objects.create(
        statement=first, declaration=declaration, kind="output", state="eligible"
    )
    refused(
        lambda: StatementLineItem.objects.create(
            statement=first, declaration=declaration, kind="output", state="eligible"
        )
    )
    refused(
        lambda: StatementLineItem.objects.create(
            statement=first, declaration=declaration, kind="clawback", state="paid"
        )
    )


def test_one_active_training_record_per_role():
    record = enrol().training_record
    refused(lambda: enrol(participant=record.participant))
    enrol(participant=record.participant, participant_type="mentor")


def test_cohort_years_are_bounded():
    refused(lambda: Cohort.objects.create(start_year=1999, academic_year_start_date=dt.date(1999, 9, 1)))


def test_history_rows_are_append_only():
    declaration = declaration_for(enrol().training_record)
    row = DeclarationStateChange.objects.create(
        declaration=declaration,
        to_state="submitted",
        **DeclarationStateChange.actor_fields(Actor.command("t")),
    )
    with pytest.raises(HistoryRowError):
        row.save()
    with pytest.raises(HistoryRowError):
        row.delete()
    refused(
        lambda: DeclarationStateChange.objects.create(
            declaration=declaration, to_state="submitted", actor_kind="robot", actor_id="x"
        )
    )


def test_money_rows_cannot_be_deleted_while_referenced():
    from django.db.models import ProtectedError

    record = enrol().training_record
    declaration_for(record)
    with pytest.raises(ProtectedError):
        record.participant.delete()
