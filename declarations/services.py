"""Declaration use cases: submit, void and claw back, promote on eligibility.

Each locks the rows it decides on, checks, transitions, saves and writes history in one transaction.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, DateTimeField, Q, QuerySet, Value, When

from config import clock
from config.actors import Actor
from config.errors import AttributeErrors
from config.sql import insert_from_select
from declarations import exceptions as texts
from declarations.exceptions import (
    ClawbackRefusedError,
    DeclarationAlreadyVoidedError,
    DeclarationNotVoidableError,
)
from declarations.models import (
    Declaration,
    DeclarationAttempt,
    DeclarationState,
    DeclarationStateChange,
    DeclarationVisibility,
)
from declarations.ports import statement_ledger
from declarations.selectors import (
    latest_training_status_change,
    live_declaration_for_slot,
    provider_trains_on_schedule,
    relevant_induction_record,
)
from declarations.validators import (
    evidence_error,
    is_blank,
    normalised_evidence,
    parse_lenient,
    parse_rfc3339,
    read_attributes,
)
from participants.models import CourseIdentifier, DeclarationType, Participant, TrainingRecord, TrainingStatus
from participants.selectors import active_training_record, participant_resolve
from participants.services import training_record_mentor_completed

logger = logging.getLogger(__name__)

SLOT_CONSTRAINT = "declaration_one_live_per_slot"
MENTOR_FUNDED_TYPES = (DeclarationType.STARTED, DeclarationType.COMPLETED)


def rfc3339(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_state_change(declaration: Declaration, *, before, actor: Actor, reason: str | None = None):
    return DeclarationStateChange.objects.create(
        declaration=declaration,
        from_state=before,
        to_state=declaration.state,
        reason=reason,
        **DeclarationStateChange.actor_fields(actor),
    )


# Rows per history INSERT and UPDATE of a set-based move.
MOVE_CHUNK_SIZE = 10_000


def declarations_transition(*, declarations: QuerySet[Declaration], name: str, actor: Actor, at=None) -> list:
    """Set-based move `name` (one of `Declaration.TRANSITIONS`, the table the model's methods read) of every
    declaration of `declarations` that is in one of the move's source states.

    In the caller's transaction: locks those declarations in primary-key order (a caller moving a
    statement's declarations has locked the statement first, and passes them in batches), then per source
    state writes their history rows with one `INSERT … SELECT` and moves them with one
    `UPDATE … WHERE id IN (…) AND state = <source>` per chunk of locked ids (primary-key lookups, whatever
    `declarations` joins). Returns the ids moved, in primary-key order.
    """
    move = Declaration.TRANSITIONS[name]
    at = at or clock.now()
    with transaction.atomic(savepoint=False):  # the caller's transaction, or a new one
        rows = list(
            declarations.filter(state__in=move.source)
            .select_for_update(of=("self",))
            .order_by("pk")
            .values_list("pk", "state")
        )
        for source in {state for _, state in rows}:
            ids = [pk for pk, state in rows if state == source]
            for start in range(0, len(ids), MOVE_CHUNK_SIZE):
                # Locked above, so the same rows in the history and in the UPDATE.
                chosen = Declaration.objects.filter(pk__in=ids[start : start + MOVE_CHUNK_SIZE], state=source)
                insert_from_select(
                    into=DeclarationStateChange,
                    columns=[
                        "declaration_id", "from_state", "to_state", "changed_at", "actor_kind", "actor_id",
                    ],
                    select=chosen.annotate(
                        moved_from=Value(source, output_field=CharField()),
                        moved_to=Value(move.target, output_field=CharField()),
                        moved_at=Value(at, output_field=DateTimeField()),
                        moved_by_kind=Value(actor.kind, output_field=CharField()),
                        moved_by=Value(actor.id, output_field=CharField()),
                    ).values_list("pk", "moved_from", "moved_to", "moved_at", "moved_by_kind", "moved_by"),
                )  # fmt: skip
                chosen.update(state=move.target, updated_at=at)
        if move.target not in Declaration.LIVE_STATES and rows:
            # Out of the live states: only their own provider sees them now.
            DeclarationVisibility.objects.refresh(
                declarations=Declaration.objects.filter(pk__in=[pk for pk, _ in rows])
            )
    return [pk for pk, _ in rows]


def _lock_training_records(**filters) -> None:
    """Training records first: participants' services lock a record, then touch its person, and an
    eligibility change then promotes the record's declarations. Taking the same order here means such a
    change waits for a submission or void (and sees its declaration) instead of deadlocking with it."""
    list(TrainingRecord.objects.filter(**filters).order_by("pk").select_for_update().values_list("pk"))


def _lock_people(participant: Participant) -> None:
    """The declaring person and everyone sharing their TRN, in one fixed order, so the open-slot
    and duplicate checks of two racing submissions run one after the other."""
    _lock_training_records(participant_id=participant.pk)
    people = Q(pk=participant.pk)
    if participant.trn:
        people |= Q(trn=participant.trn)
    list(Participant.objects.filter(people).order_by("pk").select_for_update().values_list("pk", flat=True))


def _is_slot_violation(error: IntegrityError) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name == SLOT_CONSTRAINT if name else SLOT_CONSTRAINT in str(error)


# A submission equal to one of the provider's declarations in these states is a retry: it gets that
# declaration back, unchanged. Live ones, and those refused as duplicates (`ineligible`), so that retrying
# a refused duplicate adds no second declaration and no second statement line.
RETRY_STATES = (*Declaration.LIVE_STATES, DeclarationState.INELIGIBLE)


def _exact_copy(*, lead_provider, participant, course, declaration_type, declaration_date, evidence):
    """The provider's declaration equal to this submission in every submitted attribute (participant,
    course, type, date, normalised evidence), if it is live or ineligible; a live one first."""
    return (
        Declaration.objects.filter(
            lead_provider=lead_provider,
            participant=participant,
            course_identifier=course,
            declaration_type=declaration_type,
            declaration_date=declaration_date,
            state__in=RETRY_STATES,
        )
        .filter(Q(evidence_held__isnull=True) if evidence is None else Q(evidence_held=evidence))
        .order_by(
            Case(When(state=DeclarationState.INELIGIBLE, then=Value(1)), default=Value(0)),
            "-created_at",
            "-id",
        )
        .first()
    )


def declaration_submit(*, lead_provider, attributes: dict, actor: Actor, token=None) -> Declaration:
    """POST /participant-declarations: the existing declaration for an exact copy, else a new one.

    Raises AttributeErrors with the ordered rules' errors. The attempt row survives a refusal.
    """
    values = read_attributes(attributes)
    participant = participant_resolve(participant_id=values["participant_id"])
    attempt = None
    if participant is not None:
        attempt = DeclarationAttempt.objects.create(
            participant=participant,
            lead_provider=lead_provider,
            token=token,
            declaration_type=_clip(values["declaration_type"]),
            declaration_date=_clip(values["declaration_date"]),
            course_identifier=_clip(values["course_identifier"]),
            evidence_held=_clip(values["evidence_held"]),
        )
    with transaction.atomic():
        if participant is not None:
            _lock_people(participant)
        declaration = _submit_locked(
            lead_provider=lead_provider, participant=participant, values=values, actor=actor
        )
        if attempt is not None:
            attempt.declaration = declaration
            attempt.save(update_fields=["declaration"])
    return declaration


def _clip(value: str | None) -> str | None:
    return None if value is None else value[:255]


def _submit_locked(*, lead_provider, participant, values, actor) -> Declaration:
    course = values["course_identifier"]
    raw_type = values["declaration_type"]
    raw_date = values["declaration_date"]
    raw_evidence = values["evidence_held"]

    # Rule #0 short-circuits.
    if course is not None and course.startswith("npq-"):
        raise AttributeErrors([("course_identifier", texts.NPQ_COURSE_NO_LONGER_SUPPORTED)])

    record = (
        active_training_record(participant=participant, course_identifier=course) if participant else None
    )
    schedule = record.schedule if record else None
    cohort = schedule.cohort if schedule else None
    parsed = None if is_blank(raw_date) else parse_lenient(raw_date)
    strict = None if is_blank(raw_date) else parse_rfc3339(raw_date)
    declaration_type = None if is_blank(raw_type) else raw_type
    provider_trains = bool(record) and provider_trains_on_schedule(
        training_record=record, lead_provider=lead_provider
    )
    evidence = (
        normalised_evidence(
            detailed=cohort.detailed_evidence_types,
            declaration_type=declaration_type,
            evidence_held=raw_evidence,
        )
        if cohort
        else None
    )

    # A retry (an exact copy of a live or ineligible declaration) answers with it, before any rule: the
    # people are locked, so two identical submissions racing end with one declaration.
    if provider_trains and strict is not None and declaration_type:
        existing = _exact_copy(
            lead_provider=lead_provider,
            participant=participant,
            course=course,
            declaration_type=declaration_type,
            declaration_date=strict,
            evidence=evidence,
        )
        if existing is not None:
            return existing

    errors = AttributeErrors()
    # 1
    if participant is None:
        errors.add("participant_id", texts.INVALID_PARTICIPANT)
    # 2
    if record is not None and parsed is not None:
        withdrawn_at = _withdrawn_at(record=record, lead_provider=lead_provider, at=parsed)
        if withdrawn_at is not None:
            errors.add(
                "participant_id",
                texts.WITHDRAWN_BEFORE_DECLARATION.format(withdrawn_at=rfc3339(withdrawn_at)),
            )
    # 3
    if parsed is None:
        errors.add("declaration_date", texts.MISSING_DECLARATION_DATE)
    # 4
    if declaration_type is None:
        errors.add("declaration_type", texts.MISSING_DECLARATION_TYPE)
    # 5
    if parsed is not None and parsed > clock.now():
        errors.add("declaration_date", texts.FUTURE_DATE)
    # 6
    if not is_blank(raw_date) and strict is None:
        errors.add("declaration_date", texts.INVALID_DECLARATION_DATE)
    # 7, 8
    milestone = (
        schedule.milestones.filter(declaration_type=declaration_type).first()
        if schedule and declaration_type
        else None
    )
    if milestone is not None and parsed is not None:
        if parsed < dt.datetime.combine(milestone.start_date, dt.time.min, tzinfo=dt.UTC):
            errors.add("declaration_date", texts.BEFORE_MILESTONE_START)
        if milestone.milestone_date is not None and parsed >= dt.datetime.combine(
            milestone.milestone_date + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC
        ):
            errors.add("declaration_date", texts.AFTER_MILESTONE_CUTOFF)
    # 9
    if (
        record is not None
        and _statement_needed(
            record=record,
            lead_provider=lead_provider,
            participant=participant,
            course=course,
            declaration_type=declaration_type,
            declaration_date=strict or parsed,
            evidence=evidence,
        )
        and statement_ledger().next_output_statement(lead_provider_id=lead_provider.pk, cohort_id=cohort.pk)
        is None
    ):
        errors.add("cohort", texts.NO_OUTPUT_FEE_STATEMENTS.format(year=cohort.start_year))
    # 10
    if record is not None and milestone is None:
        errors.add("declaration_type", texts.MISMATCH_DECLARATION_TYPE)
    # 11
    if (
        participant is not None
        and declaration_type
        and course
        and live_declaration_for_slot(
            participant_id=participant.pk, course_identifier=course, declaration_type=declaration_type
        )
    ):
        errors.add("base", texts.DECLARATION_ALREADY_EXISTS)
    # 12
    if (
        record is not None
        and record.participant_type == TrainingRecord.Type.MENTOR
        and cohort.mentor_funding
        and declaration_type not in MENTOR_FUNDED_TYPES
    ):
        errors.add("declaration_type", texts.RETAINED_NOT_ALLOWED_FOR_MENTOR)
    # 13 (only if clean)
    if not errors and record is None:
        errors.add("course_identifier", texts.INVALID_COURSE)
    # 14 (only if clean)
    if not errors and not provider_trains:
        errors.add("participant_id", texts.INVALID_PARTICIPANT)
    # 15 (only if clean)
    if not errors:
        problem = evidence_error(
            detailed=cohort.detailed_evidence_types,
            course_identifier=course,
            declaration_type=declaration_type,
            evidence_held=raw_evidence,
        )
        if problem == "missing":
            errors.add("evidence_held", texts.MISSING_EVIDENCE_HELD)
        elif problem == "invalid":
            errors.add("evidence_held", texts.INVALID_EVIDENCE_TYPE)
    if errors:
        raise errors

    return _create(
        lead_provider=lead_provider,
        participant=participant,
        record=record,
        course=course,
        declaration_type=declaration_type,
        declaration_date=strict,
        evidence=evidence,
        actor=actor,
    )


def _withdrawn_at(*, record, lead_provider, at):
    """Rule #2: the withdrawal instant when the declaration is dated at or after it."""
    change = latest_training_status_change(training_record=record, lead_provider=lead_provider)
    if change is None or change.to_status != TrainingStatus.WITHDRAWN or change.changed_at > at:
        return None
    current = relevant_induction_record(training_record=record, lead_provider=lead_provider, at=at)
    if current is not None and current.training_status == TrainingStatus.ACTIVE:
        return None
    return change.changed_at


def _captured(*, record, lead_provider, at, course):
    """Delivery partner and mentor from the relevant induction record."""
    current = relevant_induction_record(training_record=record, lead_provider=lead_provider, at=at)
    if current is None:
        return None, None
    partnership = current.induction_programme.partnership
    delivery_partner_id = partnership.delivery_partner_id if partnership else None
    mentor_id = (
        current.mentor.participant_id
        if current.mentor_id and course == CourseIdentifier.ECF_INDUCTION
        else None
    )
    return delivery_partner_id, mentor_id


def _statement_needed(
    *, record, lead_provider, participant, course, declaration_type, declaration_date, evidence
):
    """Rule #9 applies unless the identical declaration is `submitted`, or there is none and the participant
    is not fundable."""
    identical = None
    if declaration_type and declaration_date is not None:
        delivery_partner_id, mentor_id = _captured(
            record=record, lead_provider=lead_provider, at=declaration_date, course=course
        )
        identical = (
            Declaration.objects.filter(
                training_record=record,
                participant=participant,
                lead_provider=lead_provider,
                course_identifier=course,
                declaration_type=declaration_type,
                declaration_date=declaration_date,
                delivery_partner_id=delivery_partner_id,
                mentor_id=mentor_id,
                state__in=Declaration.LIVE_STATES,
            )
            .filter(Q(evidence_held__isnull=True) if evidence is None else Q(evidence_held=evidence))
            .first()
        )
    if identical is not None:
        return identical.state != DeclarationState.SUBMITTED
    return record.is_fundable


def _create(
    *, lead_provider, participant, record, course, declaration_type, declaration_date, evidence, actor
):
    delivery_partner_id, mentor_id = _captured(
        record=record, lead_provider=lead_provider, at=declaration_date, course=course
    )
    declaration = Declaration(
        participant=participant,
        training_record=record,
        lead_provider=lead_provider,
        cohort_id=record.schedule.cohort_id,
        declaration_type=declaration_type,
        declaration_date=declaration_date,
        course_identifier=course,
        evidence_held=evidence,
        state=DeclarationState.SUBMITTED,
        delivery_partner_id=delivery_partner_id,
        mentor_id=mentor_id,
        sparsity_uplift=record.sparsity_uplift,
        pupil_premium_uplift=record.pupil_premium_uplift,
    )
    try:
        with transaction.atomic():
            declaration.save(force_insert=True)
    except IntegrityError as error:
        if not _is_slot_violation(error):
            raise
        # The one-live-declaration constraint caught a submission that filled the slot first.
        existing = _exact_copy(
            lead_provider=lead_provider,
            participant=participant,
            course=course,
            declaration_type=declaration_type,
            declaration_date=declaration_date,
            evidence=evidence,
        )
        if existing is not None:
            return existing
        raise AttributeErrors([("base", texts.DECLARATION_ALREADY_EXISTS)]) from None
    record_state_change(declaration, before=None, actor=actor)

    original = _duplicate_of(declaration)
    if original is not None:
        declaration.mark_duplicate(superseded_by=original)
        declaration.save()
        record_state_change(
            declaration,
            before=DeclarationState.SUBMITTED,
            actor=actor,
            reason=DeclarationStateChange.REASON_DUPLICATE,
        )
    elif record.is_fundable:
        declaration.make_eligible()
        declaration.save()
        record_state_change(declaration, before=DeclarationState.SUBMITTED, actor=actor)

    if declaration.state != DeclarationState.SUBMITTED:
        ledger = statement_ledger()
        statement = ledger.next_output_statement(
            lead_provider_id=lead_provider.pk, cohort_id=declaration.cohort_id, lock=True
        )
        if statement is None:  # never a 500: the declaration is kept, unattached, and the gap logged
            logger.warning(
                "Declaration %s is %s but provider %s has no output statement for cohort %s; left unattached",
                declaration.pk,
                declaration.state,
                lead_provider.pk,
                declaration.cohort_id,
            )
        else:
            ledger.add_output_line(declaration=declaration, statement=statement, actor=actor)

    _after_mentor_completion_change(declaration)
    return declaration


def _duplicate_of(declaration: Declaration) -> Declaration | None:
    """What the new declaration duplicates: the earliest live, unsuperseded declaration (any provider) of
    another person with the same TRN, course and type."""
    trn = declaration.participant.trn
    if not trn:
        return None
    return (
        Declaration.objects.filter(
            participant__trn=trn,
            course_identifier=declaration.course_identifier,
            declaration_type=declaration.declaration_type,
            state__in=Declaration.LIVE_STATES,
            superseded_by__isnull=True,
        )
        .exclude(participant_id=declaration.participant_id)
        .order_by("created_at", "id")
        .first()
    )


def declaration_void(*, declaration: Declaration, actor: Actor, voided_by=None) -> Declaration:
    """PUT …/void, or a finance user's void on the provider's behalf (`voided_by`): voided, or a clawback
    when paid."""
    with transaction.atomic():
        _lock_training_records(pk=declaration.training_record_id)
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        before = declaration.state
        if before == DeclarationState.VOIDED:
            raise DeclarationAlreadyVoidedError()
        if before in Declaration.REFUNDABLE_STATES:
            raise DeclarationNotVoidableError()
        at = clock.now() if voided_by is not None else None
        if before == DeclarationState.PAID:
            statement = _clawback_statement(declaration)
            declaration.request_clawback(by=voided_by, at=at)
            declaration.save()
            record_state_change(declaration, before=before, actor=actor)
            statement_ledger().add_clawback_line(declaration=declaration, statement=statement, actor=actor)
        else:
            declaration.void(by=voided_by, at=at)
            declaration.save()
            record_state_change(declaration, before=before, actor=actor)
            statement_ledger().void_output_line(declaration=declaration, actor=actor)
        _after_mentor_completion_change(declaration)
    return declaration


def _clawback_statement(declaration: Declaration):
    """The clawback checks, all evaluated (each failure is reported); the statement the clawback line goes on."""
    reasons = []
    ledger = statement_ledger()
    if ledger.has_clawback_line(declaration=declaration):
        reasons.append(texts.CLAWBACK_ALREADY_REFUNDABLE)
    if declaration.state != DeclarationState.PAID:
        reasons.append(texts.CLAWBACK_NOT_PAID)
    statement = ledger.next_output_statement(
        lead_provider_id=declaration.lead_provider_id, cohort_id=declaration.cohort_id, lock=True
    )
    if statement is None:
        reasons.append(texts.NO_OUTPUT_FEE_STATEMENTS.format(year=declaration.cohort.start_year))
    if reasons:
        raise ClawbackRefusedError(reasons)
    return statement


def declarations_promote_for_training_record(*, training_record: TrainingRecord, actor: Actor) -> int:
    """The participant became fundable: the record's `submitted` declarations become eligible on their provider's next output
    statement. One with no such statement stays submitted and is logged; the others still move."""
    promoted = 0
    with transaction.atomic():
        waiting = (
            Declaration.objects.filter(
                training_record_id=training_record.pk, state=DeclarationState.SUBMITTED
            )
            # By provider and cohort, so that the statements locked below are taken in one order (no deadlock
            # between two promotions of people declared by the same providers).
            .order_by("lead_provider_id", "cohort_id", "created_at", "id")
            .select_for_update()
        )
        ledger = statement_ledger()
        for declaration in waiting:
            statement = ledger.next_output_statement(
                lead_provider_id=declaration.lead_provider_id, cohort_id=declaration.cohort_id, lock=True
            )
            if statement is None:
                logger.warning(
                    "Declaration %s stays submitted: provider %s has no output statement for cohort %s",
                    declaration.pk,
                    declaration.lead_provider_id,
                    declaration.cohort_id,
                )
                continue
            declaration.make_eligible()
            declaration.save()
            record_state_change(declaration, before=DeclarationState.SUBMITTED, actor=actor)
            ledger.add_output_line(declaration=declaration, statement=statement, actor=actor)
            promoted += 1
    return promoted


def promote_on_eligibility(sender, *, training_record, to_status=None, actor=None, **kwargs):
    """participants.signals.eligibility_changed receiver (connected in DeclarationsConfig.ready)."""
    from participants.models import EligibilityStatus

    if to_status != EligibilityStatus.ELIGIBLE:
        return
    declarations_promote_for_training_record(
        training_record=training_record, actor=actor or Actor.command("eligibility_changed")
    )


def refresh_visibility_on_induction_change(sender, *, training_record_ids, **kwargs):
    """participants.signals.induction_records_changed receiver (connected in DeclarationsConfig.ready): the
    providers training these records may have changed, so who sees their declarations may have too."""
    DeclarationVisibility.objects.refresh_for_training_records(training_record_ids=training_record_ids)


def _after_mentor_completion_change(declaration: Declaration) -> None:
    if (
        declaration.course_identifier == CourseIdentifier.ECF_MENTOR
        and declaration.declaration_type == DeclarationType.COMPLETED
    ):
        mentor_completion_recompute(training_record_id=declaration.training_record_id)


def mentor_completion_recompute(*, training_record_id) -> None:
    """A mentor's completion date follows their latest live `completed` declaration (none clears it)."""
    latest = (
        Declaration.objects.filter(
            training_record_id=training_record_id,
            course_identifier=CourseIdentifier.ECF_MENTOR,
            declaration_type=DeclarationType.COMPLETED,
            state__in=Declaration.LIVE_STATES,
        )
        .order_by("-declaration_date", "-created_at")
        .values_list("declaration_date", flat=True)
        .first()
    )
    training_record_mentor_completed(
        training_record_id=training_record_id,
        completed_on=None if latest is None else latest.astimezone(dt.UTC).date(),
    )
