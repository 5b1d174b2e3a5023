"""Use cases that write: defer / resume / withdraw / change schedule, funding eligibility, and merging a
duplicate person into another.

Each service locks the training record, runs the spec's checks in the spec's order (collecting every
failing attribute), transitions the induction record through the model's transition methods,
writes one history row and touches the person, in one transaction.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from config import clock
from config.actors import Actor, acting_as
from config.errors import AttributeErrors
from config.ids import parse_uuid
from config.reference import FROZEN_COHORT_DESTINATION_YEAR
from participants import exceptions as msg
from participants.exceptions import EligibilityError, MergeError, ProviderNotLinkedError
from participants.models import (
    CurrentInductionRecord,
    DeclarationType,
    DeferReason,
    EligibilityChange,
    EligibilityReason,
    EligibilityStatus,
    InductionRecord,
    InductionStatus,
    MentorCompletionReason,
    Participant,
    ParticipantIdChange,
    Schedule,
    ScheduleChange,
    ScheduleIdentifier,
    TrainingRecord,
    TrainingRecordType,
    TrainingStatus,
    TrainingStatusChange,
    WithdrawReason,
)
from participants.notifications import notify_participant_withdrawn
from participants.ports import LiveDeclaration, person_declarations, training_record_declarations
from participants.selectors import (
    active_training_record,
    participant_resolve,
    relevant_induction_record,
)
from participants.signals import eligibility_changed

DEFER = "defer"
RESUME = "resume"
WITHDRAW = "withdraw"


def participants_touch(participants: QuerySet[Participant]) -> None:
    """The touch rule: a write to a person's training or induction records, or to the school or
    partnership they train under, gives the person a new `updated_at` (on the service clock), so that
    providers polling `filter[updated_since]` see the change. Every such write ends here."""
    participants.update(updated_at=clock.now())


def participant_touch(participant_id) -> None:
    participants_touch(Participant.objects.filter(pk=participant_id))


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# --- shared resolution and checks ------------------------------------------------------


class _Target:
    def __init__(self):
        self.participant = None
        self.training_record = None
        self.induction_record = None


def _resolve(errors: AttributeErrors, *, participant_id, course_identifier, lead_provider) -> _Target:
    """Runs checks #1–#4 in order; locks the training record once found."""
    target = _Target()
    target.participant = participant_resolve(participant_id=participant_id)
    if target.participant is None:
        errors.add("participant_id", msg.NOT_RECOGNISED)
    else:
        record = active_training_record(participant=target.participant, course_identifier=course_identifier)
        if record is not None:
            target.training_record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
        elif not errors:
            errors.add("course_identifier", msg.COURSE_NOT_RECOGNISED)
    if _blank(course_identifier):
        errors.add("course_identifier", msg.COURSE_BLANK)
    if not errors:
        if target.training_record is not None:
            target.induction_record = relevant_induction_record(
                training_record=target.training_record, lead_provider=lead_provider
            )
        if target.induction_record is None:
            errors.add("participant_id", msg.NOT_RECOGNISED)
    return target


def _check_reason(errors: AttributeErrors, reason, allowed) -> None:
    if _blank(reason):
        errors.add("reason", msg.REASON_BLANK)
    if not isinstance(reason, str) or reason not in allowed:
        errors.add("reason", msg.REASON_INVALID)


def _check_status(
    errors: AttributeErrors, action: str, record: InductionRecord | None, reason, *, found: bool
):
    """The rules of each action (defer, resume, withdraw), after the shared resolution checks."""
    status = record.training_status if record is not None else None
    if action == DEFER:
        _check_reason(errors, reason, DeferReason.values)
        if status == TrainingStatus.DEFERRED:
            errors.add("participant_profile", msg.ALREADY_DEFERRED)
        if status == TrainingStatus.WITHDRAWN:
            errors.add("participant_profile", msg.ALREADY_WITHDRAWN)
    elif action == WITHDRAW:
        if found:
            _check_reason(errors, reason, WithdrawReason.values)
        if status == TrainingStatus.WITHDRAWN:
            errors.add("participant_profile", msg.ALREADY_WITHDRAWN)
    elif action == RESUME and status == TrainingStatus.ACTIVE:
        errors.add("participant_profile", msg.ALREADY_ACTIVE)


# --- superseding an induction record --------------------------------------------------------


def _supersede(record: InductionRecord, *, now, change: Callable[[InductionRecord], None]) -> InductionRecord:
    """Edits a future record in place; otherwise closes it (`changed`, ends now) and opens a copy from now."""
    record = InductionRecord.objects.select_for_update().get(pk=record.pk)
    if record.start_date > now:
        change(record)
        record.save()
        return record
    copy = InductionRecord(
        training_record_id=record.training_record_id,
        induction_programme_id=record.induction_programme_id,
        schedule_id=record.schedule_id,
        start_date=now,
        end_date=record.end_date if record.end_date is not None and record.end_date > now else None,
        training_status=record.training_status,
        induction_status=record.induction_status,
        mentor_id=record.mentor_id,
        preferred_email=record.preferred_email,
        school_transfer=record.school_transfer,
    )
    record.induction_status = InductionStatus.CHANGED
    record.end_date = now
    record.save(update_fields=["induction_status", "end_date", "updated_at"])
    change(copy)
    copy.save()
    return copy


def _change_training_status(
    *,
    training_record: TrainingRecord,
    induction_record: InductionRecord,
    lead_provider,
    action,
    reason,
    actor,
) -> InductionRecord:
    now = clock.now()
    before = induction_record.training_status
    opened = _supersede(induction_record, now=now, change=lambda record: getattr(record, action)())
    TrainingStatusChange.objects.create(
        training_record=training_record,
        lead_provider=lead_provider,
        induction_record=opened,
        from_status=before,
        to_status=opened.training_status,
        reason=None if action == RESUME else reason,
        changed_at=now,
        **TrainingStatusChange.actor_fields(actor),
    )
    training_record.save(update_fields=["updated_at"])
    participant_touch(training_record.participant_id)
    if action == WITHDRAW:
        notify_participant_withdrawn(induction_record=opened, lead_provider=lead_provider, reason=reason)
    return opened


# --- API actions --------------------------------------------------------------------------------------


@transaction.atomic
def participant_change_training_status(
    *, action: str, participant_id, attributes: dict, lead_provider, actor: Actor
) -> Participant:
    """PUT …/defer, …/resume, …/withdraw. Returns the person."""
    errors = AttributeErrors()
    course_identifier = attributes.get("course_identifier")
    reason = attributes.get("reason")
    target = _resolve(
        errors,
        participant_id=participant_id,
        course_identifier=course_identifier,
        lead_provider=lead_provider,
    )
    _check_status(errors, action, target.induction_record, reason, found=target.training_record is not None)
    if errors:
        raise errors
    _change_training_status(
        training_record=target.training_record,
        induction_record=target.induction_record,
        lead_provider=lead_provider,
        action=action,
        reason=reason,
        actor=actor,
    )
    return Participant.objects.get(pk=target.participant.pk)


def participant_defer(*, participant_id, attributes, lead_provider, actor) -> Participant:
    return participant_change_training_status(
        action=DEFER,
        participant_id=participant_id,
        attributes=attributes,
        lead_provider=lead_provider,
        actor=actor,
    )


def participant_resume(*, participant_id, attributes, lead_provider, actor) -> Participant:
    return participant_change_training_status(
        action=RESUME,
        participant_id=participant_id,
        attributes=attributes,
        lead_provider=lead_provider,
        actor=actor,
    )


def participant_withdraw(*, participant_id, attributes, lead_provider, actor) -> Participant:
    return participant_change_training_status(
        action=WITHDRAW,
        participant_id=participant_id,
        attributes=attributes,
        lead_provider=lead_provider,
        actor=actor,
    )


@transaction.atomic
def training_record_change_training_status(
    *, training_record: TrainingRecord, lead_provider, action: str, reason, actor: Actor
) -> InductionRecord:
    """DfE staff acting on a provider's behalf (admin): the same rules and effects as the API action."""
    if action not in (DEFER, RESUME, WITHDRAW):
        raise ProviderNotLinkedError(f"Unknown action {action!r}.")
    training_record = TrainingRecord.objects.select_for_update().get(pk=training_record.pk)
    induction_record = relevant_induction_record(training_record=training_record, lead_provider=lead_provider)
    if induction_record is None:
        raise ProviderNotLinkedError(f"{lead_provider} has never trained this participant.")
    errors = AttributeErrors()
    _check_status(errors, action, induction_record, reason, found=True)
    if errors:
        raise errors
    return _change_training_status(
        training_record=training_record,
        induction_record=induction_record,
        lead_provider=lead_provider,
        action=action,
        reason=reason,
        actor=actor,
    )


# --- change schedule ---------------------------------------------------------------


def _target_cohort(value, induction_record: InductionRecord):
    from partnerships.models import Cohort

    if _blank(value):
        return induction_record.induction_programme.school_cohort.cohort
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif (isinstance(value, float) and value.is_integer() and abs(value) < 10000) or (  # JSON 2024.0
        isinstance(value, str) and re.fullmatch(r"\s*\d{1,4}\s*", value)
    ):
        year = int(value)
    else:
        return None
    return Cohort.objects.filter(start_year=year).first()


def _declaration_fits(declaration: LiveDeclaration, milestones: dict) -> bool:
    import datetime as dt

    milestone = milestones.get(declaration.declaration_type)
    if milestone is None:
        return False  # e.g. extended-1 on a non-extended schedule
    start = dt.datetime.combine(milestone.start_date, dt.time.min, tzinfo=dt.UTC)
    if declaration.declaration_date <= start:
        return False
    if milestone.milestone_date is not None:
        deadline = dt.datetime.combine(milestone.milestone_date, dt.time.max, tzinfo=dt.UTC)
        if declaration.declaration_date > deadline:
            return False
    return True


def _frozen_cohort_path(
    record: TrainingRecord, target_cohort, declarations: list[LiveDeclaration], now
) -> bool:
    """An ECT leaving a payments-frozen cohort for 2024 with paid declarations but no paid `completed`, or
    going back to the frozen cohort they left."""
    if record.participant_type != TrainingRecordType.ECT or target_cohort is None:
        return False
    current_cohort = record.schedule.cohort
    billable = [d for d in declarations if d.billable]
    if not record.cohort_changed_after_payments_frozen:
        return (
            target_cohort.start_year == FROZEN_COHORT_DESTINATION_YEAR
            and current_cohort.is_payments_frozen(now)
            and record.induction_completion_date is None
            and any(d.declaration_type != DeclarationType.COMPLETED for d in billable)
            and not any(d.declaration_type == DeclarationType.COMPLETED for d in billable)
        )
    return (
        target_cohort.is_payments_frozen(now)
        and not any(d.cohort.pk == current_cohort.pk for d in declarations)
        and any(d.cohort.pk == target_cohort.pk for d in billable)
    )


def _matching_partnership(*, lead_provider, induction_record: InductionRecord, target_cohort):
    from partnerships.models import Partnership, PartnershipStatus

    if target_cohort is None:
        return None
    same_cohort = target_cohort.pk == induction_record.schedule.cohort_id
    partnerships = Partnership.objects.filter(
        lead_provider=lead_provider,
        school_id=induction_record.induction_programme.school_cohort.school_id,
        cohort=target_cohort,
        status=PartnershipStatus.ACTIVE,
    )
    if not same_cohort:
        partnerships = partnerships.filter(relationship=False)
    return partnerships.order_by("relationship", "created_at").first()


@transaction.atomic
def participant_change_schedule(
    *, participant_id, attributes: dict, lead_provider, actor: Actor
) -> Participant:
    """PUT …/change-schedule. Returns the person."""
    errors = AttributeErrors()
    course_identifier = attributes.get("course_identifier")
    schedule_identifier = attributes.get("schedule_identifier")
    target = _resolve(
        errors,
        participant_id=participant_id,
        course_identifier=course_identifier,
        lead_provider=lead_provider,
    )
    if _blank(schedule_identifier):
        errors.add("schedule_identifier", msg.SCHEDULE_INVALID)
    induction_record = target.induction_record
    if induction_record is None:
        raise errors  # checks below need the participant; the resolution has already said why it is missing
    record = target.training_record
    now = clock.now()
    cohort = _target_cohort(attributes.get("cohort"), induction_record)
    schedule = None
    known_identifier = (
        isinstance(schedule_identifier, str) and schedule_identifier in ScheduleIdentifier.values
    )
    if cohort is not None and known_identifier:
        schedule = Schedule.objects.filter(cohort=cohort, schedule_identifier=schedule_identifier).first()
        if schedule is None:
            errors.add("schedule_identifier", msg.SCHEDULE_INVALID)
    elif not _blank(schedule_identifier) and not known_identifier:
        errors.add("schedule_identifier", msg.SCHEDULE_INVALID)

    if induction_record.training_status == TrainingStatus.WITHDRAWN:
        errors.add("participant_id", msg.WITHDRAWN_PARTICIPANT)

    declarations = training_record_declarations().live_declarations(training_record_id=record.pk)
    frozen_path = _frozen_cohort_path(record, cohort, declarations, now)
    if schedule is not None and not frozen_path:
        considered = [
            d
            for d in declarations
            if not (record.cohort_changed_after_payments_frozen and d.cohort.is_payments_frozen(now))
        ]
        if considered:
            milestones = {milestone.declaration_type: milestone for milestone in schedule.milestones.all()}
            if not all(_declaration_fits(d, milestones) for d in considered):
                errors.add("schedule_identifier", msg.INVALIDATES_DECLARATIONS)
    if (
        schedule is not None
        and schedule.pk == record.schedule_id
        and schedule.pk == induction_record.schedule_id
    ):
        errors.add("schedule_identifier", msg.SCHEDULE_IN_USE)
    if (
        isinstance(schedule_identifier, str)
        and schedule_identifier.startswith("ecf-replacement-")
        and course_identifier != "ecf-mentor"
    ):
        errors.add("schedule_identifier", msg.SCHEDULE_NOT_FOR_COURSE)
    if (
        declarations
        and not frozen_path
        and (cohort is None or cohort.pk != induction_record.schedule.cohort_id)
    ):
        errors.add("cohort", msg.COHORT_LOCKED)
    partnership = _matching_partnership(
        lead_provider=lead_provider, induction_record=induction_record, target_cohort=cohort
    )
    if partnership is None:
        errors.add("cohort", msg.NO_PARTNERSHIP_FOR_COHORT)
    if errors:
        raise errors

    with acting_as(actor):  # a school cohort may be created (audited model)
        _apply_schedule_change(
            record=record,
            induction_record=induction_record,
            schedule=schedule,
            partnership=partnership,
            frozen_path=frozen_path,
            lead_provider=lead_provider,
            actor=actor,
            now=now,
        )
    return Participant.objects.get(pk=target.participant.pk)


def _apply_schedule_change(
    *, record, induction_record, schedule, partnership, frozen_path, lead_provider, actor, now
):
    from partnerships.models import InductionProgramme, ProgrammeChoice, SchoolCohort, TrainingProgramme

    ScheduleChange.objects.create(
        training_record=record,
        lead_provider=lead_provider,
        from_schedule_id=record.schedule_id,
        to_schedule=schedule,
        changed_at=now,
        **ScheduleChange.actor_fields(actor),
    )
    school_cohort, _ = SchoolCohort.objects.get_or_create(
        school_id=induction_record.induction_programme.school_cohort.school_id,
        cohort=schedule.cohort,
        defaults={"induction_programme_choice": ProgrammeChoice.FULL_INDUCTION_PROGRAMME},
    )
    programme_id = induction_record.induction_programme_id
    if not partnership.relationship:
        if school_cohort.default_programme_id is not None:
            programme_id = school_cohort.default_programme_id
        else:
            linked = school_cohort.programmes.filter(partnership=partnership).order_by("created_at").first()
            if linked is None:
                # The target school cohort has no provider-led programme yet: open one for the partnership.
                linked = InductionProgramme.objects.create(
                    school_cohort=school_cohort,
                    training_programme=TrainingProgramme.FULL_INDUCTION_PROGRAMME,
                    partnership=partnership,
                )
            programme_id = linked.pk

    def change(row: InductionRecord) -> None:
        row.schedule = schedule
        row.induction_programme_id = programme_id

    _supersede(induction_record, now=now, change=change)
    record.schedule = schedule
    record.school_cohort = school_cohort
    if frozen_path:
        record.cohort_changed_after_payments_frozen = not record.cohort_changed_after_payments_frozen
    record.save(
        update_fields=["schedule", "school_cohort", "cohort_changed_after_payments_frozen", "updated_at"]
    )
    participant_touch(record.participant_id)


# --- funding eligibility ---------------------------------------------------------------------

NEEDS_REASON = (EligibilityStatus.INELIGIBLE, EligibilityStatus.MANUAL_CHECK)


@transaction.atomic
def participant_set_eligibility(
    *, training_record: TrainingRecord, status, reason, actor: Actor
) -> TrainingRecord:
    """DfE records a training record's funding eligibility; declarations listen for the change."""
    status = status.strip() if isinstance(status, str) else status
    reason = reason.strip() if isinstance(reason, str) else reason
    if status not in EligibilityStatus.values:
        raise EligibilityError(
            f"Unknown eligibility status {status!r}; expected one of {', '.join(EligibilityStatus.values)}."
        )
    if _blank(reason):
        if status in NEEDS_REASON:
            raise EligibilityError(f"A reason is required when the status is {status}.")
        reason = EligibilityReason.NONE
    if reason not in EligibilityReason.values:
        raise EligibilityError(
            f"Unknown eligibility reason {reason!r}; expected one of {', '.join(EligibilityReason.values)}."
        )
    if status in NEEDS_REASON and reason == EligibilityReason.NONE:
        raise EligibilityError(f"A reason other than 'none' is required when the status is {status}.")

    record = TrainingRecord.objects.select_for_update().get(pk=training_record.pk)
    before_status, before_reason = record.eligibility_status, record.eligibility_reason
    if (before_status, before_reason) == (status, reason):
        return record
    record.eligibility_status = status
    record.eligibility_reason = reason
    record.save(update_fields=["eligibility_status", "eligibility_reason", "updated_at"])
    EligibilityChange.objects.create(
        training_record=record,
        from_status=before_status,
        to_status=status,
        from_reason=before_reason,
        to_reason=reason,
        changed_at=clock.now(),
        **EligibilityChange.actor_fields(actor),
    )
    participant_touch(record.participant_id)
    eligibility_changed.send(
        sender=TrainingRecord,
        training_record=record,
        from_status=before_status,
        to_status=status,
        actor=actor,
    )
    return record


# --- mentor completion -----------------------------------------------------------------------------------


def training_record_mentor_completed(*, training_record_id, completed_on) -> None:
    """A mentor's training completes on the date of their latest live `completed` declaration
    (`completed_on`, None when there is none any more). A completion DfE recorded for another reason is kept:
    only an empty value, or one that came from a declaration, follows the declarations."""
    record = TrainingRecord.objects.select_for_update().get(pk=training_record_id)
    if record.participant_type != TrainingRecordType.MENTOR or record.mentor_completion_reason not in (
        None,
        MentorCompletionReason.COMPLETED_DECLARATION_RECEIVED,
    ):
        return
    reason = None if completed_on is None else MentorCompletionReason.COMPLETED_DECLARATION_RECEIVED
    if (record.mentor_completion_date, record.mentor_completion_reason) == (completed_on, reason):
        return
    record.mentor_completion_date = completed_on
    record.mentor_completion_reason = reason
    record.save(update_fields=["mentor_completion_date", "mentor_completion_reason", "updated_at"])
    participant_touch(record.participant_id)


# --- merging duplicate people ------------------------------------------------------------------------


@dataclass(frozen=True)
class MergePlan:
    """What merging `retired` into `survivor` would do, or why it cannot be done (`problems`)."""

    retired: Participant
    survivor: Participant
    problems: list[str]
    moving_records: list[TrainingRecord]  # every training record of the retired person
    withdrawn_records: list[TrainingRecord]  # those of a role the survivor already holds actively


def participant_merge_plan(*, retired: Participant, survivor: Participant) -> MergePlan:
    """The checks of a merge and its effect on training records, read without writing (the confirmation
    page shows it; `participant_merge` runs it again under its locks)."""
    problems = []
    if retired.pk == survivor.pk:
        problems.append("A person cannot be merged into themselves: choose two different people.")
    if retired.trn and survivor.trn and retired.trn != survivor.trn:
        problems.append(
            f"They hold different TRNs ({retired.trn} and {survivor.trn}), so they are different teachers."
        )
    port = person_declarations()
    clashes = port.live_slots(participant_id=retired.pk) & port.live_slots(participant_id=survivor.pk)
    for course, declaration_type in sorted(clashes):
        problems.append(
            f"Both hold a live {declaration_type} declaration for {course}: one of them must be voided "
            "(on the provider's behalf) before they can be merged."
        )
    records = list(retired.training_records.select_related("schedule__cohort").order_by("created_at", "id"))
    survivor_roles = set(
        survivor.training_records.filter(record_status=TrainingRecord.RecordStatus.ACTIVE).values_list(
            "participant_type", flat=True
        )
    )
    withdrawn = [
        record
        for record in records
        if record.record_status == TrainingRecord.RecordStatus.ACTIVE
        and record.participant_type in survivor_roles
    ]
    return MergePlan(retired, survivor, problems, records, withdrawn)


@transaction.atomic
def participant_merge(*, retired_id, survivor_id, actor: Actor) -> ParticipantIdChange:
    """Retires one person id into another (support merging duplicate records of one teacher).

    Both people are locked in id order. The retired person's training records (with their induction records
    and histories) and declarations move to the survivor; a record of a role the survivor already holds
    actively moves as `withdrawn` (removed by DfE), so the survivor keeps one active record per role. The
    retired id is recorded in `participant_id_changes` with who merged and who the retired person was, and
    the retired person's row is deleted: the id then resolves to the survivor in provider actions and
    declarations, and providers find the survivor with `filter[from_participant_id]`. Retrying a merge that
    was made returns its record; refusals say what to do first."""
    retired_id, survivor_id = parse_uuid(retired_id), parse_uuid(survivor_id)
    if retired_id is None or survivor_id is None:
        raise MergeError("Both participant ids must be UUIDs.")
    if retired_id == survivor_id:
        raise MergeError("A person cannot be merged into themselves: choose two different people.")
    people = {
        person.pk: person
        for person in Participant.objects.select_for_update()
        .filter(pk__in=[retired_id, survivor_id])
        .order_by("pk")
    }
    retired, survivor = people.get(retired_id), people.get(survivor_id)
    if retired is None:
        earlier = ParticipantIdChange.objects.filter(from_participant_id=retired_id).first()
        if earlier is not None and earlier.participant_id == survivor_id:
            return earlier  # a retry of a merge that was made
        if earlier is not None:
            raise MergeError(f"{retired_id} was already merged into {earlier.participant_id}.")
        raise MergeError(f"No person has the id {retired_id}.")
    if survivor is None:
        earlier = ParticipantIdChange.objects.filter(from_participant_id=survivor_id).first()
        if earlier is not None:
            raise MergeError(
                f"{survivor_id} was itself merged into {earlier.participant_id}: merge into that person."
            )
        raise MergeError(f"No person has the id {survivor_id}.")

    plan = participant_merge_plan(retired=retired, survivor=survivor)
    if plan.problems:
        raise MergeError(" ".join(plan.problems))
    withdrawn = {record.pk for record in plan.withdrawn_records}
    moved = []
    for record in TrainingRecord.objects.select_for_update().filter(participant=retired).order_by("pk"):
        record.participant = survivor
        if record.pk in withdrawn:
            record.record_status = TrainingRecord.RecordStatus.WITHDRAWN
        record.save(update_fields=["participant", "record_status", "updated_at"])
        moved.append(record.pk)
    # The stored current records name the person, and who sees these records' declarations may change.
    CurrentInductionRecord.objects.refresh(training_record_ids=moved)
    try:
        with transaction.atomic():  # a declaration posted for the retired person since the check
            person_declarations().move_to_person(
                from_participant_id=retired.pk, to_participant_id=survivor.pk
            )
    except IntegrityError as error:
        raise MergeError(
            "A declaration was submitted for one of them while merging and now clashes: try again."
        ) from error
    ParticipantIdChange.objects.filter(participant=retired).update(participant=survivor)
    change = ParticipantIdChange.objects.create(
        participant=survivor,
        from_participant_id=retired.pk,
        to_participant_id=survivor.pk,
        actor_kind=actor.kind,
        actor_id=actor.id,
        from_full_name=retired.full_name,
        from_email=retired.email,
    )
    if not survivor.trn and retired.trn:
        survivor.trn = retired.trn
        survivor.save(update_fields=["trn", "updated_at"])
    retired.delete()
    participant_touch(survivor.pk)
    return change


# --- data loads (the sandbox seed) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpeningStatusChange:
    """The change of training status that opened an induction record, for a record loaded in bulk."""

    lead_provider_id: int
    from_status: str
    reason: str | None
    at: dt.datetime


def induction_records_bulk_create(
    *, records: list[tuple[InductionRecord, OpeningStatusChange | None]], actor: Actor
) -> list[InductionRecord]:
    """Inserts induction records set-based (a data load such as the sandbox seed). A record opened by a
    change of training status comes with that change, which must be a move of the training-status table
    into the record's status; its history row is written with it. Any other record starts active."""
    history = []
    for record, change in records:
        if change is None:
            if record.training_status != TrainingStatus.ACTIVE:
                raise ValueError(f"{record}: a record not opened by a status change starts active.")
        elif not InductionRecord.TRANSITIONS.allows(change.from_status, record.training_status):
            raise ValueError(f"{record}: {change.from_status} → {record.training_status} is not a move.")
    with transaction.atomic():
        created = InductionRecord.objects.bulk_create([record for record, _ in records], batch_size=500)
        for record, (_, change) in zip(created, records, strict=True):
            if change is not None:
                history.append(
                    TrainingStatusChange(
                        training_record_id=record.training_record_id,
                        lead_provider_id=change.lead_provider_id,
                        induction_record=record,
                        from_status=change.from_status,
                        to_status=record.training_status,
                        reason=change.reason,
                        changed_at=change.at,
                        **TrainingStatusChange.actor_fields(actor),
                    )
                )
        TrainingStatusChange.objects.bulk_create(history, batch_size=500)
    return created
