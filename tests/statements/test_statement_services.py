"""Statement runs and the calculation wired to the database."""

import datetime as dt
from decimal import Decimal

import pytest

from config.actors import Actor
from declarations.models import Declaration, DeclarationStateChange
from statements.exceptions import StatementNotAuthorisableError, StatementNotPayableError
from statements.models import Statement, StatementLineItem, StatementSnapshot, StatementStateChange
from statements.money import round_money
from statements.selectors import statement_calculate, statement_figures
from statements.services import (
    statement_authorise,
    statement_authorise_and_pay,
    statement_make_payable,
    statement_pay,
)
from tests.factories.statements import StatementFactory, bulk_put_on, put_on
from tests.statements.scenarios import build_8_1, build_8_2

pytestmark = pytest.mark.django_db

ACTOR = Actor.command("test")
D = Decimal


def money(value):
    return round_money(value)


def test_database_calculation_matches_worked_example_8_1(lead_provider):
    s1, s2 = build_8_1(lead_provider)

    calculation = statement_calculate(s2)

    assert money(calculation.output_fee) == D("701.00")
    assert money(calculation.service_fee) == D("50.00")
    assert money(calculation.uplift_fees) == D("300.00")
    assert money(calculation.clawbacks_total) == D("-240.00")
    assert money(calculation.additional_adjustments) == D("219.50")
    assert money(calculation.total_ex_vat) == D("1030.50")
    assert money(calculation.vat) == D("206.10")
    assert money(calculation.total) == D("1236.60")
    counts = calculation.counts
    assert (counts.started, counts.retained, counts.completed, counts.extended) == (4, 3, 0, 0)
    assert (counts.voided, counts.clawed_back) == (1, 0)
    assert [row.label for row in calculation.clawback_rows] == [
        "Clawback for Started (Band: D)",
        "Uplift clawbacks",
    ]
    # S1 alone: no previous statements.
    assert money(statement_calculate(s1).total) == D("597.60")


def test_database_calculation_matches_worked_example_8_2(lead_provider):
    _, s2 = build_8_2(lead_provider)

    calculation = statement_calculate(s2)

    assert calculation.layout == "split"
    assert money(calculation.output_fee) == D("318.00")
    assert money(calculation.mentor.output_fee) == D("2000.00")
    assert money(calculation.service_fee) == D("1000.00")
    assert money(calculation.mentor.clawbacks_total) == D("-500.00")
    assert money(calculation.vat) == D("583.60")
    assert money(calculation.total) == D("3501.60")


def test_calculation_runs_a_constant_number_of_queries(lead_provider, django_assert_max_num_queries):
    statement = StatementFactory(lead_provider=lead_provider)
    previous = StatementFactory(lead_provider=lead_provider, month=1, paid=True)
    bulk_put_on(statement, 1200)
    bulk_put_on(previous, 6, line_state="paid")
    statement = Statement.objects.select_related(
        "lead_provider", "cohort", "call_off_contract", "mentor_call_off_contract"
    ).get(pk=statement.pk)

    with django_assert_max_num_queries(6):
        calculation = statement_calculate(statement)

    assert (
        calculation.counts.started + calculation.counts.retained + calculation.counts.completed == 6 * 7
    )  # 8 per type, 1 used by the previous statement


# --------------------------------------------------------------------------------------------------
# Make payable
# --------------------------------------------------------------------------------------------------


def test_make_payable_moves_eligible_declarations_and_the_statement(lead_provider):
    _, s2 = build_8_1(lead_provider)
    eligible = list(Declaration.objects.filter(statement_line_items__statement=s2, state="eligible"))
    history_before = DeclarationStateChange.objects.count()

    result = statement_make_payable(statement_id=s2.pk, actor=ACTOR, today=dt.date(2024, 4, 1))

    assert result.done and result.declarations_moved == len(eligible) == 7
    s2.refresh_from_db()
    assert s2.status == "payable"
    assert set(
        Declaration.objects.filter(pk__in=[d.pk for d in eligible]).values_list("state", flat=True)
    ) == {"payable"}
    assert set(s2.line_items.filter(kind="output").values_list("state", flat=True)) == {
        "payable",
        "voided",
        "ineligible",
    }
    assert s2.line_items.get(kind="clawback").state == "awaiting_clawback"
    changes = DeclarationStateChange.objects.filter(to_state="payable")
    assert DeclarationStateChange.objects.count() - history_before == 7
    assert {(c.from_state, c.actor_kind, c.actor_id) for c in changes} == {("eligible", "command", "test")}
    change = StatementStateChange.objects.get(statement=s2)
    assert (change.from_status, change.to_status) == ("open", "payable")


def test_make_payable_is_idempotent_and_waits_for_the_deadline(lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)  # deadline 2024-03-31
    put_on(statement)

    not_yet = statement_make_payable(statement_id=statement.pk, actor=ACTOR, today=dt.date(2024, 3, 31))
    assert not not_yet.done
    statement.refresh_from_db()
    assert statement.status == "open"

    first = statement_make_payable(statement_id=statement.pk, actor=ACTOR, today=dt.date(2024, 4, 1))
    second = statement_make_payable(statement_id=statement.pk, actor=ACTOR, today=dt.date(2024, 4, 1))

    assert (first.done, first.declarations_moved) == (True, 1)
    assert not second.done
    assert DeclarationStateChange.objects.filter(to_state="payable").count() == 1
    assert StatementStateChange.objects.filter(statement=statement).count() == 1


def test_make_payable_dry_run_changes_nothing(lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)
    put_on(statement)

    result = statement_make_payable(
        statement_id=statement.pk, actor=ACTOR, today=dt.date(2024, 5, 1), dry_run=True
    )

    assert result.declarations_moved == 1
    statement.refresh_from_db()
    assert statement.status == "open"
    assert not DeclarationStateChange.objects.exists()


# --------------------------------------------------------------------------------------------------
# Authorise and pay
# --------------------------------------------------------------------------------------------------


def test_pay_moves_every_line_writes_history_and_snapshot(lead_provider, finance_user):
    _, s2 = build_8_1(lead_provider)
    statement_make_payable(statement_id=s2.pk, actor=ACTOR, today=dt.date(2024, 4, 1))
    expected_total = money(statement_calculate(s2).total)  # 1236.60: paying moves no money between lines
    statement_authorise(
        statement_id=s2.pk, user=finance_user, actor=Actor.staff(finance_user), today=dt.date(2024, 4, 1)
    )

    result = statement_pay(statement_id=s2.pk, actor=Actor.staff(finance_user))

    assert (result.done, result.declarations_moved, result.clawbacks_moved) == (True, 7, 1)
    s2.refresh_from_db()
    assert s2.status == "paid"
    assert s2.marked_as_paid_by == finance_user
    assert set(s2.line_items.filter(kind="output").values_list("state", flat=True)) == {
        "paid",
        "voided",
        "ineligible",
    }
    assert s2.line_items.get(kind="clawback").state == "clawed_back"
    assert Declaration.objects.filter(state="clawed_back").count() == 1
    assert DeclarationStateChange.objects.filter(to_state="paid").count() == 7
    assert DeclarationStateChange.objects.filter(to_state="clawed_back").count() == 1
    line_history = StatementLineItem.history.filter(history_type="~", statement_id=s2.pk)
    assert line_history.filter(state="paid", history_user=finance_user).count() == 7
    assert line_history.filter(state="clawed_back", actor_kind="staff_user").count() == 1
    assert line_history.filter(state="payable", actor_id="test").count() == 7
    assert list(StatementStateChange.objects.filter(statement=s2).values_list("to_status", flat=True)) == [
        "payable",
        "paid",
    ]
    snapshot = StatementSnapshot.objects.get(statement=s2)
    assert snapshot.total == expected_total == D("1236.60")
    assert (snapshot.total_ex_vat, snapshot.vat) == (D("1030.50"), D("206.10"))
    assert snapshot.call_off_contract_id == s2.call_off_contract_id
    assert snapshot.figures["banded"]["counts"]["clawed_back"] == 1  # declaration 1 now clawed back


def test_paying_twice_pays_once(lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, authorised=True)
    put_on(statement, line_state="payable")

    first = statement_pay(statement_id=statement.pk, actor=ACTOR)
    second = statement_pay(statement_id=statement.pk, actor=ACTOR)

    assert first.done and not second.done
    assert DeclarationStateChange.objects.filter(to_state="paid").count() == 1
    assert StatementSnapshot.objects.filter(statement=statement).count() == 1


@pytest.mark.parametrize(
    ("traits", "status", "message"),
    [
        ({}, "open", "The statement is open, not payable."),
        ({"payable": True}, "payable", "The statement has not been authorised for payment."),
    ],
)
def test_pay_refuses_unless_payable_and_authorised(lead_provider, traits, status, message):
    statement = StatementFactory(lead_provider=lead_provider, **traits)
    declaration = put_on(statement, line_state="payable")

    with pytest.raises(StatementNotPayableError) as error:
        statement_pay(statement_id=statement.pk, actor=ACTOR)

    assert error.value.detail == message
    statement.refresh_from_db()
    declaration.refresh_from_db()
    assert statement.status == status
    assert declaration.state == "payable"
    assert not StatementSnapshot.objects.exists()


def test_service_fee_only_statement_without_lines_is_authorised_and_paid(lead_provider, finance_user):
    statement = StatementFactory(lead_provider=lead_provider, output_fee=False, payable=True)

    result = statement_authorise_and_pay(
        statement_id=statement.pk,
        user=finance_user,
        actor=Actor.staff(finance_user),
        today=dt.date(2024, 4, 1),
    )

    assert result.done
    statement.refresh_from_db()
    assert statement.status == "paid"
    assert StatementSnapshot.objects.get(statement=statement).total == D("60.00")  # 50.00 service + VAT


@pytest.mark.parametrize(
    ("traits", "today", "message"),
    [
        (
            {},
            dt.date(2024, 4, 1),
            "The statement is open; only a payable statement can be authorised for payment.",
        ),
        ({"authorised": True}, dt.date(2024, 4, 5), "The statement has already been authorised for payment."),
        (
            {"payable": True},
            dt.date(2024, 3, 31),
            "The statement's milestone cut off date has not passed yet.",
        ),
    ],
)
def test_authorise_guards(lead_provider, finance_user, traits, today, message):
    statement = StatementFactory(lead_provider=lead_provider, **traits)
    before = statement.marked_as_paid_at

    with pytest.raises(StatementNotAuthorisableError) as error:
        statement_authorise(
            statement_id=statement.pk, user=finance_user, actor=Actor.staff(finance_user), today=today
        )

    assert error.value.detail == message
    statement.refresh_from_db()
    assert statement.marked_as_paid_at == before


def test_authorisation_is_audited_with_its_actor(lead_provider, finance_user):
    statement = StatementFactory(lead_provider=lead_provider, payable=True)

    statement_authorise(
        statement_id=statement.pk,
        user=finance_user,
        actor=Actor.staff(finance_user),
        today=dt.date(2024, 4, 1),
    )

    latest = statement.history.order_by("-history_date").first()
    assert latest.marked_as_paid_by_id == finance_user.pk
    assert latest.history_user_id == finance_user.pk
    assert (latest.actor_kind, latest.actor_id) == ("staff_user", str(finance_user.pk))


def test_paid_statement_shows_its_snapshot_not_a_recalculation(lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, authorised=True)
    put_on(statement, line_state="payable")
    statement_pay(statement_id=statement.pk, actor=ACTOR)
    paid_total = money(statement_figures(statement).total)

    # A later change to the contract row (which is forbidden for paid statements) cannot alter the figures.
    contract = statement.call_off_contract
    contract.monthly_service_fee = D("99999.00")
    contract.save()
    statement.refresh_from_db()

    assert money(statement_figures(statement).total) == paid_total
    assert money(statement_calculate(statement).total) != paid_total


def test_payment_leaves_lines_on_other_statements_alone(lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, authorised=True)
    other = StatementFactory(lead_provider=lead_provider, month=6, payable=True)
    mine = put_on(statement, line_state="payable")
    theirs = put_on(other, line_state="payable")

    statement_pay(statement_id=statement.pk, actor=ACTOR)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, theirs.state) == ("paid", "payable")
    assert StatementLineItem.objects.get(declaration=theirs).state == "payable"
