"""Races on PostgreSQL between payment runs and voids, each with a control that removes the
row locks and shows what they prevent. Real threads, real connections, real row locks.
"""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.db.models import QuerySet

from config.actors import Actor
from declarations.models import Declaration, DeclarationStateChange
from declarations.services import declaration_void
from statements import services
from statements.models import StatementLineItem, StatementSnapshot, StatementStateChange
from tests.factories.statements import StatementFactory, bulk_put_on, put_on

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def in_threads(*targets):
    """Runs each target in its own thread (own connection); returns the exceptions they raised."""
    errors = []

    def wrap(target):
        try:
            target()
        except Exception as error:  # collected and asserted by the test
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=wrap, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return errors


def remove_row_locks(monkeypatch):
    """The control: every select_for_update becomes a plain SELECT."""
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)


def slow_lock_declarations(monkeypatch, *, after_lock=None, pause=0.4):
    """The run pauses right after it locked (and moved) a set of declarations, holding their locks."""
    original = services.declarations_transition

    def slowed(**kwargs):
        ids = original(**kwargs)
        if after_lock is not None:
            after_lock.set()
        time.sleep(pause)
        return ids

    monkeypatch.setattr(services, "declarations_transition", slowed)


# --------------------------------------------------------------------------------------------------
# Two payment runs on one statement
# --------------------------------------------------------------------------------------------------


def _two_runs(statement):
    barrier = threading.Barrier(2)

    def pay():
        barrier.wait()
        call_command("pay_statement", str(statement.pk), stdout=None)

    return in_threads(pay, pay)


def test_two_payment_runs_pay_each_declaration_once(monkeypatch, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, authorised=True)
    bulk_put_on(statement, 30, line_state="payable")
    slow_lock_declarations(monkeypatch)

    errors = _two_runs(statement)

    assert errors == []
    statement.refresh_from_db()
    assert statement.status == "paid"
    assert DeclarationStateChange.objects.filter(to_state="paid").count() == 30
    assert Declaration.objects.filter(state="paid").count() == 30
    assert StatementStateChange.objects.filter(statement=statement, to_status="paid").count() == 1
    assert StatementSnapshot.objects.filter(statement=statement).count() == 1


def test_control_without_locks_two_payment_runs_collide(monkeypatch, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, authorised=True)
    bulk_put_on(statement, 30, line_state="payable")
    slow_lock_declarations(monkeypatch)
    remove_row_locks(monkeypatch)

    errors = _two_runs(statement)

    # Both runs read "payable": the second one either writes a second set of history rows or crashes
    # on the snapshot's uniqueness. Neither is the clean no-op the locked version gives.
    paid_history = DeclarationStateChange.objects.filter(to_state="paid").count()
    assert errors or paid_history > 30


# --------------------------------------------------------------------------------------------------
# A void racing the payment of the statement its declaration is on
# --------------------------------------------------------------------------------------------------


def _void_during_payment(monkeypatch, statement, declaration):
    """The void locks (or reads) the declaration, then pauses while the payment runs."""
    void_reached, payment_done = threading.Event(), threading.Event()
    original_void = Declaration.void

    def paused_void(self, *args, **kwargs):
        void_reached.set()
        payment_done.wait(timeout=1.5)  # with locks the payment is blocked: this times out
        return original_void(self, *args, **kwargs)

    monkeypatch.setattr(Declaration, "void", paused_void)

    def void():
        declaration_void(declaration=declaration, actor=Actor.command("void"))

    def pay():
        assert void_reached.wait(timeout=10)
        services.statement_pay(statement_id=statement.pk, actor=Actor.command("pay"))
        payment_done.set()

    return in_threads(void, pay)


def test_void_first_then_payment_skips_the_voided_declaration(monkeypatch, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, authorised=True)
    declaration = put_on(statement, line_state="payable")
    other = put_on(statement, line_state="payable")

    errors = _void_during_payment(monkeypatch, statement, declaration)

    assert errors == []
    declaration.refresh_from_db()
    other.refresh_from_db()
    line = StatementLineItem.objects.get(declaration=declaration)
    assert (declaration.state, line.state) == ("voided", "voided")
    assert other.state == "paid"
    assert not DeclarationStateChange.objects.filter(declaration=declaration, to_state="paid").exists()
    statement.refresh_from_db()
    assert statement.status == "paid"


def test_control_without_locks_the_void_overwrites_the_payment(monkeypatch, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, authorised=True)
    declaration = put_on(statement, line_state="payable")
    remove_row_locks(monkeypatch)

    _void_during_payment(monkeypatch, statement, declaration)

    declaration.refresh_from_db()
    line = StatementLineItem.objects.get(declaration=declaration, kind="output")
    # Lost update: the declaration says voided while its line says paid (and no clawback exists).
    assert (declaration.state, line.state) == ("voided", "paid")


def test_payment_first_then_void_claws_back(monkeypatch, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, authorised=True)
    later = StatementFactory(lead_provider=lead_provider, year=2099, month=1)  # next open output statement
    declaration = put_on(statement, line_state="payable")
    payment_locked = threading.Event()
    slow_lock_declarations(monkeypatch, after_lock=payment_locked, pause=0.5)

    def pay():
        services.statement_pay(statement_id=statement.pk, actor=Actor.command("pay"))

    def void():
        assert payment_locked.wait(timeout=10)
        declaration_void(declaration=declaration, actor=Actor.command("void"))

    errors = in_threads(pay, void)

    assert errors == []
    declaration.refresh_from_db()
    output = StatementLineItem.objects.get(declaration=declaration, kind="output")
    clawback = StatementLineItem.objects.get(declaration=declaration, kind="clawback")
    assert declaration.state == "awaiting_clawback"
    assert (output.statement_id, output.state) == (statement.pk, "paid")
    assert (clawback.statement_id, clawback.state) == (later.pk, "awaiting_clawback")
    assert list(
        DeclarationStateChange.objects.filter(declaration=declaration)
        .order_by("changed_at", "id")
        .values_list("from_state", "to_state")
    ) == [("payable", "paid"), ("paid", "awaiting_clawback")]
