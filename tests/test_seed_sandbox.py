"""`manage.py seed_sandbox`: the sandbox data set, its idempotence, its printed logins and tokens."""

import datetime as dt
import io
import itertools
import json
from collections import Counter
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.test import Client, override_settings

from config import clock
from declarations.models import Declaration, DeclarationAttempt, DeclarationStateChange
from participants.models import (
    EligibilityChange,
    InductionRecord,
    Participant,
    ParticipantIdChange,
    TrainingRecord,
    TrainingStatusChange,
)
from partnerships.models import (
    LeadProvider,
    LeadProviderToken,
    Partnership,
    PartnershipStateChange,
    School,
    SchoolCohort,
)
from statements.models import (
    Adjustment,
    CallOffContract,
    MentorCallOffContract,
    ParticipantBand,
    Statement,
    StatementLineItem,
    StatementSnapshot,
    StatementStateChange,
)
from statements.selectors import next_output_statement

pytestmark = pytest.mark.django_db

COHORTS = (2021, 2022, 2023, 2024, 2025)


def run_seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_sandbox", *args, stdout=out)
    return out.getvalue()


def seed_json() -> dict:
    return json.loads(run_seed("--json"))


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def fingerprint() -> dict:
    return {
        "participants": sorted(Participant.objects.values_list("id", "email", "full_name", "trn")),
        "records": sorted(
            TrainingRecord.objects.values_list(
                "id", "participant_type", "schedule__schedule_identifier", "eligibility_status"
            )
        ),
        "inductions": sorted(
            (str(a), b, c, d)
            for a, b, c, d in InductionRecord.objects.values_list(
                "training_record_id", "start_date", "training_status", "induction_status"
            )
        ),
        "partnerships": sorted(Partnership.objects.values_list("id", "status", "school__urn")),
        "statements": sorted(Statement.objects.values_list("id", "status", "output_fee")),
        "declarations": sorted(
            tuple(str(value) for value in row)
            for row in Declaration.objects.values_list(
                "participant_id",
                "declaration_type",
                "declaration_date",
                "state",
                "statement_line_items__statement_id",
            )
        ),
    }


@dataclass(frozen=True)
class World:
    payload: dict  # the JSON of the latest run
    summary: str  # the readable output of the first run
    first_run: dict  # fingerprint of a run from an empty database, since rolled back
    second_run: dict  # fingerprint of the run from an empty database kept for the tests


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Seeded once per module (a full seed takes a while): each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        with transaction.atomic():
            run_seed("--json")
            first = fingerprint()
            transaction.set_rollback(True)
        assert Participant.objects.count() == 0
        summary = run_seed()
        second = fingerprint()
        payload = seed_json()
    yield World(payload, summary, first, second)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def seeded(world):
    return world.payload


# -- refusal ------------------------------------------------------------------------------------------


@override_settings(SANDBOX=False)
def test_refused_unless_the_sandbox_setting_is_on():
    with pytest.raises(CommandError, match="SANDBOX"):
        run_seed("--json")
    assert LeadProvider.objects.count() == 0
    assert Participant.objects.count() == 0
    assert get_user_model().objects.count() == 0


# -- idempotence and determinism ------------------------------------------------------------------------


def test_a_second_run_adds_no_rows_except_one_new_token_per_provider(seeded):
    before = row_counts()
    second = seed_json()
    after = row_counts()

    token_tables = {"partnerships.LeadProviderToken", "partnerships.HistoricalLeadProviderToken"}
    assert {label: count for label, count in after.items() if label not in token_tables} == {
        label: count for label, count in before.items() if label not in token_tables
    }
    assert after["partnerships.LeadProviderToken"] == before["partnerships.LeadProviderToken"] + 5
    # Earlier tokens stay live, so both runs' tokens authenticate.
    for payload in (seeded, second):
        for provider in payload["lead_providers"]:
            digest = LeadProviderToken.digest_of(provider["token"])
            assert LeadProviderToken.objects.get(digest=digest).revoked_at is None


def test_the_data_set_is_the_same_on_every_run(world):
    assert world.first_run == world.second_run
    assert world.first_run["declarations"]


# -- printed output ----------------------------------------------------------------------------------------


def test_json_lists_every_provider_with_a_live_token_and_the_admin_login(seeded):
    assert set(seeded) == {"lead_providers", "admin"}
    assert len(seeded["lead_providers"]) >= 5
    for provider in seeded["lead_providers"]:
        assert set(provider) == {"id", "name", "token"}
        assert LeadProvider.objects.get(pk=provider["id"]).name == provider["name"]

        response = Client(HTTP_AUTHORIZATION=f"Bearer {provider['token']}").get("/api/v3/delivery-partners")

        assert response.status_code == 200
        assert response.json()["data"], provider["name"]

    admin = seeded["admin"]
    assert set(admin) == {"username", "email", "password"}
    assert admin["username"] == "admin"
    assert admin["email"] == "admin@sandbox.example.com"
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff and user.is_active
    assert user.check_password(admin["password"])
    assert list(user.groups.values_list("name", flat=True)) == ["finance"]


def test_admin_password_is_kept_and_printed_again_on_every_run(seeded):
    again = seed_json()

    assert again["admin"] == seeded["admin"]
    assert len(seeded["admin"]["password"]) >= 20
    assert get_user_model().objects.get(username="admin").check_password(seeded["admin"]["password"])


def test_admin_password_is_set_when_the_environment_names_another(seeded, monkeypatch):
    monkeypatch.setenv("SANDBOX_ADMIN_PASSWORD", "sandbox-secret-1")
    assert seed_json()["admin"]["password"] == "sandbox-secret-1"
    assert seed_json()["admin"]["password"] == "sandbox-secret-1"
    assert get_user_model().objects.get(username="admin").check_password("sandbox-secret-1")
    assert get_user_model().objects.count() == 1


def test_admin_password_changed_by_hand_is_kept_and_not_shown(seeded):
    user = get_user_model().objects.get(username="admin")
    user.set_password("chosen-by-a-person")
    user.save()

    again = seed_json()
    summary = run_seed()

    assert again["admin"] == {"username": "admin", "email": "admin@sandbox.example.com", "password": None}
    assert get_user_model().objects.get(username="admin").check_password("chosen-by-a-person")
    assert "Admin login: admin (admin@sandbox.example.com), with the password set by hand" in summary


def test_readable_summary_names_the_url_admin_login_and_one_token_per_provider(world):
    output = world.summary

    assert "http://127.0.0.1:8000/" in output
    assert "/api/docs/v3" in output
    assert "/admin/" in output
    assert "admin /" in output
    # Two runs so far: two printed tokens per provider, plus the one the seed declares with.
    assert LeadProviderToken.objects.filter(label="sandbox").count() == 10
    assert LeadProviderToken.objects.filter(label="sandbox-seed").count() == 5
    for provider in LeadProvider.objects.all():
        line = next(line for line in output.splitlines() if line.strip().startswith(f"{provider.name}:"))
        raw = line.split(":", 1)[1].strip()
        assert (
            LeadProviderToken.objects.get(digest=LeadProviderToken.digest_of(raw)).lead_provider == provider
        )


# -- the data set ------------------------------------------------------------------------------------------


def test_providers_schools_and_partnerships(seeded):
    assert LeadProvider.objects.count() >= 5
    assert School.objects.count() >= 50
    assert School.objects.eligible().count() >= 45
    assert School.objects.filter(school_type_code=10).exists()  # CIP-only
    assert School.objects.filter(school_status_code=2).exists()  # closed
    assert School.objects.filter(administrative_district_code__startswith="W").exists()  # Welsh

    for provider in LeadProvider.objects.all():
        for year in COHORTS:
            assert (
                Partnership.objects.filter(
                    lead_provider=provider, cohort__start_year=year, relationship=False
                ).count()
                >= 3
            ), (provider, year)

    challenged = Partnership.objects.filter(status="challenged")
    assert challenged.exists()
    for partnership in challenged:
        assert partnership.challenge_reason and partnership.challenged_at
        change = PartnershipStateChange.objects.get(partnership=partnership, event="challenged")
        assert (change.from_status, change.to_status, change.reason) == (
            "active",
            "challenged",
            partnership.challenge_reason,
        )
        assert (change.actor_kind, change.actor_id) == ("command", "seed_sandbox")
    assert (
        PartnershipStateChange.objects.filter(event="created").count()
        == Partnership.objects.filter(relationship=False).count()
    )
    relationship = Partnership.objects.get(relationship=True)
    assert PartnershipStateChange.objects.filter(
        partnership=relationship, event="relationship_created"
    ).exists()

    # Every provider-led school cohort has a default programme carrying one of its partnerships.
    for school_cohort in SchoolCohort.objects.filter(induction_programme_choice="full_induction_programme"):
        assert school_cohort.default_programme.partnership.school_id == school_cohort.school_id


def test_participants_cover_every_case(seeded):
    assert Participant.objects.count() >= 500
    types = Counter(TrainingRecord.objects.values_list("participant_type", flat=True))
    assert types["ect"] > 0 and types["mentor"] > 0
    assert set(InductionRecord.objects.values_list("training_status", flat=True)) == {
        "active",
        "deferred",
        "withdrawn",
    }
    statuses = set(TrainingRecord.objects.values_list("eligibility_status", flat=True))
    assert {"eligible", None, "manual_check", "ineligible"} <= statuses
    assert TrainingRecord.objects.filter(sparsity_uplift=True).exists()
    assert TrainingRecord.objects.filter(pupil_premium_uplift=True).exists()
    schedules = set(TrainingRecord.objects.values_list("schedule__schedule_identifier", flat=True))
    assert {"ecf-standard-september", "ecf-standard-january", "ecf-extended-september"} <= schedules
    assert TrainingRecord.objects.filter(
        participant_type="mentor", schedule__cohort__start_year=2025
    ).exists()

    # Some people are both an ECT and a mentor.
    both = Counter(TrainingRecord.objects.values_list("participant_id", flat=True))
    assert any(count == 2 for count in both.values())
    # Two persons share a TRN.
    trns = Counter(Participant.objects.exclude(trn=None).values_list("trn", flat=True))
    assert any(count == 2 for count in trns.values())
    # A retired id.
    change = ParticipantIdChange.objects.first()
    assert change.to_participant_id == change.participant_id != change.from_participant_id
    # A 2022 ECT moved to 2024 after the freeze.
    assert TrainingRecord.objects.filter(
        cohort_changed_after_payments_frozen=True,
        schedule__cohort__start_year=2024,
        schedule__schedule_identifier="ecf-extended-september",
        induction_records__induction_programme__school_cohort__cohort__start_year=2022,
    ).exists()


def test_deferred_and_withdrawn_records_have_their_history(seeded):
    stopped = InductionRecord.objects.exclude(training_status="active")
    assert stopped.count() >= 10
    for record in stopped:
        change = TrainingStatusChange.objects.filter(induction_record=record).get()
        assert change.to_status == record.training_status
        assert change.training_record_id == record.training_record_id
        assert change.lead_provider_id == record.induction_programme.partnership.lead_provider_id
        assert change.reason
        assert (change.actor_kind, change.actor_id) == ("command", "seed_sandbox")
    # A participant who was deferred and resumed.
    assert TrainingStatusChange.objects.filter(
        from_status="deferred", to_status="active", reason=None
    ).exists()


def _provider_of(record: InductionRecord):
    return record.induction_programme.partnership.lead_provider_id


def test_transfers_mentors_and_unfunded_mentors(seeded):
    # Moved school and provider: leaving at school A, a school-transfer record at school B.
    joined = InductionRecord.objects.filter(school_transfer=True).select_related(
        "induction_programme__partnership", "induction_programme__school_cohort"
    )
    new_provider = 0
    for joining in joined:
        leaving = InductionRecord.objects.get(
            training_record=joining.training_record, induction_status="leaving"
        )
        assert leaving.end_date is not None and leaving.end_date < joining.start_date
        assert (
            leaving.induction_programme.school_cohort.school_id
            != joining.induction_programme.school_cohort.school_id
        )
        new_provider += _provider_of(leaving) != _provider_of(joining)
    assert new_provider >= 1
    # ...and one who kept their provider through a relationship partnership.
    assert joined.filter(induction_programme__partnership__relationship=True).exists()

    # Mentors are assigned to ECTs; one mentor trains with another provider than their ECT.
    mentored = InductionRecord.objects.exclude(mentor=None).select_related("mentor")
    assert mentored.count() >= 100
    unfunded = [
        record
        for record in mentored
        if not InductionRecord.objects.filter(
            training_record=record.mentor,
            induction_programme__partnership__lead_provider_id=_provider_of(record),
        ).exists()
    ]
    assert unfunded
    assert all(record.mentor.participant_type == "mentor" for record in mentored)


def test_contracts_for_each_provider_and_cohort(seeded):
    for provider in LeadProvider.objects.all():
        for year in COHORTS:
            contract = CallOffContract.objects.get(
                lead_provider=provider, cohort__start_year=year, version="0.0.1"
            )
            letters = list(contract.bands.order_by("band").values_list("band", flat=True))
            if year == 2025:
                assert letters == ["A", "B", "C"]
                assert contract.uplift_amount is None
                assert MentorCallOffContract.objects.filter(
                    lead_provider=provider, cohort__start_year=year, version="0.0.1"
                ).exists()
            else:
                assert letters == ["A", "B", "C", "D"]
                assert contract.uplift_amount is not None
            bands = list(contract.bands.order_by("band"))
            assert bands[0].min is None
            for lower, upper in itertools.pairwise(bands):
                assert upper.min == lower.max + 1
    assert ParticipantBand.objects.count() == 5 * 4 * 4 + 5 * 3
    assert MentorCallOffContract.objects.count() == 5


def _held_back_deadline(today):
    """The latest output statement past its deadline in an open cohort: left payable for finance."""
    return max(
        Statement.objects.filter(
            output_fee=True, deadline_date__lt=today, cohort__payments_frozen_at=None
        ).values_list("deadline_date", flat=True)
    )


def test_statement_calendar_per_provider_and_cohort(seeded):
    today = clock.today()
    held = _held_back_deadline(today)
    assert StatementStateChange.objects.filter(from_status=None, to_status="open").count() == (
        Statement.objects.count()
    )
    for statement in Statement.objects.select_related("cohort"):
        assert statement.deadline_date == dt.date(statement.year, statement.month, 1) - dt.timedelta(days=1)
        assert statement.payment_date == dt.date(statement.year, statement.month, 25)
        held_back = (
            statement.output_fee
            and statement.deadline_date == held
            and statement.cohort.payments_frozen_at is None
        )
        if statement.payment_date < today and not held_back:
            expected = "paid"
        elif statement.deadline_date < today:
            expected = "payable"
        else:
            expected = "open"
        assert statement.status == expected, statement
        assert (statement.marked_as_paid_at is not None) == (expected == "paid")
        history = list(
            statement.state_changes.order_by("changed_at", "id").values_list("to_status", "actor_id")
        )
        assert [status for status, _ in history] == {
            "open": ["open"],
            "payable": ["open", "payable"],
            "paid": ["open", "payable", "paid"],
        }[expected]
        if expected == "paid":
            assert history[1][1] == "mark_statements_payable"
            assert statement.marked_as_paid_by.email == "admin@sandbox.example.com"
            assert history[2][1] == str(statement.marked_as_paid_by.pk)
            assert statement.marked_as_paid_at.date() < statement.payment_date
        assert statement.call_off_contract.cohort_id == statement.cohort_id
        assert (statement.mentor_call_off_contract_id is not None) == statement.cohort.mentor_funding
    assert Statement.objects.filter(status="payable", output_fee=True).exists()

    for provider in LeadProvider.objects.all():
        for year in COHORTS:
            statements = Statement.objects.filter(lead_provider=provider, cohort__start_year=year)
            assert (
                statements.filter(output_fee=True).exists() and statements.filter(output_fee=False).exists()
            )
            cohort_id = statements.first().cohort_id
            upcoming = next_output_statement(lead_provider_id=provider.pk, cohort_id=cohort_id, today=today)
            if year in (2021, 2022):
                # Frozen: no open output statement, so declarations are refused as in production.
                assert upcoming is None
                assert set(statements.values_list("status", flat=True)) == {"paid"}
            else:
                assert upcoming is not None
                assert statements.filter(
                    output_fee=True, status="open", deadline_date__gte=today + dt.timedelta(days=365)
                ).exists()


# -- declarations and payments ------------------------------------------------------------------------


ALL_STATES = {
    "submitted",
    "eligible",
    "payable",
    "paid",
    "voided",
    "ineligible",
    "awaiting_clawback",
    "clawed_back",
}


def test_declarations_in_every_state_made_through_the_service_with_the_seed_token(seeded):
    states = Counter(Declaration.objects.values_list("state", flat=True))
    assert set(states) == ALL_STATES, states
    assert states["paid"] > 100
    seed_tokens = {
        str(pk): provider_id
        for pk, provider_id in LeadProviderToken.objects.filter(label="sandbox-seed").values_list(
            "pk", "lead_provider_id"
        )
    }
    for declaration in Declaration.objects.prefetch_related("state_changes"):
        created = declaration.state_changes.get(from_state=None)
        assert created.to_state == "submitted"
        assert created.actor_kind == "provider_token"
        assert seed_tokens[created.actor_id] == declaration.lead_provider_id
    # Every submission left its attempt row, tied to the declaration and the seed token.
    assert DeclarationAttempt.objects.count() == Declaration.objects.count()
    assert not DeclarationAttempt.objects.filter(declaration=None).exists()
    assert set(DeclarationAttempt.objects.values_list("token__label", flat=True)) == {"sandbox-seed"}

    # Each cohort's mix.
    mix = set(Declaration.objects.values_list("cohort__start_year", "course_identifier", "declaration_type"))
    for year in (2023, 2024):
        for kind in ("started", "retained-1", "retained-2"):
            assert (year, "ecf-induction", kind) in mix
    assert {
        (2025, "ecf-induction", "started"),
        (2025, "ecf-mentor", "started"),
        (2025, "ecf-mentor", "completed"),
    } <= mix
    assert not Declaration.objects.filter(cohort__start_year=2025, course_identifier="ecf-mentor").exclude(
        declaration_type__in=["started", "completed"]
    )
    # Evidence: none kept for pre-2025 started, detailed values for 2025.
    assert not Declaration.objects.filter(cohort__start_year__lt=2025, declaration_type="started").exclude(
        evidence_held=None
    )
    assert not Declaration.objects.filter(
        cohort__start_year__lt=2025, declaration_type="retained-1", evidence_held=None
    )
    assert set(
        Declaration.objects.filter(course_identifier="ecf-mentor", declaration_type="completed").values_list(
            "evidence_held", flat=True
        )
    ) <= {"75-percent-engagement-met", "75-percent-engagement-met-reduced-induction"}
    assert Declaration.objects.filter(cohort__start_year=2025, evidence_held="materials-engaged-with-offline")


def test_declarations_are_dated_in_their_milestone_window_and_sit_on_the_statement_open_then(seeded):
    for declaration in Declaration.objects.select_related("training_record__schedule"):
        milestone = declaration.training_record.schedule.milestones.get(
            declaration_type=declaration.declaration_type
        )
        date = declaration.declaration_date.date()
        assert milestone.start_date <= date
        assert milestone.milestone_date is None or date <= milestone.milestone_date
        assert declaration.declaration_date < clock.now()
        output = declaration.statement_line_items.filter(kind="output").select_related("statement").first()
        if declaration.state == "submitted" or (declaration.state == "voided" and output is None):
            assert output is None
            continue
        assert output.statement.output_fee
        assert output.statement.cohort_id == declaration.cohort_id
        assert output.statement.lead_provider_id == declaration.lead_provider_id
        # Attached to the next output statement when it was submitted, so its deadline is not before the date.
        assert output.statement.deadline_date >= date


def test_promotion_duplicates_and_voids(seeded):
    # Not yet eligible when submitted, then made eligible by DfE: promoted onto a statement and paid.
    promoted = EligibilityChange.objects.filter(actor_id="seed_sandbox", to_status="eligible")
    assert promoted.exists()
    for change in promoted:
        declaration = Declaration.objects.get(training_record=change.training_record)
        assert list(declaration.state_changes.order_by("id").values_list("to_state", flat=True))[:2] == [
            "submitted",
            "eligible",
        ]
        assert declaration.state == "paid"
    # ...the others still wait, submitted and on no statement.
    waiting = Declaration.objects.filter(state="submitted")
    assert waiting.exists()
    assert not waiting.filter(training_record__eligibility_status="eligible").exists()
    assert not StatementLineItem.objects.filter(declaration__in=waiting).exists()
    # The same teacher twice: the later declaration is a duplicate of the earlier one.
    for duplicate in Declaration.objects.filter(state="ineligible"):
        assert duplicate.superseded_by.participant.trn == duplicate.participant.trn
        assert duplicate.superseded_by.participant_id != duplicate.participant_id
        assert duplicate.state_changes.filter(to_state="ineligible", reason="duplicate").exists()
    # Voided from submitted and from eligible; paid ones clawed back.
    voided_from = set(
        DeclarationStateChange.objects.filter(to_state="voided").values_list("from_state", flat=True)
    )
    assert {"submitted", "eligible"} <= voided_from
    for declaration in Declaration.objects.filter(state__in=["awaiting_clawback", "clawed_back"]):
        lines = dict(declaration.statement_line_items.values_list("kind", "state"))
        assert lines == {
            "output": "paid",
            "clawback": "clawed_back" if declaration.state == "clawed_back" else "awaiting_clawback",
        }


def test_payment_runs_left_snapshots_and_line_items_in_step_with_their_statements(seeded):
    expected_lines = {
        "paid": {
            ("output", "paid"),
            ("output", "ineligible"),
            ("output", "voided"),
            ("clawback", "clawed_back"),
        },
        "payable": {
            ("output", "payable"),
            ("output", "ineligible"),
            ("output", "voided"),
            ("clawback", "awaiting_clawback"),
        },
        "open": {
            ("output", "eligible"),
            ("output", "ineligible"),
            ("output", "voided"),
            ("clawback", "awaiting_clawback"),
        },
    }
    for status, allowed in expected_lines.items():
        found = set(StatementLineItem.objects.filter(statement__status=status).values_list("kind", "state"))
        assert found <= allowed, (status, found - allowed)
    assert (
        not StatementLineItem.objects.exclude(declaration__state=F("state"))
        .exclude(kind="clawback")
        .exclude(declaration__state__in=["awaiting_clawback", "clawed_back"], state="paid")
    )

    paid = Statement.objects.filter(status="paid")
    assert StatementSnapshot.objects.count() == paid.count() > 0
    assert not paid.filter(snapshot=None).exists()
    assert not StatementSnapshot.objects.exclude(statement__status="paid").exists()
    with_money = StatementSnapshot.objects.filter(statement__line_items__state="paid").distinct()
    assert with_money.exists() and all(snapshot.total > 0 for snapshot in with_money)
    # Clawbacks on a paid statement (clawed back) and on a payable one (awaiting the payment run).
    assert StatementLineItem.objects.filter(kind="clawback", state="clawed_back", statement__status="paid")
    assert StatementLineItem.objects.filter(
        kind="clawback", state="awaiting_clawback", statement__status__in=["payable", "paid"]
    )
    assert StatementLineItem.objects.filter(state="payable", statement__status="payable")
    assert StatementLineItem.objects.filter(state="eligible", statement__status="open")


def test_adjustments_on_an_open_output_statement(seeded):
    adjustments = Adjustment.objects.select_related("statement")
    assert adjustments.count() == 3 * LeadProvider.objects.count()
    for adjustment in adjustments:
        # Two on the next open statement, one on the statement awaiting authorisation.
        assert adjustment.statement.status in ("open", "payable") and adjustment.statement.output_fee
        assert adjustment.statement.marked_as_paid_at is None
        history = adjustment.history.get()
        assert (history.actor_kind, history.actor_id) == ("command", "seed_sandbox")
    assert adjustments.filter(amount__gt=0).exists() and adjustments.filter(amount__lt=0).exists()


def test_each_provider_has_a_statement_awaiting_authorisation_that_shows_a_full_month(seeded):
    from participants.models import DeclarationType
    from statements.selectors import statement_calculate

    for provider in LeadProvider.objects.all():
        statement = (
            Statement.objects.filter(
                lead_provider=provider, cohort__start_year=2024, output_fee=True, status="payable"
            )
            .order_by("-deadline_date")
            .first()
        )
        assert statement is not None and statement.marked_as_paid_at is None
        lines = statement.line_items.select_related("declaration")
        types = {line.declaration.declaration_type for line in lines.filter(kind="output", state="payable")}
        assert types == set(DeclarationType.values), (provider, types)
        assert lines.filter(kind="clawback", state="awaiting_clawback").count() >= 2
        assert statement.adjustments.exists()
        figures = statement_calculate(statement).banded
        assert figures.uplift_fees > 0
        assert figures.clawback_deductions > 0
        started_bands = [band for band in figures.allocations["started"] if band.prior + band.add > 0]
        assert len(started_bands) >= 2, (provider, figures.allocations["started"])


def test_statements_api_shows_paid_statements_to_a_seeded_token(seeded):
    provider = seeded["lead_providers"][0]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {provider['token']}")

    response = client.get("/api/v3/statements", {"filter[cohort]": "2025"})

    assert response.status_code == 200
    paid = Counter(row["attributes"]["paid"] for row in response.json()["data"])
    assert paid[True] > 0 and paid[False] > 0
