"""Two defers of one participant at once: one wins, the other is refused; one history row (real threads)."""

import threading

import pytest
from django.db import close_old_connections, connection

from config.actors import Actor
from config.errors import AttributeErrors
from participants.models import InductionRecord, TrainingStatusChange
from participants.services import participant_defer
from tests.factories.participants import enrol
from tests.factories.partnerships import LeadProviderFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_concurrent_defers_leave_one_history_row_and_one_open_record():
    provider = LeadProviderFactory(name="Race Provider")
    ir = enrol(lead_provider=provider)
    person_id = str(ir.training_record.participant_id)
    start = threading.Barrier(2)
    outcomes = []

    def defer():
        try:
            start.wait()
            participant_defer(
                participant_id=person_id,
                attributes={"course_identifier": "ecf-induction", "reason": "other"},
                lead_provider=provider,
                actor=Actor.command("race"),
            )
            outcomes.append("ok")
        except AttributeErrors as error:
            outcomes.append(error.as_errors())
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=defer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes, key=str) == sorted(
        ["ok", [{"title": "participant_profile", "detail": "The participant is already deferred"}]], key=str
    )
    assert TrainingStatusChange.objects.count() == 1
    open_records = InductionRecord.objects.filter(
        training_record_id=ir.training_record_id, end_date__isnull=True
    )
    assert [record.training_status for record in open_records] == ["deferred"]
