"""`--date` on the statement runs: refused in the future outside the sandbox; in the sandbox both runs take
it, so that a whole cycle through to clawback can be run ahead of time. Runs name statements as people do."""

import datetime as dt
import logging
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from declarations.models import Declaration
from statements.models import Statement, StatementStateChange
from tests.factories.statements import StatementFactory, put_on

pytestmark = pytest.mark.django_db

# The real day in these tests: the April 2024 statement's deadline (31 March) has not passed yet.
TODAY = dt.datetime(2024, 3, 20, 10, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def real_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


# -- outside the sandbox ------------------------------------------------------------------------------------


@override_settings(SANDBOX=False)
def test_outside_the_sandbox_a_future_date_is_refused_and_nothing_moves(lead_provider):
    april = StatementFactory(lead_provider=lead_provider)
    put_on(april)

    with pytest.raises(CommandError) as refused:
        run("mark_statements_payable", "--date", "2025-04-01")

    assert str(refused.value) == (
        "--date 2025-04-01 is in the future (today is 2024-03-20, UTC). Outside the sandbox a run cannot act "
        "as if on a later day."
    )
    april.refresh_from_db()
    assert april.status == "open"
    assert StatementStateChange.objects.count() == 0


@override_settings(SANDBOX=False)
def test_outside_the_sandbox_a_past_date_selects_as_of_that_day_and_history_keeps_the_real_time(
    lead_provider,
):
    march = StatementFactory(lead_provider=lead_provider, month=3)  # deadline 29 February
    put_on(march)

    assert run("mark_statements_payable", "--date", "2024-03-01") == (
        "Made 1 statement(s) payable as of 2024-03-01, 1 declaration(s) payable"
    )
    assert run("mark_statements_payable", "--date", "2024-03-20") == (
        "Made 0 statement(s) payable as of 2024-03-20, 0 declaration(s) payable"
    )
    assert StatementStateChange.objects.get().changed_at == TODAY


@override_settings(SANDBOX=False)
def test_outside_the_sandbox_pay_statement_takes_no_date(lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, authorised=True)

    with pytest.raises(CommandError, match=r"^--date is only accepted in the sandbox"):
        run("pay_statement", str(statement.pk), "--date", "2024-03-01")

    statement.refresh_from_db()
    assert statement.status == "payable"


# -- in the sandbox -----------------------------------------------------------------------------------------


def test_in_the_sandbox_a_whole_cycle_runs_ahead_of_time_through_to_clawback(
    lead_provider, provider_client, finance_user
):
    april = StatementFactory(lead_provider=lead_provider, month=4)  # deadline 31 March
    july = StatementFactory(lead_provider=lead_provider, month=7)  # deadline 30 June
    declaration = put_on(april)

    run("mark_statements_payable", "--date", "2024-04-01")
    with pytest.raises(CommandError, match="1 refused"):
        call_command(
            "pay_statement",
            str(april.pk),
            "--authorise",
            "--user",
            finance_user.email,
            stderr=(err := StringIO()),
        )
    assert "milestone cut off date has not passed yet" in err.getvalue()
    run("pay_statement", str(april.pk), "--authorise", "--user", finance_user.email, "--date", "2024-04-02")

    declaration.refresh_from_db()
    assert declaration.state == "paid"
    voided = provider_client.put(
        f"/api/v3/participant-declarations/{declaration.pk}/void",
        HTTP_X_WITH_SERVER_DATE="2024-04-03T09:00:00Z",
    )
    assert voided.status_code == 200
    assert voided.json()["data"]["attributes"]["clawback_statement_id"] == str(july.pk)

    run("mark_statements_payable", "--date", "2024-07-01")
    run("pay_statement", str(july.pk), "--authorise", "--user", finance_user.email, "--date", "2024-07-02")

    assert Declaration.objects.get(pk=declaration.pk).state == "clawed_back"
    assert [(s.status, s.marked_as_paid_at.date()) for s in Statement.objects.order_by("month")] == [
        ("paid", dt.date(2024, 4, 2)),
        ("paid", dt.date(2024, 7, 2)),
    ]
    # Each run happened on its date, at the real time of day.
    assert [
        change.changed_at
        for change in StatementStateChange.objects.filter(statement=july).order_by("changed_at")
    ] == [
        dt.datetime(2024, 7, 1, 10, 30, tzinfo=dt.UTC),
        dt.datetime(2024, 7, 2, 10, 30, tzinfo=dt.UTC),
    ]


# -- naming -------------------------------------------------------------------------------------------------


def test_runs_log_each_statement_by_provider_cohort_and_month(lead_provider, finance_user, caplog):
    april = StatementFactory(lead_provider=lead_provider)
    put_on(april)
    name = f"Ambition Institute, cohort 2023, April 2024 ({april.pk})"

    with caplog.at_level(logging.INFO, logger="statements"):
        run("mark_statements_payable", "--date", "2024-04-01")
        run(
            "pay_statement",
            str(april.pk),
            "--authorise",
            "--user",
            finance_user.email,
            "--date",
            "2024-04-02",
        )

    assert [record.getMessage() for record in caplog.records] == [
        f"{name} made payable: 1 declaration(s) payable",
        f"{name} paid: 1 declaration(s) paid, 0 clawed back",
    ]


def test_a_refused_payment_names_the_statement(lead_provider):
    april = StatementFactory(lead_provider=lead_provider, payable=True)

    with pytest.raises(CommandError):
        call_command("pay_statement", str(april.pk), stdout=StringIO(), stderr=(err := StringIO()))

    assert err.getvalue().strip() == (
        f"Ambition Institute, cohort 2023, April 2024 ({april.pk}): "
        "The statement has not been authorised for payment."
    )
