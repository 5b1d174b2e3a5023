"""Management commands: runs, imports and create_finance_user."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from declarations.models import DeclarationStateChange
from statements.imports import next_version
from statements.models import (
    CallOffContract,
    MentorCallOffContract,
    Statement,
    StatementSnapshot,
    StatementStateChange,
)
from tests.factories.partnerships import LeadProviderFactory, cohort
from tests.factories.statements import (
    CallOffContractFactory,
    MentorCallOffContractFactory,
    StatementFactory,
    put_on,
)

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, text, name="file.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# --------------------------------------------------------------------------------------------------
# mark_statements_payable
# --------------------------------------------------------------------------------------------------


def test_mark_payable_catches_up_every_open_statement_past_its_deadline(lead_provider):
    march = StatementFactory(lead_provider=lead_provider, month=3)  # deadline 2024-02-29
    april = StatementFactory(lead_provider=lead_provider, month=4)  # deadline 2024-03-31
    may = StatementFactory(lead_provider=lead_provider, month=5)  # deadline 2024-04-30
    put_on(march)
    put_on(april)
    put_on(may)

    out, _ = run("mark_statements_payable", "--date", "2024-04-01")

    assert out.strip() == "Made 2 statement(s) payable as of 2024-04-01, 2 declaration(s) payable"
    assert [s.status for s in Statement.objects.order_by("payment_date")] == ["payable", "payable", "open"]
    out, _ = run("mark_statements_payable", "--date", "2024-04-01")
    assert out.strip() == "Made 0 statement(s) payable as of 2024-04-01, 0 declaration(s) payable"
    assert DeclarationStateChange.objects.count() == 2
    assert march and april and may


def test_mark_payable_uses_the_clock_by_default(lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)

    with time_machine.travel(dt.datetime(2024, 3, 31, 23, 59, tzinfo=dt.UTC)):
        run("mark_statements_payable")
    statement.refresh_from_db()
    assert statement.status == "open"
    with time_machine.travel(dt.datetime(2024, 4, 1, 0, 5, tzinfo=dt.UTC)):
        run("mark_statements_payable")
    statement.refresh_from_db()
    assert statement.status == "payable"


def test_mark_payable_restricted_to_one_statement_and_dry_run(lead_provider):
    march = StatementFactory(lead_provider=lead_provider, month=3)
    april = StatementFactory(lead_provider=lead_provider, month=4)
    put_on(april)

    out, _ = run("mark_statements_payable", "--date", "2024-05-01", "--statement", str(april.pk), "--dry-run")
    assert (
        out.strip() == "Dry run: would make 1 statement(s) payable as of 2024-05-01, 1 declaration(s) payable"
    )
    april.refresh_from_db()
    assert april.status == "open"

    run("mark_statements_payable", "--date", "2024-05-01", "--statement", str(april.pk))
    march.refresh_from_db()
    april.refresh_from_db()
    assert (march.status, april.status) == ("open", "payable")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2024-13-01"], "--date must be YYYY-MM-DD, got '2024-13-01'"),
        (["--statement", "nope"], "Unknown statement id: nope"),
        (["--statement", "00000000-0000-0000-0000-000000000000"], "Unknown statement id"),
    ],
)
def test_mark_payable_bad_input_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("mark_statements_payable", *args)


# --------------------------------------------------------------------------------------------------
# pay_statement
# --------------------------------------------------------------------------------------------------


def test_pay_statement_pays_an_authorised_statement_once(lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, authorised=True)
    put_on(statement, line_state="payable")
    put_on(statement, line_state="payable")

    out, _ = run("pay_statement", str(statement.pk))
    assert out.strip() == "Paid 1 statement(s): 2 declaration(s) paid, 0 clawed back; 0 already paid"
    out, _ = run("pay_statement", str(statement.pk))
    assert out.strip() == "Paid 0 statement(s): 0 declaration(s) paid, 0 clawed back; 1 already paid"

    statement.refresh_from_db()
    assert statement.status == "paid"
    assert DeclarationStateChange.objects.filter(to_state="paid").count() == 2
    assert StatementSnapshot.objects.filter(statement=statement).count() == 1
    change = StatementStateChange.objects.get(statement=statement, to_status="paid")
    assert (change.actor_kind, change.actor_id) == ("command", "pay_statement")


def test_pay_statement_refuses_an_unauthorised_statement(lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, payable=True)
    declaration = put_on(statement, line_state="payable")

    with pytest.raises(CommandError, match="1 refused"):
        run("pay_statement", str(statement.pk))

    statement.refresh_from_db()
    declaration.refresh_from_db()
    assert (statement.status, declaration.state) == ("payable", "payable")


def test_pay_statement_authorises_as_a_finance_user(lead_provider, finance_user):
    statement = StatementFactory(lead_provider=lead_provider, payable=True)
    put_on(statement, line_state="payable")

    with time_machine.travel(dt.datetime(2024, 4, 3, tzinfo=dt.UTC)):
        out, _ = run("pay_statement", str(statement.pk), "--authorise", "--user", "FINANCE@example.com")

    assert out.startswith("Paid 1 statement(s)")
    statement.refresh_from_db()
    assert statement.status == "paid"
    assert statement.marked_as_paid_by == finance_user
    change = DeclarationStateChange.objects.get(to_state="paid")
    assert (change.actor_kind, change.actor_id) == ("staff_user", str(finance_user.pk))


def test_pay_statement_authorise_applies_the_deadline_rule(lead_provider, finance_user):
    statement = StatementFactory(lead_provider=lead_provider, payable=True)

    with time_machine.travel(dt.datetime(2024, 3, 31, 12, tzinfo=dt.UTC)), pytest.raises(CommandError):
        run("pay_statement", str(statement.pk), "--authorise", "--user", "finance@example.com")

    statement.refresh_from_db()
    assert (statement.status, statement.marked_as_paid_at) == ("payable", None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-a-uuid"], "Unknown statement id: not-a-uuid"),
        (["00000000-0000-0000-0000-000000000000"], "Unknown statement id"),
        (["{pk}", "--authorise"], "--authorise needs --user"),
        (["{pk}", "--authorise", "--user", "nobody@example.com"], "No active user with email"),
        (["{pk}", "--authorise", "--user", "support@example.com"], "is not allowed to authorise"),
        (["{pk}", "--user", "finance@example.com"], "--user is only used with --authorise"),
    ],
)
def test_pay_statement_bad_input_is_a_clear_error(lead_provider, support_user, finance_user, args, message):
    statement = StatementFactory(lead_provider=lead_provider, payable=True)
    args = [arg.format(pk=statement.pk) for arg in args]

    with pytest.raises(CommandError, match=message):
        run("pay_statement", *args)

    statement.refresh_from_db()
    assert statement.marked_as_paid_at is None


def test_pay_statement_through_the_command_line_exits_non_zero(lead_provider):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "pay_statement", "not-a-uuid", "--settings=config.settings.test"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Unknown statement id: not-a-uuid" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------------------------------
# Contracts and statements imports
# --------------------------------------------------------------------------------------------------

CONTRACT_HEADER = (
    "lead-provider-name,cohort-start-year,uplift-target,uplift-amount,recruitment-target,revised-target,"
    "set-up-fee,monthly-service-fee,band-a-min,band-a-max,band-a-per-participant,band-b-min,band-b-max,"
    "band-b-per-participant,band-c-min,band-c-max,band-c-per-participant,band-d-min,band-d-max,"
    "band-d-per-participant\n"
)


def test_import_call_off_contracts_creates_bands(tmp_path):
    LeadProviderFactory(name="Ambition Institute")
    LeadProviderFactory(name="Teach First")
    path = write(
        tmp_path,
        CONTRACT_HEADER
        + "Ambition Institute,2023,0.33,100,4,6,70,,,2,1000,3,4,900,5,6,800,7,8,700\n"
        + "Teach First,2025,,,4,6,0,1000,0,2,1000,3,4,900,5,6,800,,,\n",
    )

    out, _ = run("import_call_off_contracts", path)

    assert "2 created" in out
    contract = CallOffContract.objects.get(lead_provider__name="Ambition Institute")
    assert (contract.version, contract.uplift_amount, contract.monthly_service_fee) == (
        "0.0.1",
        Decimal("100.00"),
        None,
    )
    assert [(b.band, b.min, b.max, b.output_payment_percentage) for b in contract.bands.order_by("band")] == [
        ("A", None, 2, 60),
        ("B", 3, 4, 60),
        ("C", 5, 6, 60),
        ("D", 7, 8, 100),
    ]
    other = CallOffContract.objects.get(lead_provider__name="Teach First")
    assert other.uplift_amount is None and other.monthly_service_fee == Decimal("1000.00")
    assert other.bands.count() == 3
    assert contract.history.get().actor_id == "import_call_off_contracts"
    out, _ = run("import_call_off_contracts", path)
    assert "2 skipped" in out
    assert CallOffContract.objects.count() == 2


def test_import_call_off_contracts_reports_every_bad_row_and_writes_nothing(tmp_path):
    LeadProviderFactory(name="Ambition Institute")
    path = write(
        tmp_path,
        CONTRACT_HEADER
        + "Ambition Institute,2023,0.33,100,4,6,70,,,2,1000,3,4,900,5,6,800,,,\n"
        + "Nobody,2023,0.33,100,4,6,70,,,2,1000,3,4,900,5,6,800,,,\n"
        + "Ambition Institute,1999,0.33,100,4,6,70,,,2,1000,3,4,900,5,6,800,,,\n"
        + "Ambition Institute,2024,0.33,lots,4,6,70,,,2,1000,3,4,900,5,6,800,,,\n"
        + "Ambition Institute,2025,0.33,100,4,6,70,,,2,1000,1,4,900,5,6,800,,,\n",
    )

    with pytest.raises(CommandError, match="4 invalid row"):
        run("import_call_off_contracts", path)

    assert not CallOffContract.objects.exists()


def test_import_report_names_each_bad_row(tmp_path, capsys):
    LeadProviderFactory(name="Ambition Institute")
    path = write(tmp_path, CONTRACT_HEADER + "Nobody,2023,,,4,6,70,,,2,1000,,,,,,,,,\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_call_off_contracts", path, stdout=StringIO(), stderr=err)
    assert err.getvalue().strip() == "row 2: error: unknown lead provider 'Nobody'"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("lead-provider-name,cohort-start-year\nA,2023\n", "Missing header"),
        ("", "Missing header"),
    ],
)
def test_import_rejects_missing_headers(tmp_path, content, message):
    with pytest.raises(CommandError, match=message):
        run("import_call_off_contracts", write(tmp_path, content))


def test_import_rejects_missing_and_binary_files(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run("import_statements", str(tmp_path / "missing.csv"))
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(CommandError, match="not a UTF-8 text file"):
        run("import_statements", str(binary))


def test_import_mentor_call_off_contracts(tmp_path):
    LeadProviderFactory(name="Ambition Institute")
    path = write(
        tmp_path,
        "lead-provider-name,cohort-start-year,recruitment-target,payment-per-participant\n"
        "Ambition Institute,2025,10,1000\n",
    )

    out, _ = run("import_mentor_call_off_contracts", path)
    assert "1 created" in out
    contract = MentorCallOffContract.objects.get()
    assert (contract.recruitment_target, contract.payment_per_participant) == (10, Decimal("1000.00"))
    assert "1 skipped" in run("import_mentor_call_off_contracts", path)[0]

    bad = write(
        tmp_path,
        "lead-provider-name,cohort-start-year,recruitment-target,payment-per-participant\nAmbition Institute,2026,x,1\n",
        "bad.csv",
    )
    with pytest.raises(CommandError):
        run("import_mentor_call_off_contracts", bad)


STATEMENT_HEADER = "type,name,cohort,deadline_date,payment_date,output_fee\n"


def test_import_statements_creates_one_per_provider_with_a_contract(
    tmp_path, lead_provider, other_lead_provider
):
    CallOffContractFactory(lead_provider=lead_provider, cohort=cohort(2023))
    path = write(
        tmp_path,
        STATEMENT_HEADER
        + "ecf,March 2024,2023,2024-02-29,2024-03-25,true\n"
        + "ECF,April 2024,2023,2024-03-31,2024-04-25,false\n"
        + "ecf,May 2024,2023,2024-04-30,2024-05-25,true\n"
        + "npq,May 2024,2023,2024-04-30,2024-05-25,true\n",
    )

    with time_machine.travel(dt.datetime(2024, 4, 10, tzinfo=dt.UTC)):
        out, _ = run("import_statements", path)

    assert "3 created" in out and "1 ignored" in out
    statements = list(Statement.objects.order_by("payment_date"))
    assert [(s.name, s.status, s.output_fee) for s in statements] == [
        ("March 2024", "paid", True),
        ("April 2024", "payable", False),
        ("May 2024", "open", True),
    ]
    assert {s.lead_provider for s in statements} == {lead_provider}
    assert StatementSnapshot.objects.filter(statement=statements[0]).exists()
    assert StatementStateChange.objects.filter(from_status=None).count() == 3
    assert "3 skipped" in run("import_statements", path)[0]
    assert Statement.objects.count() == 3


def test_import_statements_needs_a_mentor_contract_for_mentor_funding_cohorts(tmp_path, lead_provider):
    CallOffContractFactory(lead_provider=lead_provider, cohort=cohort(2025))
    path = write(tmp_path, STATEMENT_HEADER + "ecf,January 2026,2025,2025-12-31,2026-01-25,true\n")

    with pytest.raises(CommandError):
        run("import_statements", path)
    assert not Statement.objects.exists()

    MentorCallOffContractFactory(lead_provider=lead_provider, cohort=cohort(2025))
    run("import_statements", path)
    assert Statement.objects.get().mentor_call_off_contract is not None


@pytest.mark.parametrize(
    "row",
    [
        "ecf,Smarch 2024,2023,2024-02-29,2024-03-25,true",
        "ecf,March 2024,2023,2024-02-30,2024-03-25,true",
        "ecf,March 2024,2023,2024-03-29,2024-03-25,true",
        "ecf,March 2024,2023,2024-02-29,2024-03-25,maybe",
        "ecf,March 2024,abc,2024-02-29,2024-03-25,true",
    ],
)
def test_import_statements_bad_rows(tmp_path, lead_provider, row):
    CallOffContractFactory(lead_provider=lead_provider, cohort=cohort(2023))

    with pytest.raises(CommandError, match="1 invalid row"):
        run("import_statements", write(tmp_path, STATEMENT_HEADER + row + "\n"))
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.0.1", "0.0.2"), ("1.2", "1.3"), ("1", "2"), ("0.0.9", "0.0.10"), ("v1-2", "v1-3")],
)
def test_next_version(version, expected):
    assert next_version(version) == expected


def test_next_version_rejects_long_segments():
    from statements.imports import RowError

    with pytest.raises(RowError):
        next_version("0.0.1000")


def test_update_call_off_contracts_repoints_only_unpaid_statements(tmp_path, lead_provider):
    contract = CallOffContractFactory(lead_provider=lead_provider, cohort=cohort(2023))
    paid = StatementFactory(lead_provider=lead_provider, month=3, paid=True, call_off_contract=contract)
    open_ = StatementFactory(lead_provider=lead_provider, month=4, call_off_contract=contract)
    unchanged = CONTRACT_HEADER + "Ambition Institute,2023,0.33,100,4,6,70,,,2,1000,3,4,900,5,6,800,7,8,700\n"
    changed = CONTRACT_HEADER + "Ambition Institute,2023,0.33,100,4,6,70,0,,2,1000,3,4,900,5,6,800,7,8,700\n"

    assert "1 unchanged" in run("update_call_off_contracts", write(tmp_path, unchanged), "--commit")[0]
    out, _ = run("update_call_off_contracts", write(tmp_path, changed, "changed.csv"))
    assert "Dry run" in out and "1 updated" in out
    assert CallOffContract.objects.count() == 1

    out, _ = run("update_call_off_contracts", write(tmp_path, changed, "changed.csv"), "--commit")

    assert "v0.0.1 → v0.0.2; 1 unpaid statement(s) re-pointed" in out
    new = CallOffContract.objects.get(version="0.0.2")
    assert new.monthly_service_fee == Decimal("0")
    paid.refresh_from_db()
    open_.refresh_from_db()
    assert (paid.call_off_contract, open_.call_off_contract) == (contract, new)
    assert new.bands.count() == 4


# --------------------------------------------------------------------------------------------------
# create_finance_user
# --------------------------------------------------------------------------------------------------


def test_create_finance_user_is_idempotent():
    out, _ = run("create_finance_user", "Ada  Lovelace", "Ada@Example.com")
    assert out.strip() == "Created finance user ada@example.com (Ada Lovelace)"
    out, _ = run("create_finance_user", "Ada Lovelace", "ada@example.com")
    assert out.strip().startswith("Updated")

    user = get_user_model().objects.get()
    assert (user.first_name, user.last_name, user.is_staff) == ("Ada", "Lovelace", True)
    assert user.has_perm("statements.authorise_statement")
    assert not user.has_usable_password()


@pytest.mark.parametrize(("name", "email"), [("Ada", "not-an-email"), ("   ", "ada@example.com")])
def test_create_finance_user_bad_input(name, email):
    with pytest.raises(CommandError):
        run("create_finance_user", name, email)
    assert not get_user_model().objects.exists()


def test_a_run_stopped_half_way_leaves_whole_statements_and_a_rerun_finishes(monkeypatch, lead_provider):
    from statements import services

    march = StatementFactory(lead_provider=lead_provider, month=3)
    april = StatementFactory(lead_provider=lead_provider, month=4)
    put_on(march)
    put_on(april)
    original = services._record_status_change
    calls = []

    def dies_on_the_second_statement(statement, **kwargs):
        calls.append(statement.pk)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is killed while the second statement is being moved
        return original(statement, **kwargs)

    monkeypatch.setattr(services, "_record_status_change", dies_on_the_second_statement)
    with pytest.raises(KeyboardInterrupt):
        run("mark_statements_payable", "--date", "2024-05-01")

    march.refresh_from_db()
    april.refresh_from_db()
    assert (march.status, april.status) == ("payable", "open")
    assert april.line_items.get().state == "eligible"
    assert april.line_items.get().declaration.state == "eligible"

    monkeypatch.setattr(services, "_record_status_change", original)
    out, _ = run("mark_statements_payable", "--date", "2024-05-01")

    assert out.strip() == "Made 1 statement(s) payable as of 2024-05-01, 1 declaration(s) payable"
    april.refresh_from_db()
    assert april.status == "payable"
    assert DeclarationStateChange.objects.filter(to_state="payable").count() == 2


def test_update_mentor_call_off_contracts_repoints_only_unpaid_statements(tmp_path, lead_provider):
    c2025 = cohort(2025)
    contract = MentorCallOffContractFactory(lead_provider=lead_provider, cohort=c2025)
    CallOffContractFactory(lead_provider=lead_provider, cohort=c2025)
    paid = StatementFactory(lead_provider=lead_provider, cohort=c2025, year=2026, month=1, paid=True)
    open_ = StatementFactory(lead_provider=lead_provider, cohort=c2025, year=2026, month=4)
    header = "lead-provider-name,cohort-start-year,recruitment-target,payment-per-participant\n"

    same = write(tmp_path, header + "Ambition Institute,2025,10,1000.00\n")
    assert "1 unchanged" in run("update_mentor_call_off_contracts", same, "--commit")[0]
    changed = write(tmp_path, header + "Ambition Institute,2025,12,1200\n", "changed.csv")
    out, _ = run("update_mentor_call_off_contracts", changed, "--commit")

    assert "mentors v0.0.1 → v0.0.2; 1 unpaid statement(s) re-pointed" in out
    paid.refresh_from_db()
    open_.refresh_from_db()
    assert paid.mentor_call_off_contract == contract
    assert open_.mentor_call_off_contract.payment_per_participant == Decimal("1200.00")
    bad = write(tmp_path, header + "Ambition Institute,2025,12,free\n", "bad.csv")
    with pytest.raises(CommandError, match="1 invalid row"):
        run("update_mentor_call_off_contracts", bad, "--commit")
