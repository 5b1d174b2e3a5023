"""Races on PostgreSQL around declarations (retries, one live declaration per slot, void against
promotion): real threads, connections and row locks.

Each race has a control that removes the protection (row locks and/or the slot constraint) and forces the
interleaving with a barrier placed between the check and the write, to prove the race is real.
"""

import threading

import pytest
from django.db import connection
from django.db.models import QuerySet

from config.actors import Actor
from declarations import services
from declarations.models import Declaration, DeclarationAttempt, DeclarationStateChange
from statements.for_declarations import StatementLedgerForDeclarations
from statements.models import StatementLineItem
from tests.concurrency import in_threads
from tests.conftest import make_provider_client
from tests.declarations.helpers import URL
from tests.factories.declarations import DeclarationFactory, declaration_body, output_statement
from tests.factories.participants import enrol
from tests.factories.partnerships import LeadProviderFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

SLOT_CONSTRAINT = next(c for c in Declaration._meta.constraints if c.name == "declaration_one_live_per_slot")


def remove_row_locks(monkeypatch):
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)


def barrier_before_insert(monkeypatch, parties):
    """Every submission waits, after all its checks, until `parties` submissions got that far."""
    barrier = threading.Barrier(parties, timeout=20)
    original = services._create

    def waiting(**kwargs):
        barrier.wait()
        return original(**kwargs)

    monkeypatch.setattr(services, "_create", waiting)


class dropped_slot_constraint:
    """Removes the one-live-declaration constraint for the block and puts it back after removing what it let in."""

    def __enter__(self):
        with connection.schema_editor() as editor:
            editor.remove_constraint(Declaration, SLOT_CONSTRAINT)

    def __exit__(self, *exc):
        keep = Declaration.objects.order_by("created_at", "id").values_list("pk", flat=True).first()
        extra = Declaration.objects.exclude(pk=keep)
        DeclarationAttempt.objects.filter(declaration__in=extra).update(declaration=None)
        DeclarationStateChange.objects.filter(declaration__in=extra)._raw_delete(connection.alias)
        StatementLineItem.history.filter(declaration_id__in=extra.values("pk")).delete()
        StatementLineItem.objects.filter(declaration__in=extra).delete()
        extra.delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Declaration, SLOT_CONSTRAINT)
        return False


@pytest.fixture
def setup_ect():
    lead_provider = LeadProviderFactory(name="Race provider")
    output_statement(lead_provider, 2024)
    enrolment = enrol(lead_provider=lead_provider)
    client = make_provider_client(lead_provider)
    return lead_provider, enrolment.training_record.participant, client


def post_from_thread(client, body):
    def target():
        response = client.post_json(URL, body)
        return response.status_code, response.json()

    return target


def test_twenty_identical_posts_make_one_declaration(setup_ect):
    _, participant, client = setup_ect
    body = declaration_body(participant.id)

    results, errors = in_threads(
        [post_from_thread(client, body)] * 20, start=threading.Barrier(20, timeout=20)
    )

    assert errors == []
    assert Declaration.objects.count() == 1
    declaration = Declaration.objects.get()
    assert [status for status, _ in results] == [200] * 20
    assert {payload["data"]["id"] for _, payload in results} == {str(declaration.pk)}
    assert DeclarationAttempt.objects.count() == 20
    assert DeclarationStateChange.objects.filter(declaration=declaration).count() == 2
    assert StatementLineItem.objects.count() == 1


def test_identical_posts_without_locks_are_caught_by_the_constraint(setup_ect, monkeypatch):
    """Locks removed, constraint kept: every insert after the first fails and answers with the winner."""
    _, participant, client = setup_ect
    remove_row_locks(monkeypatch)
    barrier_before_insert(monkeypatch, 5)

    results, errors = in_threads([post_from_thread(client, declaration_body(participant.id))] * 5)

    assert errors == []
    declaration = Declaration.objects.get()
    assert [status for status, _ in results] == [200] * 5
    assert {payload["data"]["id"] for _, payload in results} == {str(declaration.pk)}


def test_control_identical_posts_without_locks_or_constraint_duplicate(setup_ect, monkeypatch):
    _, participant, client = setup_ect
    remove_row_locks(monkeypatch)
    barrier_before_insert(monkeypatch, 5)

    with dropped_slot_constraint():
        results, errors = in_threads([post_from_thread(client, declaration_body(participant.id))] * 5)
        created = Declaration.objects.count()

    assert errors == []
    assert [status for status, _ in results] == [200] * 5
    assert created == 5  # what the lock and the constraint prevent


def test_two_different_posts_for_one_slot(setup_ect):
    _, participant, client = setup_ect
    bodies = [
        declaration_body(participant.id, declaration_date="2024-10-01T09:30:00Z"),
        declaration_body(participant.id, declaration_date="2024-10-02T09:30:00Z"),
    ]

    results, errors = in_threads(
        [post_from_thread(client, b) for b in bodies], start=threading.Barrier(2, timeout=20)
    )

    assert errors == []
    assert sorted(status for status, _ in results) == [200, 422]
    refused = next(payload for status, payload in results if status == 422)
    assert refused == {
        "errors": [
            {
                "title": "base",
                "detail": "A declaration has already been submitted that will be, or has been, paid for this event",
            }
        ]
    }
    assert Declaration.objects.count() == 1


def test_two_different_posts_without_locks_hit_the_constraint(setup_ect, monkeypatch):
    _, participant, client = setup_ect
    remove_row_locks(monkeypatch)
    barrier_before_insert(monkeypatch, 2)
    bodies = [
        declaration_body(participant.id, declaration_date="2024-10-01T09:30:00Z"),
        declaration_body(participant.id, declaration_date="2024-10-02T09:30:00Z"),
    ]

    results, errors = in_threads([post_from_thread(client, b) for b in bodies])

    assert errors == []
    assert sorted(status for status, _ in results) == [200, 422]
    assert Declaration.objects.count() == 1


def test_control_two_different_posts_without_protection_both_succeed(setup_ect, monkeypatch):
    _, participant, client = setup_ect
    remove_row_locks(monkeypatch)
    barrier_before_insert(monkeypatch, 2)
    bodies = [
        declaration_body(participant.id, declaration_date="2024-10-01T09:30:00Z"),
        declaration_body(participant.id, declaration_date="2024-10-02T09:30:00Z"),
    ]

    with dropped_slot_constraint():
        results, errors = in_threads([post_from_thread(client, b) for b in bodies])
        created = Declaration.objects.count()

    assert errors == []
    assert [status for status, _ in results] == [200, 200]
    assert created == 2


def test_duplicates_by_trn_racing_leave_one_original(monkeypatch):
    """Two people sharing a TRN declared at once: the TRN lock makes the second a duplicate of the first."""
    from tests.factories.participants import ParticipantFactory

    lead_provider = LeadProviderFactory(name="Race provider")
    output_statement(lead_provider, 2024)
    first = enrol(lead_provider=lead_provider, participant=ParticipantFactory(trn="7654321"))
    second = enrol(lead_provider=lead_provider, participant=ParticipantFactory(trn="7654321"))
    client = make_provider_client(lead_provider)
    bodies = [
        declaration_body(first.training_record.participant_id),
        declaration_body(second.training_record.participant_id),
    ]

    _results, errors = in_threads(
        [post_from_thread(client, b) for b in bodies], start=threading.Barrier(2, timeout=20)
    )

    assert errors == []
    assert sorted(Declaration.objects.values_list("state", flat=True)) == ["eligible", "ineligible"]


# --- identical retries of a declaration refused as a duplicate ------------------------------------------


@pytest.fixture
def duplicate_teacher():
    """A teacher registered twice (two people sharing a TRN): another provider's declaration for the first
    registration is paid, so the provider's declaration for the second is refused as a duplicate."""
    from tests.factories.participants import ParticipantFactory

    lead_provider = LeadProviderFactory(name="Race provider")
    other = LeadProviderFactory(name="Other provider")
    output_statement(lead_provider, 2024)
    original = enrol(lead_provider=other, participant=ParticipantFactory(trn="7654321"))
    DeclarationFactory(lead_provider=other, enrolment=original, paid=True)
    second = enrol(lead_provider=lead_provider, participant=ParticipantFactory(trn="7654321"))
    return second.training_record.participant, make_provider_client(lead_provider)


def test_identical_retries_of_a_refused_duplicate_make_one_declaration(duplicate_teacher):
    participant, client = duplicate_teacher
    body = declaration_body(participant.id)

    results, errors = in_threads(
        [post_from_thread(client, body)] * 10, start=threading.Barrier(10, timeout=20)
    )

    assert errors == []
    declaration = Declaration.objects.get(participant=participant)
    assert declaration.state == "ineligible"
    assert [status for status, _ in results] == [200] * 10
    assert {payload["data"]["id"] for _, payload in results} == {str(declaration.pk)}
    assert StatementLineItem.objects.filter(declaration__participant=participant).count() == 1
    assert DeclarationAttempt.objects.filter(declaration=declaration).count() == 10


def test_control_identical_retries_of_a_refused_duplicate_without_locks_duplicate(
    duplicate_teacher, monkeypatch
):
    """Locks removed and every retry held after its checks: each inserts its own declaration. Ineligible
    declarations are outside the one-live-declaration constraint, so only the person locks prevent this."""
    participant, client = duplicate_teacher
    remove_row_locks(monkeypatch)
    barrier_before_insert(monkeypatch, 5)

    results, errors = in_threads([post_from_thread(client, declaration_body(participant.id))] * 5)

    assert errors == []
    assert [status for status, _ in results] == [200] * 5
    assert (
        list(Declaration.objects.filter(participant=participant).values_list("state", flat=True))
        == ["ineligible"] * 5
    )
    assert StatementLineItem.objects.filter(declaration__participant=participant).count() == 5


# --- void racing an eligibility promotion -------------------------------------------------------------


def _chain_is_consistent(declaration) -> bool:
    rows = list(DeclarationStateChange.objects.filter(declaration=declaration).order_by("changed_at", "id"))
    previous = None
    for row in rows:
        if row.from_state != previous:
            return False
        previous = row.to_state
    return previous == declaration.state


def _race_void_and_promotion(monkeypatch, *, pause_between_read_and_write: bool):
    lead_provider = LeadProviderFactory(name="Race provider")
    statement = output_statement(lead_provider, 2024)
    enrolment = enrol(lead_provider=lead_provider, not_yet_eligible=True)
    declaration = DeclarationFactory(lead_provider=lead_provider, enrolment=enrolment)
    record = enrolment.training_record

    if pause_between_read_and_write:
        barrier = threading.Barrier(2, timeout=20)
        original_void = Declaration.void
        original_next = StatementLedgerForDeclarations.next_output_statement

        def void_after_barrier(self, **kwargs):
            barrier.wait()
            return original_void(self, **kwargs)

        def next_after_barrier(self, **kwargs):
            barrier.wait()
            return original_next(self, **kwargs)

        monkeypatch.setattr(Declaration, "void", void_after_barrier)
        monkeypatch.setattr(StatementLedgerForDeclarations, "next_output_statement", next_after_barrier)
        start = None
    else:
        start = threading.Barrier(2, timeout=20)

    actor = Actor.command("test")
    _, errors = in_threads(
        [
            lambda: services.declaration_void(declaration=declaration, actor=actor),
            lambda: services.declarations_promote_for_training_record(training_record=record, actor=actor),
        ],
        start=start,
    )
    declaration.refresh_from_db()
    return declaration, statement, errors


@pytest.mark.parametrize("attempt", range(5))
def test_void_racing_promotion_ends_in_an_allowed_state(monkeypatch, attempt):
    declaration, _statement, errors = _race_void_and_promotion(
        monkeypatch, pause_between_read_and_write=False
    )

    assert errors == []
    assert declaration.state == "voided"
    assert _chain_is_consistent(declaration)
    lines = list(StatementLineItem.objects.filter(declaration=declaration).values_list("state", flat=True))
    promoted = DeclarationStateChange.objects.filter(declaration=declaration, to_state="eligible").exists()
    assert lines == (["voided"] if promoted else [])


def test_control_void_racing_promotion_without_locks_breaks_history(monkeypatch):
    remove_row_locks(monkeypatch)

    declaration, _, errors = _race_void_and_promotion(monkeypatch, pause_between_read_and_write=True)

    assert errors == []
    # Both read `submitted` and both wrote: two transitions out of `submitted`, which the machine forbids.
    assert DeclarationStateChange.objects.filter(declaration=declaration, from_state="submitted").count() == 2
    assert not _chain_is_consistent(declaration)
