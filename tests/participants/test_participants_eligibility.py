"""participant_set_eligibility and the import_eligibility command."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from config.actors import Actor
from participants.exceptions import EligibilityError
from participants.models import EligibilityChange, Participant, TrainingRecord
from participants.services import participant_set_eligibility
from participants.signals import eligibility_changed
from tests.factories.participants import TrainingRecordFactory

pytestmark = pytest.mark.django_db

STAFF = Actor.command("test")


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append({**kwargs, "in_transaction": connection.in_atomic_block})

    eligibility_changed.connect(receiver, dispatch_uid="test-eligibility-receiver")
    yield calls
    eligibility_changed.disconnect(dispatch_uid="test-eligibility-receiver")


def test_setting_eligible_writes_one_row_touches_the_person_and_signals(received):
    record = TrainingRecordFactory(not_yet_eligible=True)
    before = Participant.objects.get(pk=record.participant_id).updated_at

    participant_set_eligibility(training_record=record, status="eligible", reason=None, actor=STAFF)

    record.refresh_from_db()
    assert (record.eligibility_status, record.eligibility_reason) == ("eligible", "none")
    change = EligibilityChange.objects.get()
    assert (change.from_status, change.to_status, change.from_reason, change.to_reason) == (
        None,
        "eligible",
        None,
        "none",
    )
    assert (change.actor_kind, change.actor_id) == ("command", "test")
    assert Participant.objects.get(pk=record.participant_id).updated_at > before
    [call] = received
    assert call["training_record"].pk == record.pk
    assert (call["from_status"], call["to_status"], call["actor"]) == (None, "eligible", STAFF)
    assert call["in_transaction"] is True


@pytest.mark.parametrize(
    ("status", "reason"),
    [("ineligible", "previous_induction"), ("manual_check", "active_flags"), ("matched", "none")],
)
def test_other_statuses(received, status, reason):
    record = TrainingRecordFactory()
    participant_set_eligibility(training_record=record, status=status, reason=reason, actor=STAFF)
    record.refresh_from_db()
    assert (record.eligibility_status, record.eligibility_reason) == (status, reason)
    assert EligibilityChange.objects.count() == 1
    assert len(received) == 1


def test_unchanged_value_writes_nothing(received):
    record = TrainingRecordFactory()  # eligible / none
    participant_set_eligibility(training_record=record, status="eligible", reason="none", actor=STAFF)
    assert EligibilityChange.objects.count() == 0
    assert received == []


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        ("great", None, "Unknown eligibility status 'great'"),
        (None, None, "Unknown eligibility status None"),
        ("ineligible", None, "A reason is required when the status is ineligible."),
        ("manual_check", "", "A reason is required when the status is manual_check."),
        ("ineligible", "none", "A reason other than 'none' is required when the status is ineligible."),
        ("ineligible", "bad_luck", "Unknown eligibility reason 'bad_luck'"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(received, status, reason, message):
    record = TrainingRecordFactory(not_yet_eligible=True)
    with pytest.raises(EligibilityError) as error:
        participant_set_eligibility(training_record=record, status=status, reason=reason, actor=STAFF)
    assert error.value.detail.startswith(message)
    record.refresh_from_db()
    assert record.eligibility_status is None
    assert EligibilityChange.objects.count() == 0
    assert received == []


# --- import_eligibility -------------------------------------------------------------------------------


def write_csv(tmp_path, text):
    path = tmp_path / "eligibility.csv"
    path.write_text(text)
    return str(path)


def run(*args):
    out = io.StringIO()
    call_command("import_eligibility", *args, stdout=out)
    return out.getvalue()


def test_import_applies_every_row(tmp_path, received):
    first = TrainingRecordFactory(not_yet_eligible=True)
    second = TrainingRecordFactory()
    path = write_csv(
        tmp_path,
        f"training_record_id,status,reason\n{first.pk},eligible,\n{second.pk},ineligible,previous_participation\n",
    )

    output = run(path)

    assert "Changed 2, unchanged 0, failed 0 of 2 rows" in output
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.eligibility_status == "eligible"
    assert (second.eligibility_status, second.eligibility_reason) == ("ineligible", "previous_participation")
    assert EligibilityChange.objects.filter(actor_kind="command", actor_id="import_eligibility").count() == 2
    assert len(received) == 2

    assert "Changed 0, unchanged 2, failed 0 of 2 rows" in run(path)  # idempotent


def test_bad_rows_are_reported_others_applied_and_exit_non_zero(tmp_path):
    good = TrainingRecordFactory(not_yet_eligible=True)
    path = write_csv(
        tmp_path,
        "training_record_id,status,reason\n"
        f"{good.pk},eligible,\n"
        "not-a-uuid,eligible,\n"
        "00000000-0000-0000-0000-000000000000,eligible,\n"
        f"{good.pk},ineligible,\n",
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_eligibility", path, stdout=out)

    assert "3 row(s) failed" in str(error.value)
    output = out.getvalue()
    assert "line 3: FAILED not a training record id: 'not-a-uuid'" in output
    assert "line 4: FAILED no training record 00000000-0000-0000-0000-000000000000" in output
    assert "line 5: FAILED A reason is required when the status is ineligible." in output
    assert "Changed 1, unchanged 0, failed 3 of 4 rows" in output
    good.refresh_from_db()
    assert good.eligibility_status == "eligible"


def test_dry_run_changes_nothing(tmp_path, received):
    record = TrainingRecordFactory(not_yet_eligible=True)
    path = write_csv(tmp_path, f"training_record_id,status,reason\n{record.pk},eligible,none\n")

    output = run(path, "--dry-run")

    assert "Dry run: would change 1, unchanged 0, failed 0 of 1 rows" in output
    record.refresh_from_db()
    assert record.eligibility_status is None
    assert EligibilityChange.objects.count() == 0


def test_missing_columns_and_missing_file_are_command_errors(tmp_path):
    with pytest.raises(CommandError, match="Missing column"):
        run(write_csv(tmp_path, "id,eligibility\n1,2\n"))
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "absent.csv"))
    assert TrainingRecord.objects.count() == 0


def test_eligibility_feeds_the_api(provider_client, lead_provider, tmp_path):
    from tests.factories.participants import enrol

    ir = enrol(lead_provider=lead_provider, eligibility_status=None, eligibility_reason=None)
    path = write_csv(
        tmp_path, f"training_record_id,status,reason\n{ir.training_record_id},ineligible,no_qts\n"
    )
    run(path)
    [enrolment] = provider_client.get("/api/v3/participants/ecf").json()["data"][0]["attributes"][
        "ecf_enrolments"
    ]
    assert enrolment["eligible_for_funding"] is False


def test_declarations_listen_and_promote_submitted_declarations(lead_provider):
    """The signal is received by declarations: a submitted declaration becomes eligible."""
    from declarations.models import Declaration
    from tests.factories.declarations import output_statement
    from tests.factories.participants import enrol

    ir = enrol(lead_provider=lead_provider, eligibility_status=None, eligibility_reason=None)
    output_statement(lead_provider, 2024)
    record = ir.training_record
    declaration = Declaration.objects.create(
        participant_id=record.participant_id,
        training_record=record,
        lead_provider=lead_provider,
        cohort=record.schedule.cohort,
        declaration_type="started",
        declaration_date=ir.start_date,
        course_identifier="ecf-induction",
    )

    participant_set_eligibility(training_record=record, status="eligible", reason=None, actor=STAFF)

    declaration.refresh_from_db()
    assert declaration.state == "eligible"
