"""import_clawbacks, migrate_declarations_between_statements and backfill_declaration_uplift_flags: their
refusals and their effect."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from declarations.models import Declaration, DeclarationStateChange
from participants.models import TrainingRecord
from statements.models import StatementLineItem, StatementSnapshot
from statements.selectors import statement_calculate, statement_figures
from statements.services import statement_snapshot_write
from tests.factories.declarations import DeclarationFactory, output_statement
from tests.factories.partnerships import LeadProviderFactory
from tests.factories.statements import StatementFactory, put_on

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), str(error)
    return out.getvalue(), err.getvalue(), None


def write(tmp_path, text):
    path = tmp_path / "clawbacks.csv"
    path.write_text(text)
    return str(path)


# --------------------------------------------------------------------------------------------------
# import_clawbacks
# --------------------------------------------------------------------------------------------------


def test_import_clawbacks_claws_back_good_rows_and_reports_each_bad_one(tmp_path, lead_provider):
    next_statement = output_statement(lead_provider, 2024)
    paid = DeclarationFactory(lead_provider=lead_provider, paid=True)
    eligible = DeclarationFactory(lead_provider=lead_provider, eligible=True)
    awaiting = DeclarationFactory(lead_provider=lead_provider, awaiting_clawback=True)
    no_statement = DeclarationFactory(lead_provider=LeadProviderFactory(), paid=True)  # no next statement
    path = write(
        tmp_path,
        "declaration_id\n"
        f"{paid.pk}\n"
        "00000000-0000-0000-0000-00000000abcd\n"
        "not-an-id\n"
        f"{eligible.pk}\n"
        f"{awaiting.pk}\n"
        "\n"
        f"{no_statement.pk}\n",
    )

    out, err, error = run("import_clawbacks", path)

    assert out.splitlines()[0] == f"row 2: clawed back: {paid.pk} awaiting clawback on {next_statement.label}"
    assert err.splitlines() == [
        "row 3: error: 00000000-0000-0000-0000-00000000abcd: no declaration has this id",
        "row 4: error: not-an-id: no declaration has this id",
        f"row 5: error: {eligible.pk}: Participant declaration must be paid before it can be clawed back "
        "(it is eligible)",
        f"row 6: error: {awaiting.pk}: Participant declaration will or has been be refunded "
        "(it is awaiting-clawback)",
        f"row 8: error: {no_statement.pk}: Participant declaration You cannot submit or void declarations for "
        "the 2024 cohort. The funding contract for this cohort has ended. Get in touch if you need to discuss "
        "this with us",
    ]
    assert error == "1 clawed back, 5 failed"
    paid.refresh_from_db()
    assert paid.state == "awaiting_clawback" and paid.voided_by is None
    assert StatementLineItem.objects.get(declaration=paid, kind="clawback").statement == next_statement
    assert DeclarationStateChange.objects.filter(
        declaration=paid, to_state="awaiting_clawback"
    ).get().actor_id == ("import_clawbacks")
    assert Declaration.objects.get(pk=eligible.pk).state == "eligible"  # never voided instead
    assert Declaration.objects.get(pk=no_statement.pk).state == "paid"


def test_import_clawbacks_dry_run_and_header(tmp_path, lead_provider):
    output_statement(lead_provider, 2024)
    paid = DeclarationFactory(lead_provider=lead_provider, paid=True)
    out, _, error = run("import_clawbacks", write(tmp_path, f"declaration_id\n{paid.pk}\n"), "--dry-run")
    assert error is None
    assert "row 2: would claw back" in out and "Dry run (nothing saved): 1 clawed back, 0 failed" in out
    assert Declaration.objects.get(pk=paid.pk).state == "paid"
    assert not StatementLineItem.objects.filter(declaration=paid, kind="clawback").exists()

    _, _, error = run("import_clawbacks", write(tmp_path, f"id\n{paid.pk}\n"))
    assert error == "The header must be exactly 'declaration_id' (found 'id')."
    _, _, error = run("import_clawbacks", str(tmp_path / "missing.csv"))
    assert error.startswith("File not found")


# --------------------------------------------------------------------------------------------------
# migrate_declarations_between_statements
# --------------------------------------------------------------------------------------------------

MOVE = ("migrate_declarations_between_statements", "--cohort", "2023")


@pytest.fixture
def april(lead_provider):
    return StatementFactory(lead_provider=lead_provider, month=4)  # open


@pytest.fixture
def january(lead_provider):
    return StatementFactory(lead_provider=lead_provider, month=1, payable=True)


def test_move_onto_a_payable_statement_is_a_dry_run_until_commit(april, january):
    started = put_on(april)
    retained = put_on(april, declaration_type="retained-1")

    out, _, error = run(*MOVE, "--from", "April 2024", "--to", "January 2024")
    assert error is None
    assert "would move 2 line(s) from April 2024 to January 2024 (2 declaration(s) eligible → payable" in out
    assert out.strip().endswith(
        "Dry run (nothing saved; --commit to apply): 2 line(s) would move for 1 provider(s)"
    )
    assert StatementLineItem.objects.filter(statement=april).count() == 2
    assert Declaration.objects.get(pk=started.pk).state == "eligible"

    out, _, error = run(
        *MOVE, "--from", "April 2024", "--to", "January 2024", "--declaration-type", "started", "--commit"
    )
    assert error is None and "moved 1 line(s)" in out
    line = StatementLineItem.objects.get(declaration=started)
    assert (line.statement_id, line.state) == (january.pk, "payable")
    assert Declaration.objects.get(pk=started.pk).state == "payable"
    change = DeclarationStateChange.objects.get(declaration=started, to_state="payable")
    assert change.actor_id == "migrate_declarations_between_statements"
    assert line.history.latest().actor_id == "migrate_declarations_between_statements"
    assert StatementLineItem.objects.get(declaration=retained).statement_id == april.pk


def test_move_onto_an_open_statement_moves_payable_declarations_back(lead_provider, april, january):
    payable = put_on(january, line_state="payable")
    out, _, error = run(*MOVE, "--from", "January 2024", "--to", "April 2024", "--commit")
    assert error is None and "(0 declaration(s) eligible → payable, 1 payable → eligible)" in out
    line = StatementLineItem.objects.get(declaration=payable)
    assert (line.statement_id, line.state) == (april.pk, "eligible")
    assert Declaration.objects.get(pk=payable.pk).state == "eligible"


@pytest.mark.parametrize("paid_one", ["source", "target"])
def test_move_refuses_paid_statements(lead_provider, paid_one):
    source = StatementFactory(lead_provider=lead_provider, month=4, paid=paid_one == "source")
    target = StatementFactory(lead_provider=lead_provider, month=1, paid=paid_one == "target")
    declaration = put_on(source, line_state="paid" if paid_one == "source" else "eligible")
    _, _, error = run(*MOVE, "--from", "April 2024", "--to", "January 2024", "--commit")
    paid = source if paid_one == "source" else target
    role = "move out of" if paid_one == "source" else "move into"
    assert error == f"Nothing moved: Cannot {role} {paid.label}: it is paid."
    assert StatementLineItem.objects.get(declaration=declaration).statement_id == source.pk


def test_move_refuses_bad_names_missing_targets_and_authorised_statements(lead_provider, april):
    put_on(april)
    assert run(*MOVE, "--from", "Apr 2024", "--to", "January 2024")[2] == (
        "Nothing moved: 'Apr 2024' is not a statement name such as 'January 2026'."
    )
    assert run(*MOVE, "--from", "April 2024", "--to", "April 2024")[2] == (
        "Nothing moved: The source and target statements are the same."
    )
    assert run(*MOVE, "--from", "April 2024", "--to", "January 2024")[2] == (
        f"Nothing moved: {lead_provider} has no January 2024 statement in cohort {april.cohort}."
    )
    assert run(*MOVE, "--from", "April 2024", "--to", "January 2024", "--lead-provider", "Nobody")[2] == (
        "Nothing moved: No April 2024 statement in cohort 2023 for: Nobody."
    )
    StatementFactory(lead_provider=lead_provider, month=1, authorised=True)
    assert "it is authorised for payment" in run(*MOVE, "--from", "April 2024", "--to", "January 2024")[2]
    assert run("migrate_declarations_between_statements", "--cohort", "1999", "--from", "a", "--to", "b")[
        2
    ] == ("No cohort 1999.")


# --------------------------------------------------------------------------------------------------
# backfill_declaration_uplift_flags
# --------------------------------------------------------------------------------------------------


def test_backfill_requires_a_cohort():
    assert run("backfill_declaration_uplift_flags")[2] == (
        "--cohort is required: this rewrites declarations of one cohort at a time."
    )
    assert run("backfill_declaration_uplift_flags", "--cohort", "1999")[2] == "No cohort 1999."


def test_backfill_copies_flags_and_paid_statements_keep_their_figures(lead_provider):
    snapshotted = StatementFactory(lead_provider=lead_provider, month=1, paid=True)
    unfrozen = StatementFactory(lead_provider=lead_provider, month=2, paid=True)
    current = StatementFactory(lead_provider=lead_provider, month=4)
    on_paid = put_on(snapshotted, line_state="paid")
    on_unfrozen = put_on(unfrozen, line_state="paid")
    on_open = put_on(current)
    statement_snapshot_write(statement=snapshotted, calculation=statement_calculate(snapshotted))
    TrainingRecord.objects.filter(
        pk__in=[d.training_record_id for d in (on_paid, on_unfrozen, on_open)]
    ).update(sparsity_uplift=True)
    before = {s.pk: statement_figures(s).uplift_fees for s in (snapshotted, unfrozen, current)}
    assert set(before.values()) == {Decimal("0")}

    out, _, error = run("backfill_declaration_uplift_flags", "--cohort", "2023")
    assert error is None and "3 declaration(s) of cohort 2023 would change" in out
    assert not Declaration.objects.filter(sparsity_uplift=True).exists()
    assert StatementSnapshot.objects.count() == 1

    out, _, error = run("backfill_declaration_uplift_flags", "--cohort", "2023", "--commit")
    assert error is None
    assert f"{unfrozen.label}: paid without a snapshot; its figures are frozen first" in out
    assert "3 declaration(s) of cohort 2023 updated" in out
    assert Declaration.objects.filter(sparsity_uplift=True).count() == 3
    assert statement_figures(snapshotted).uplift_fees == 0
    assert statement_figures(unfrozen).uplift_fees == 0
    assert statement_figures(current).uplift_fees > 0
    # Nothing left to change: a second run is a no-op.
    assert (
        "0 declaration(s) of cohort 2023 updated"
        in run("backfill_declaration_uplift_flags", "--cohort", "2023", "--commit")[0]
    )
