"""Declarations racing DfE eligibility changes and the statement runs: a submission racing an eligibility
change must not strand a declaration in `submitted`, nothing may deadlock (lock order: training record →
participant → declaration, as participants uses; statement rows before declarations)."""

import threading

import pytest
from django.db import connection

from config.actors import Actor
from declarations import services
from declarations.models import Declaration
from participants.services import participant_set_eligibility
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


def test_submission_racing_eligibility_ends_eligible(monkeypatch):
    lead_provider = LeadProviderFactory(name="Race provider")
    statement = output_statement(lead_provider, 2024)
    enrolment = enrol(lead_provider=lead_provider, not_yet_eligible=True)
    record = enrolment.training_record
    client = make_provider_client(lead_provider)

    inserted, eligibility_done = threading.Event(), threading.Event()
    original = services._duplicate_of

    def pause_after_insert(declaration):
        inserted.set()
        eligibility_done.wait(3)  # with correct locking the eligibility change waits for this commit
        return original(declaration)

    monkeypatch.setattr(services, "_duplicate_of", pause_after_insert)

    def submit():
        return client.post_json(URL, declaration_body(record.participant_id)).status_code

    def make_eligible():
        assert inserted.wait(20)
        participant_set_eligibility(
            training_record=record, status="eligible", reason=None, actor=Actor.command("test")
        )
        eligibility_done.set()

    results, errors = in_threads([submit, make_eligible])

    assert errors == []
    assert results[0] == 200
    declaration = Declaration.objects.get()
    assert declaration.state == "eligible"
    assert list(StatementLineItem.objects.values_list("statement_id", "state")) == [
        (statement.pk, "eligible")
    ]


def test_void_of_mentor_completed_racing_eligibility_does_not_deadlock(monkeypatch):
    lead_provider = LeadProviderFactory(name="Race provider")
    output_statement(lead_provider, 2024)
    enrolment = enrol(lead_provider=lead_provider, participant_type="mentor", not_yet_eligible=True)
    record = enrolment.training_record
    declaration = DeclarationFactory(
        lead_provider=lead_provider, enrolment=enrolment, declaration_type="completed"
    )
    assert declaration.course_identifier == "ecf-mentor"

    voided, promoting = threading.Event(), threading.Event()
    original_recompute = services.mentor_completion_recompute
    original_promote = services.declarations_promote_for_training_record

    def pause_before_recompute(**kwargs):
        voided.set()
        promoting.wait(3)  # the eligibility change now holds the training record's row lock
        return original_recompute(**kwargs)

    def signal_promotion(**kwargs):
        promoting.set()
        return original_promote(**kwargs)

    monkeypatch.setattr(services, "mentor_completion_recompute", pause_before_recompute)
    monkeypatch.setattr(services, "declarations_promote_for_training_record", signal_promotion)

    def void():
        services.declaration_void(declaration=declaration, actor=Actor.command("test"))

    def make_eligible():
        assert voided.wait(20)
        participant_set_eligibility(
            training_record=record, status="eligible", reason=None, actor=Actor.command("test")
        )

    _, errors = in_threads([void, make_eligible])

    assert errors == []
    declaration.refresh_from_db()
    assert declaration.state == "voided"


def test_submission_racing_the_payable_run_never_leaves_an_eligible_line_on_a_payable_statement(monkeypatch):
    """Around midnight a POST may pick the statement whose deadline is today while the payable run (already
    on the next day) moves it: the statement row lock must order them."""
    import datetime as dt

    from statements.services import statement_make_payable

    lead_provider = LeadProviderFactory(name="Race provider")
    statement = output_statement(lead_provider, 2024)
    enrolment = enrol(lead_provider=lead_provider)
    client = make_provider_client(lead_provider)

    chosen, run_done = threading.Event(), threading.Event()
    original = StatementLedgerForDeclarations.add_output_line

    def pause_before_attach(self, **kwargs):
        chosen.set()
        run_done.wait(3)  # with the statement locked, the run waits for this commit instead
        return original(self, **kwargs)

    monkeypatch.setattr(StatementLedgerForDeclarations, "add_output_line", pause_before_attach)

    def submit():
        return client.post_json(URL, declaration_body(enrolment.training_record.participant_id)).status_code

    def run():
        assert chosen.wait(20)
        result = statement_make_payable(
            statement_id=statement.pk,
            actor=Actor.command("test"),
            today=statement.deadline_date + dt.timedelta(days=1),
        )
        run_done.set()
        return result

    results, errors = in_threads([submit, run])

    assert errors == []
    assert results[0] == 200
    statement.refresh_from_db()
    declaration = Declaration.objects.get()
    line = StatementLineItem.objects.get()
    assert statement.status == "payable"
    assert line.statement_id == statement.pk
    assert (declaration.state, line.state) == ("payable", "payable")


def test_two_promotions_crossing_providers_do_not_deadlock(monkeypatch):
    """Each promotion locks the statements it attaches to; two people whose submitted declarations are with
    the same two providers, created in opposite orders, must take those locks in one order."""
    first, second = LeadProviderFactory(name="First"), LeadProviderFactory(name="Second")
    output_statement(first, 2024)
    output_statement(second, 2024)
    records = []
    for order in ((first, second), (second, first)):
        enrolment = enrol(lead_provider=order[0], not_yet_eligible=True)
        for lead_provider, declaration_type in zip(order, ("started", "retained-1"), strict=True):
            DeclarationFactory(
                lead_provider=lead_provider, enrolment=enrolment, declaration_type=declaration_type
            )
        records.append(enrolment.training_record)

    arrived = {}
    lock = threading.Lock()
    original = StatementLedgerForDeclarations.next_output_statement

    def pause_after_first_lock(self, **kwargs):
        statement = original(self, **kwargs)
        me = threading.get_ident()
        with lock:
            first_call = me not in arrived
            if first_call:
                arrived[me] = threading.Event()
        if first_call:
            arrived[me].set()
            for ident, event in list(arrived.items()):
                if ident != me:
                    event.wait(3)
            if len(arrived) < 2:
                threading.Event().wait(1)
        return statement

    monkeypatch.setattr(StatementLedgerForDeclarations, "next_output_statement", pause_after_first_lock)
    actor = Actor.command("test")

    results, errors = in_threads(
        [
            lambda record=record: services.declarations_promote_for_training_record(
                training_record=record, actor=actor
            )
            for record in records
        ],
        start=threading.Barrier(2, timeout=20),
    )

    assert errors == []
    assert results == [2, 2]
    assert set(Declaration.objects.values_list("state", flat=True)) == {"eligible"}
