"""The stored declaration visibility equals the computed rule (the selector's, v3; and the v1/v2 rule
without the leaving clause) through the changes that move it, and the check command finds drift."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef, Q

from config.actors import Actor
from declarations import selectors
from declarations.models import Declaration, DeclarationVisibility
from declarations.services import declaration_void
from declarations.visibility import drift, visible_declaration_ids, visible_declarations
from participants.models import InductionRecord, InductionStatus
from partnerships.models import LeadProvider
from tests.factories.declarations import DeclarationFactory
from tests.factories.participants import add_induction_record, enrol
from tests.factories.partnerships import LeadProviderFactory

pytestmark = pytest.mark.django_db
ACTOR = Actor.command("test")


def at(year, month, day):
    return dt.datetime(year, month, day, tzinfo=dt.UTC)


def v1_v2_rule(lead_provider):
    """Own declarations, plus live ones of people with an active or completed induction record with the
    provider (no leaving clause)."""
    trained = InductionRecord.objects.filter(
        training_record_id=OuterRef("training_record_id"),
        induction_programme__partnership__lead_provider=lead_provider,
        induction_status__in=[InductionStatus.ACTIVE, InductionStatus.COMPLETED],
    )
    return Declaration.objects.filter(
        Q(lead_provider=lead_provider) | (Q(state__in=Declaration.LIVE_STATES) & Exists(trained))
    )


def assert_stored_equals_computed():
    assert drift() == []
    for lead_provider in LeadProvider.objects.all():
        v3 = set(selectors.declarations_visible_by_rule(lead_provider=lead_provider, api_version="v3"))
        assert set(visible_declarations(lead_provider=lead_provider)) == v3, lead_provider
        assert set(visible_declaration_ids(lead_provider=lead_provider)) == {d.pk for d in v3}
        v1_v2 = set(v1_v2_rule(lead_provider))
        assert set(visible_declarations(lead_provider=lead_provider, include_leaving=False)) == v1_v2
        assert (
            set(selectors.declarations_visible_by_rule(lead_provider=lead_provider, api_version="v1"))
            == v1_v2
        )


@pytest.fixture
def providers():
    return (
        LeadProviderFactory(name="Ambition"),
        LeadProviderFactory(name="Best Practice"),
        LeadProviderFactory(name="Capita"),
    )


@pytest.fixture
def transferred(providers):
    """A person trained by the first provider (leaving at the end of 2024), then by the second."""
    first, second, _ = providers
    leaving = enrol(lead_provider=first)
    leaving.induction_status = InductionStatus.LEAVING
    leaving.end_date = at(2024, 12, 31)
    leaving.save()
    joining = add_induction_record(
        leaving.training_record, lead_provider=second, start_date=at(2025, 1, 1), school_transfer=True
    )
    return leaving, joining


def test_a_providers_own_declarations_in_every_state_and_nothing_for_strangers(providers):
    first, _, third = providers
    enrolment = enrol(lead_provider=first)
    kept = DeclarationFactory(lead_provider=first, enrolment=enrolment, eligible=True)
    voided = DeclarationFactory(
        lead_provider=first, enrolment=enrolment, declaration_type="retained-1", voided=True
    )

    assert set(visible_declarations(lead_provider=first)) == {kept, voided}
    assert list(visible_declaration_ids(lead_provider=first)) == sorted(
        [kept.pk, voided.pk], key=lambda pk: (Declaration.objects.get(pk=pk).created_at, pk)
    )
    assert list(visible_declarations(lead_provider=third)) == []
    assert_stored_equals_computed()


def test_a_transfer_shows_live_declarations_both_ways_with_the_leaving_clause_in_v3_only(
    providers, transferred
):
    first, second, third = providers
    leaving, _ = transferred
    by_first_before = DeclarationFactory(
        lead_provider=first, enrolment=leaving, declaration_date=at(2024, 10, 1)
    )
    by_second_after = DeclarationFactory(
        lead_provider=second,
        enrolment=leaving,
        declaration_type="retained-1",
        declaration_date=at(2025, 2, 1),
    )
    by_second_before = DeclarationFactory(
        lead_provider=second,
        enrolment=leaving,
        declaration_type="retained-2",
        declaration_date=at(2024, 11, 1),
    )

    assert set(visible_declarations(lead_provider=second)) == {
        by_first_before,
        by_second_after,
        by_second_before,
    }
    # The first provider sees the second's live declarations dated up to its record's end (v3 only).
    assert set(visible_declarations(lead_provider=first)) == {by_first_before, by_second_before}
    assert set(visible_declarations(lead_provider=first, include_leaving=False)) == {by_first_before}
    assert list(visible_declarations(lead_provider=third)) == []
    assert_stored_equals_computed()


def test_a_void_hides_it_from_every_other_provider_but_its_own(providers, transferred):
    first, second, _ = providers
    leaving, _ = transferred
    declaration = DeclarationFactory(lead_provider=first, enrolment=leaving, eligible=True)
    assert declaration in set(visible_declarations(lead_provider=second))

    declaration_void(declaration=declaration, actor=ACTOR)

    assert declaration not in set(visible_declarations(lead_provider=second))
    assert declaration in set(visible_declarations(lead_provider=first))
    assert_stored_equals_computed()


def test_a_new_or_changed_induction_record_moves_visibility(providers):
    first, second, _ = providers
    enrolment = enrol(lead_provider=first)
    declaration = DeclarationFactory(lead_provider=first, enrolment=enrolment)
    assert list(visible_declarations(lead_provider=second)) == []

    joining = add_induction_record(enrolment.training_record, lead_provider=second, start_date=at(2025, 1, 1))
    assert list(visible_declarations(lead_provider=second)) == [declaration]

    joining.induction_status = InductionStatus.WITHDRAWN
    joining.save()
    assert list(visible_declarations(lead_provider=second)) == []
    assert_stored_equals_computed()


def test_the_payment_runs_leave_visibility_alone_and_bulk_creates_are_covered(providers, transferred):
    first, second, _ = providers
    leaving, _ = transferred
    created = Declaration.objects.bulk_create(
        [
            Declaration(
                participant_id=leaving.training_record.participant_id,
                training_record=leaving.training_record,
                lead_provider=first,
                cohort=leaving.schedule.cohort,
                declaration_type="retained-3",
                declaration_date=at(2024, 10, 1),
                course_identifier="ecf-induction",
                state="eligible",
            )
        ]
    )
    assert set(visible_declarations(lead_provider=second)) == set(created)
    assert_stored_equals_computed()


def test_the_check_command_reports_each_drifted_pair_exits_1_and_repairs(providers, transferred):
    first, second, _ = providers
    leaving, _ = transferred
    declaration = DeclarationFactory(lead_provider=first, enrolment=leaving)
    DeclarationVisibility.objects.filter(lead_provider=second).delete()
    out = StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("check_declaration_visibility", stdout=out, stderr=StringIO())

    assert exited.value.code == 1
    assert out.getvalue().splitlines() == [
        f"lead_provider={second.pk} declaration={declaration.pk} stored=none expected=training"
    ]
    call_command("check_declaration_visibility", "--repair", stdout=StringIO())
    assert_stored_equals_computed()
