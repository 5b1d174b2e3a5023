"""Transitions and services below the API: the FSM, one history row per transition, the touch rule."""

import datetime as dt

import pytest
from django_fsm import TransitionNotAllowed

from config.actors import Actor
from config.errors import AttributeErrors
from participants.exceptions import ProviderNotLinkedError
from participants.models import InductionRecord, Participant, ScheduleChange, TrainingStatusChange
from participants.selectors import participant_status
from participants.services import participant_touch, training_record_change_training_status
from tests.factories.participants import add_induction_record, enrol
from tests.factories.partnerships import LeadProviderFactory

pytestmark = pytest.mark.django_db

ACTOR = Actor.command("test")


@pytest.mark.parametrize(
    ("start", "event", "end"),
    [
        ("active", "defer", "deferred"),
        ("active", "withdraw", "withdrawn"),
        ("deferred", "resume", "active"),
        ("deferred", "withdraw", "withdrawn"),
        ("withdrawn", "resume", "active"),
    ],
)
def test_allowed_transitions(start, event, end):
    record = InductionRecord(training_status=start)
    getattr(record, event)()
    assert record.training_status == end


@pytest.mark.parametrize(
    ("start", "event"),
    [("active", "resume"), ("deferred", "defer"), ("withdrawn", "defer"), ("withdrawn", "withdraw")],
)
def test_refused_transitions(start, event):
    record = InductionRecord(training_status=start)
    with pytest.raises(TransitionNotAllowed):
        getattr(record, event)()


@pytest.mark.parametrize(
    ("start", "action", "reason", "end"),
    [
        ("active", "defer", "bereavement", "deferred"),
        ("active", "withdraw", "left-teaching-profession", "withdrawn"),
        ("deferred", "resume", None, "active"),
        ("deferred", "withdraw", "other", "withdrawn"),
        ("withdrawn", "resume", None, "active"),
    ],
)
def test_each_transition_writes_exactly_one_history_row(lead_provider, start, action, reason, end):
    ir = enrol(lead_provider=lead_provider, training_status=start)
    opened = training_record_change_training_status(
        training_record=ir.training_record,
        lead_provider=lead_provider,
        action=action,
        reason=reason,
        actor=ACTOR,
    )
    assert TrainingStatusChange.objects.count() == 1
    assert ScheduleChange.objects.count() == 0
    change = TrainingStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.reason, change.induction_record) == (
        start,
        end,
        reason,
        opened,
    )
    assert opened.training_status == end


def test_staff_action_uses_the_chosen_providers_record(lead_provider, other_lead_provider):
    ir = enrol(lead_provider=lead_provider)
    ir.end_date = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    ir.save()
    theirs = add_induction_record(
        ir.training_record,
        lead_provider=other_lead_provider,
        start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    opened = training_record_change_training_status(
        training_record=ir.training_record,
        lead_provider=lead_provider,
        action="defer",
        reason="other",
        actor=ACTOR,
    )
    assert opened.induction_programme_id == ir.induction_programme_id
    theirs.refresh_from_db()
    assert theirs.training_status == "active"


def test_staff_action_for_an_unlinked_provider_is_refused(lead_provider):
    ir = enrol(lead_provider=lead_provider)
    with pytest.raises(ProviderNotLinkedError):
        training_record_change_training_status(
            training_record=ir.training_record,
            lead_provider=LeadProviderFactory(),
            action="defer",
            reason="other",
            actor=ACTOR,
        )
    assert TrainingStatusChange.objects.count() == 0


def test_staff_action_runs_the_same_checks(lead_provider):
    ir = enrol(lead_provider=lead_provider, training_status="withdrawn")
    with pytest.raises(AttributeErrors) as error:
        training_record_change_training_status(
            training_record=ir.training_record,
            lead_provider=lead_provider,
            action="withdraw",
            reason="x",
            actor=ACTOR,
        )
    assert error.value.as_errors() == [
        {"title": "reason", "detail": "The property '#/reason' must be a valid reason"},
        {"title": "participant_profile", "detail": "The participant is already withdrawn"},
    ]
    assert TrainingStatusChange.objects.count() == 0


def test_participant_touch_bumps_updated_at(lead_provider):
    person = enrol(lead_provider=lead_provider).training_record.participant
    Participant.objects.filter(pk=person.pk).update(updated_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    participant_touch(person.pk)
    assert Participant.objects.get(pk=person.pk).updated_at > dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def test_latest_order_ignores_end_date_values(lead_provider):
    """Open first, then start date: a closed record that started later beats one that ended later."""
    ir = enrol(lead_provider=lead_provider)
    ir.end_date = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    ir.save()
    later = InductionRecord.objects.create(
        training_record=ir.training_record,
        induction_programme=ir.induction_programme,
        schedule=ir.schedule,
        start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        end_date=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
    )
    ordered = InductionRecord.objects.filter(training_record=ir.training_record).order_by(
        *InductionRecord.LATEST_ORDER
    )
    assert list(ordered) == [later, ir]


def test_participant_status_leaving_without_end_date_is_null():
    record = InductionRecord(
        start_date=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), end_date=None, induction_status="leaving"
    )
    assert participant_status(record, dt.datetime(2025, 1, 1, tzinfo=dt.UTC)) is None
