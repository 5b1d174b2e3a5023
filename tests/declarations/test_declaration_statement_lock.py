"""Submissions share the statement they attach to: two POSTs for different people on one statement run side
by side, while the statement's runs still exclude them (the shared row lock against the runs' exclusive one).
"""

import datetime as dt
import threading

import pytest
from django.db import connection

from config.actors import Actor
from statements import selectors
from statements.for_declarations import StatementLedgerForDeclarations
from statements.models import Statement, StatementLineItem
from statements.services import statement_make_payable
from tests.concurrency import in_threads
from tests.conftest import make_provider_client
from tests.declarations.helpers import URL
from tests.factories.declarations import declaration_body, output_statement
from tests.factories.participants import enrol
from tests.factories.partnerships import LeadProviderFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def hold_after_attach(monkeypatch, *, until: threading.Event, seconds: float):
    """The first submission to attach a line keeps its transaction (and its statement lock) open until
    `until` is set or `seconds` pass; returns (attached, whether `until` came in time)."""
    attached, outcome = threading.Event(), {}
    original = StatementLedgerForDeclarations.add_output_line

    def attach_and_hold(self, **kwargs):
        original(self, **kwargs)
        if not attached.is_set():
            attached.set()
            outcome["other_finished_meanwhile"] = until.wait(seconds)

    monkeypatch.setattr(StatementLedgerForDeclarations, "add_output_line", attach_and_hold)
    return attached, outcome


def two_people_on_one_statement():
    lead_provider = LeadProviderFactory(name="Busy provider")
    statement = output_statement(lead_provider, 2024)
    people = [enrol(lead_provider=lead_provider).training_record.participant_id for _ in range(2)]
    return statement, make_provider_client(lead_provider), people


def post_while_first_holds(client, people, *, attached, second_done):
    def first():
        return client.post_json(URL, declaration_body(people[0])).status_code

    def second():
        assert attached.wait(20)
        status = client.post_json(URL, declaration_body(people[1])).status_code
        second_done.set()
        return status

    return in_threads([first, second])


def test_two_posts_for_different_people_on_one_statement_do_not_wait_for_each_other(monkeypatch):
    statement, client, people = two_people_on_one_statement()
    second_done = threading.Event()
    attached, outcome = hold_after_attach(monkeypatch, until=second_done, seconds=10)

    results, errors = post_while_first_holds(client, people, attached=attached, second_done=second_done)

    assert errors == []
    assert results == [200, 200]
    assert outcome == {"other_finished_meanwhile": True}  # the second committed while the first held its lock
    assert sorted(StatementLineItem.objects.values_list("statement_id", "state")) == [
        (statement.pk, "eligible"),
        (statement.pk, "eligible"),
    ]


def test_control_with_an_exclusive_statement_lock_the_second_post_waits(monkeypatch):
    """The control: the statement locked `FOR UPDATE`, as before, makes the second submission wait for the
    first to commit (so the test above would fail with it)."""
    _statement, client, people = two_people_on_one_statement()

    def exclusive(self, *, lead_provider_id, cohort_id, lock=False):
        chosen = selectors.next_output_statement(lead_provider_id=lead_provider_id, cohort_id=cohort_id)
        return Statement.objects.select_for_update().get(pk=chosen.pk) if lock and chosen else chosen

    monkeypatch.setattr(StatementLedgerForDeclarations, "next_output_statement", exclusive)
    second_done = threading.Event()
    attached, outcome = hold_after_attach(monkeypatch, until=second_done, seconds=2)

    results, errors = post_while_first_holds(client, people, attached=attached, second_done=second_done)

    assert errors == []
    assert results == [200, 200]
    assert outcome == {"other_finished_meanwhile": False}


def test_the_payable_run_still_waits_for_a_post_holding_the_statement(monkeypatch):
    statement, client, people = two_people_on_one_statement()
    run_done = threading.Event()
    attached, outcome = hold_after_attach(monkeypatch, until=run_done, seconds=2)

    def submit():
        return client.post_json(URL, declaration_body(people[0])).status_code

    def run():
        assert attached.wait(20)
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
    assert results[1].done and results[1].declarations_moved == 1
    assert outcome == {"other_finished_meanwhile": False}  # the run could not pass the submission's lock
    statement.refresh_from_db()
    assert statement.status == "payable"
    assert list(StatementLineItem.objects.values_list("statement_id", "state")) == [(statement.pk, "payable")]
