"""Merges racing on real PostgreSQL row locks: both people are locked in one order, so two merges of the same
pair in opposite directions never deadlock; one wins and the other is refused."""

import threading

import pytest
from django.db import connection

from config.actors import Actor
from config.errors import DomainError
from participants.models import Participant, ParticipantIdChange
from participants.services import participant_merge
from tests.concurrency import in_threads
from tests.factories.participants import ParticipantFactory, enrol
from tests.factories.partnerships import LeadProviderFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_opposite_merges_of_one_pair_at_once_leave_exactly_one_merge():
    provider = LeadProviderFactory(name="Merge Race Provider")
    first = enrol(lead_provider=provider, participant=ParticipantFactory(trn="7770001")).training_record
    second = ParticipantFactory(trn="7770001")
    enrol(lead_provider=provider, participant=second, participant_type="mentor")
    a, b = first.participant_id, second.pk
    start = threading.Barrier(2)

    def merge(retired, survivor):
        return lambda: participant_merge(
            retired_id=retired, survivor_id=survivor, actor=Actor.command("race")
        )

    _, errors = in_threads([merge(a, b), merge(b, a)], start=start)

    assert len(errors) == 1 and isinstance(errors[0], DomainError), errors
    assert "merge into that person" in errors[0].detail or "No person has the id" in errors[0].detail
    [change] = ParticipantIdChange.objects.all()
    assert Participant.objects.filter(pk__in=[a, b]).count() == 1
    assert Participant.objects.get().pk == change.participant_id
