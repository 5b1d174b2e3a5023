"""Schedules, milestones, participants, their training records and induction records."""

import uuid

from django.db import models, transaction
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import Lower, RowNumber
from django_fsm import FSMField, FSMModelMixin

from config import clock
from config.actors import ActorKind
from config.history import StateChange, audit_history
from config.models import TimestampedModel, choices_check
from config.sql import insert_from_select
from config.transitions import Transitions
from participants.signals import induction_records_changed


class DeclarationType(models.TextChoices):
    STARTED = "started"
    RETAINED_1 = "retained-1"
    RETAINED_2 = "retained-2"
    RETAINED_3 = "retained-3"
    RETAINED_4 = "retained-4"
    COMPLETED = "completed"
    EXTENDED_1 = "extended-1"
    EXTENDED_2 = "extended-2"
    EXTENDED_3 = "extended-3"


class CourseIdentifier(models.TextChoices):
    ECF_INDUCTION = "ecf-induction"
    ECF_MENTOR = "ecf-mentor"


class ScheduleIdentifier(models.TextChoices):
    STANDARD_SEPTEMBER = "ecf-standard-september"
    STANDARD_JANUARY = "ecf-standard-january"
    STANDARD_APRIL = "ecf-standard-april"
    REDUCED_SEPTEMBER = "ecf-reduced-september"
    REDUCED_JANUARY = "ecf-reduced-january"
    REDUCED_APRIL = "ecf-reduced-april"
    EXTENDED_SEPTEMBER = "ecf-extended-september"
    EXTENDED_JANUARY = "ecf-extended-january"
    EXTENDED_APRIL = "ecf-extended-april"
    REPLACEMENT_SEPTEMBER = "ecf-replacement-september"
    REPLACEMENT_JANUARY = "ecf-replacement-january"
    REPLACEMENT_APRIL = "ecf-replacement-april"


class ScheduleType(models.TextChoices):
    STANDARD = "standard"
    REDUCED = "reduced"
    EXTENDED = "extended"
    REPLACEMENT = "replacement"  # mentors only


class Schedule(TimestampedModel):
    Type = ScheduleType

    cohort = models.ForeignKey("partnerships.Cohort", on_delete=models.PROTECT, related_name="schedules")
    schedule_identifier = models.CharField(max_length=32, choices=ScheduleIdentifier.choices)
    name = models.CharField(max_length=100)
    schedule_type = models.CharField(max_length=16, choices=Type.choices)

    history = audit_history()

    class Meta:
        ordering = ["cohort__start_year", "schedule_identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "schedule_identifier"], name="schedule_unique_per_cohort"
            ),
            choices_check("schedule_identifier", ScheduleIdentifier, name="schedule_identifier_valid"),
            choices_check("schedule_type", ScheduleType, name="schedule_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_identifier} ({self.cohort_id and self.cohort.start_year})"

    def allows_course(self, course_identifier: str) -> bool:
        return self.schedule_type != self.Type.REPLACEMENT or course_identifier == CourseIdentifier.ECF_MENTOR


class Milestone(TimestampedModel):
    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="milestones")
    declaration_type = models.CharField(max_length=16, choices=DeclarationType.choices)
    name = models.CharField(max_length=100)
    start_date = models.DateField()
    milestone_date = models.DateField(null=True, blank=True)  # null: the window has no end
    payment_date = models.DateField(null=True, blank=True)  # information only

    history = audit_history()

    class Meta:
        ordering = ["schedule", "start_date", "declaration_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "declaration_type"], name="milestone_unique_per_type"
            ),
            choices_check("declaration_type", DeclarationType, name="milestone_type_valid"),
            models.CheckConstraint(
                condition=Q(milestone_date__isnull=True) | Q(milestone_date__gte=models.F("start_date")),
                name="milestone_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.declaration_type}"


class Participant(TimestampedModel):
    """The person. Its id is the API's participant id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = models.CharField(max_length=255)
    email = models.EmailField(max_length=254)
    # Teacher-record TRN; deliberately not unique: the duplicate rule matches equal TRNs across persons.
    trn = models.CharField(max_length=16, null=True, blank=True)

    class Meta:
        permissions = [("merge_participant", "Can merge a duplicate person into another")]
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(Lower("email"), name="participant_email_unique_ci")]
        indexes = [
            models.Index(fields=["created_at", "id"], name="participant_created_id"),
            models.Index(fields=["updated_at", "id"], name="participant_updated_id"),
            models.Index(fields=["trn"], name="participant_trn"),
        ]

    def __str__(self) -> str:
        return self.full_name


class ParticipantIdChange(models.Model):
    """A retired person id now held by `participant` (a merged duplicate).

    A merge made in the back office also records who made it and who the retired person was (their row is
    gone); ids retired before the back office could merge carry no actor."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="id_changes")
    from_participant_id = models.UUIDField(unique=True)
    to_participant_id = models.UUIDField()
    created_at = models.DateTimeField(default=clock.now, editable=False)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices, null=True, blank=True)
    actor_id = models.CharField(max_length=150, null=True, blank=True)
    from_full_name = models.CharField(max_length=255, blank=True, default="")
    from_email = models.CharField(max_length=254, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_participant_id=models.F("to_participant_id")), name="id_change_from_not_to"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_participant_id} → {self.to_participant_id}"


class EligibilityStatus(models.TextChoices):
    ELIGIBLE = "eligible"
    MATCHED = "matched"
    MANUAL_CHECK = "manual_check"
    INELIGIBLE = "ineligible"


class EligibilityReason(models.TextChoices):
    ACTIVE_FLAGS = "active_flags"
    PREVIOUS_PARTICIPATION = "previous_participation"
    PREVIOUS_INDUCTION = "previous_induction"
    NO_QTS = "no_qts"
    DIFFERENT_TRN = "different_trn"
    DUPLICATE_PROFILE = "duplicate_profile"
    NONE = "none"
    NO_INDUCTION = "no_induction"
    EXEMPT_FROM_INDUCTION = "exempt_from_induction"


class MentorCompletionReason(models.TextChoices):
    COMPLETED_DECLARATION_RECEIVED = "completed_declaration_received"
    COMPLETED_DURING_EARLY_ROLL_OUT = "completed_during_early_roll_out"
    STARTED_NOT_COMPLETED = "started_not_completed"


class TrainingRecordType(models.TextChoices):
    ECT = "ect"
    MENTOR = "mentor"


class RecordStatus(models.TextChoices):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # removed by the school or DfE


class TrainingRecord(TimestampedModel):
    """One role of a person: an ECT record or a mentor record. Its id is the API's training_record_id."""

    Type = TrainingRecordType

    RecordStatus = RecordStatus

    COURSE_BY_TYPE = {Type.ECT: CourseIdentifier.ECF_INDUCTION, Type.MENTOR: CourseIdentifier.ECF_MENTOR}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="training_records")
    participant_type = models.CharField(max_length=8, choices=Type.choices)
    record_status = models.CharField(max_length=16, choices=RecordStatus.choices, default=RecordStatus.ACTIVE)
    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="training_records")
    school_cohort = models.ForeignKey(
        "partnerships.SchoolCohort", on_delete=models.PROTECT, related_name="training_records"
    )
    sparsity_uplift = models.BooleanField(default=False)
    pupil_premium_uplift = models.BooleanField(default=False)
    registration_trn = models.CharField(max_length=16, null=True, blank=True)
    eligibility_status = models.CharField(
        max_length=16, choices=EligibilityStatus.choices, null=True, blank=True
    )
    eligibility_reason = models.CharField(
        max_length=32, choices=EligibilityReason.choices, null=True, blank=True
    )
    induction_completion_date = models.DateField(null=True, blank=True)
    mentor_completion_date = models.DateField(null=True, blank=True)
    mentor_completion_reason = models.CharField(
        max_length=40, choices=MentorCompletionReason.choices, null=True, blank=True
    )
    cohort_changed_after_payments_frozen = models.BooleanField(default=False)

    class Meta:
        permissions = [("change_eligibility", "Can record a participant's funding eligibility")]
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "participant_type"],
                condition=Q(record_status="active"),
                name="training_record_one_active_per_role",
            ),
            choices_check("participant_type", TrainingRecordType, name="training_record_type_valid"),
            choices_check("record_status", RecordStatus, name="training_record_status_valid"),
            choices_check(
                "eligibility_status",
                EligibilityStatus,
                name="training_record_eligibility_valid",
                nullable=True,
            ),
            choices_check(
                "eligibility_reason",
                EligibilityReason,
                name="training_record_eligibility_reason_valid",
                nullable=True,
            ),
            choices_check(
                "mentor_completion_reason",
                MentorCompletionReason,
                name="training_record_mentor_completion_reason_valid",
                nullable=True,
            ),
            models.CheckConstraint(
                condition=(
                    Q(eligibility_status__isnull=True, eligibility_reason__isnull=True)
                    | Q(eligibility_status__isnull=False, eligibility_reason__isnull=False)
                ),
                name="training_record_eligibility_pair",
            ),
            models.CheckConstraint(
                condition=(
                    Q(mentor_completion_date__isnull=True, mentor_completion_reason__isnull=True)
                    | Q(
                        participant_type="mentor",
                        mentor_completion_date__isnull=False,
                        mentor_completion_reason__isnull=False,
                    )
                ),
                name="training_record_mentor_completion_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["participant"], name="training_record_participant"),
            models.Index(fields=["schedule"], name="training_record_schedule"),
            models.Index(fields=["school_cohort"], name="training_record_school_cohort"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.participant_type}"

    @property
    def course_identifier(self) -> str:
        return self.COURSE_BY_TYPE[self.participant_type]

    @property
    def is_fundable(self) -> bool:
        return self.eligibility_status == EligibilityStatus.ELIGIBLE


class EligibilityChange(StateChange):
    training_record = models.ForeignKey(
        TrainingRecord, on_delete=models.PROTECT, related_name="eligibility_changes"
    )
    from_status = models.CharField(max_length=16, choices=EligibilityStatus.choices, null=True, blank=True)
    to_status = models.CharField(max_length=16, choices=EligibilityStatus.choices, null=True, blank=True)
    from_reason = models.CharField(max_length=32, choices=EligibilityReason.choices, null=True, blank=True)
    to_reason = models.CharField(max_length=32, choices=EligibilityReason.choices, null=True, blank=True)

    class Meta(StateChange.Meta):
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["training_record", "changed_at"], name="eligibility_change_parent")]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class TrainingStatus(models.TextChoices):
    ACTIVE = "active"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"


# Every move of `InductionRecord.training_status`: (name, from, to). The provider acts through the API, or
# DfE finance on its behalf. A change of schedule keeps the status.
TRAINING_STATUS_TRANSITIONS = Transitions(
    ("defer", [TrainingStatus.ACTIVE], TrainingStatus.DEFERRED),
    # Resuming is allowed after a withdrawal too, as the original service allows it.
    ("resume", [TrainingStatus.DEFERRED, TrainingStatus.WITHDRAWN], TrainingStatus.ACTIVE),
    ("withdraw", [TrainingStatus.ACTIVE, TrainingStatus.DEFERRED], TrainingStatus.WITHDRAWN),
)


class InductionStatus(models.TextChoices):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    CHANGED = "changed"
    LEAVING = "leaving"
    COMPLETED = "completed"


class InductionRecordManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        """As `InductionRecord.save`: the stored current records of the training records follow."""
        with transaction.atomic(savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            CurrentInductionRecord.objects.refresh(
                training_record_ids=[record.training_record_id for record in created]
            )
        return created


class InductionRecord(FSMModelMixin, TimestampedModel):
    """A time slice of a training record: school, partnership, schedule, training status and mentor."""

    objects = InductionRecordManager()

    training_record = models.ForeignKey(
        TrainingRecord, on_delete=models.PROTECT, related_name="induction_records"
    )
    induction_programme = models.ForeignKey(
        "partnerships.InductionProgramme", on_delete=models.PROTECT, related_name="induction_records"
    )
    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="induction_records")
    start_date = models.DateTimeField()
    end_date = models.DateTimeField(null=True, blank=True)
    # Owned by the lead provider (through the API actions); changes only through the transitions below.
    TRANSITIONS = TRAINING_STATUS_TRANSITIONS
    training_status = FSMField(
        max_length=16, choices=TrainingStatus.choices, default=TrainingStatus.ACTIVE, protected=True
    )
    # Owned by the school or DfE.
    induction_status = models.CharField(
        max_length=16, choices=InductionStatus.choices, default=InductionStatus.ACTIVE
    )
    mentor = models.ForeignKey(
        TrainingRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mentee_induction_records",
    )
    preferred_email = models.EmailField(max_length=254, null=True, blank=True)
    school_transfer = models.BooleanField(default=False)

    # "Latest" order everywhere: open records (no end date) first, then start date, creation
    # time and id, each descending. End dates themselves do not order records.
    LATEST_ORDER = (
        models.Case(models.When(end_date__isnull=True, then=0), default=1).asc(),
        models.F("start_date").desc(),
        models.F("created_at").desc(),
        models.F("id").desc(),
    )
    # For actions: the same with `end_date` descending as an extra tiebreak.
    ACTION_ORDER = (
        models.Case(models.When(end_date__isnull=True, then=0), default=1).asc(),
        models.F("start_date").desc(),
        models.F("created_at").desc(),
        models.F("end_date").desc(nulls_first=True),
        models.F("id").desc(),
    )

    class Meta:
        permissions = [("change_training_status", "Can change training status on a provider's behalf")]
        constraints = [
            choices_check("training_status", TrainingStatus, name="induction_record_training_status_valid"),
            choices_check(
                "induction_status", InductionStatus, name="induction_record_induction_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="induction_record_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["training_record", "end_date", "start_date", "created_at"],
                name="induction_record_latest",
            ),
            models.Index(fields=["induction_programme"], name="induction_record_programme"),
            models.Index(fields=["mentor"], name="induction_record_mentor"),
            models.Index(fields=["schedule"], name="induction_record_schedule"),
            models.Index(fields=["induction_status"], name="induction_record_status"),
            models.Index(fields=["training_status"], name="induction_record_training_st"),
        ]

    def __str__(self) -> str:
        return f"{self.training_record_id} from {self.start_date:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        # Every write of a record can move which record is its providers' current one (its dates, its
        # programme and so its partnership): the stored choice follows in the same transaction.
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            CurrentInductionRecord.objects.refresh(training_record_ids=[self.training_record_id])

    def delete(self, *args, **kwargs):
        training_record_id = self.training_record_id
        with transaction.atomic(savepoint=False):
            result = super().delete(*args, **kwargs)
            CurrentInductionRecord.objects.refresh(training_record_ids=[training_record_id])
        return result

    @TRAINING_STATUS_TRANSITIONS.transition(field=training_status)
    def defer(self):
        pass

    @TRAINING_STATUS_TRANSITIONS.transition(field=training_status)
    def resume(self):
        pass

    @TRAINING_STATUS_TRANSITIONS.transition(field=training_status)
    def withdraw(self):
        pass


def provider_current_choice(training_record_ids=None) -> QuerySet:
    """For each (training record, provider), the provider's current induction record, computed: the latest
    (`InductionRecord.LATEST_ORDER`) of the record's induction records under an unchallenged partnership of
    that provider. Rows of `training_record_id, lead_provider_id, induction_record_id, participant_id`;
    restricted to `training_record_ids` unless None."""
    candidates = InductionRecord.objects.filter(
        induction_programme__partnership__status="active"  # PartnershipStatus.ACTIVE (partnerships app)
    )
    if training_record_ids is not None:
        candidates = candidates.filter(training_record_id__in=training_record_ids)
    provider = F("induction_programme__partnership__lead_provider_id")
    return (
        candidates.annotate(
            provider_id=provider,
            rank=Window(
                RowNumber(),
                partition_by=[F("training_record_id"), provider],
                order_by=list(InductionRecord.LATEST_ORDER),
            ),
        )
        .filter(rank=1)
        .values_list("training_record_id", "provider_id", "pk", "training_record__participant_id")
    )


class CurrentInductionRecordManager(models.Manager):
    def refresh(self, *, training_record_ids) -> None:
        """Recomputes the stored current induction records of these training records, in the caller's
        transaction: the training records are locked (in primary-key order, as the participants' services
        lock them) so that two refreshes of one record run one after the other."""
        ids = sorted(set(training_record_ids))
        if not ids:
            return
        with transaction.atomic(savepoint=False):
            list(
                TrainingRecord.objects.filter(pk__in=ids).order_by("pk").select_for_update().values_list("pk")
            )
            self.filter(training_record_id__in=ids).delete()
            insert_from_select(
                into=CurrentInductionRecord,
                columns=["training_record_id", "lead_provider_id", "induction_record_id", "participant_id"],
                select=provider_current_choice(ids),
            )
            induction_records_changed.send(sender=InductionRecord, training_record_ids=ids)

    def refresh_all(self) -> None:
        """Recomputes every stored row (the check command's repair)."""
        with transaction.atomic():
            self.all().delete()
            insert_from_select(
                into=CurrentInductionRecord,
                columns=["training_record_id", "lead_provider_id", "induction_record_id", "participant_id"],
                select=provider_current_choice(),
            )


class CurrentInductionRecord(models.Model):
    """The stored answer to "which induction record is this provider's current one for this training
    record?" (one row per training record and provider that has one), so that the provider's reads find it
    by index instead of ranking every record of every person per request. Written only by
    `CurrentInductionRecord.objects.refresh`, in the transaction of each change that can move it (an
    induction record written, records moved to another programme, a partnership challenged or linked to a
    programme); `manage.py check_current_induction_records` recomputes and compares."""

    training_record = models.ForeignKey(TrainingRecord, on_delete=models.CASCADE, related_name="+")
    lead_provider = models.ForeignKey("partnerships.LeadProvider", on_delete=models.PROTECT, related_name="+")
    induction_record = models.OneToOneField(
        InductionRecord, on_delete=models.CASCADE, related_name="current_for"
    )
    # The training record's person, for listing people by provider (a merge of persons refreshes it).
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")

    objects = CurrentInductionRecordManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["training_record", "lead_provider"], name="current_induction_record_one_per_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["lead_provider", "participant"], name="current_induction_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.training_record_id} × {self.lead_provider_id}: {self.induction_record_id}"


class DeferReason(models.TextChoices):
    BEREAVEMENT = "bereavement"
    LONG_TERM_SICKNESS = "long-term-sickness"
    PARENTAL_LEAVE = "parental-leave"
    CAREER_BREAK = "career-break"
    OTHER = "other"


class WithdrawReason(models.TextChoices):
    LEFT_TEACHING_PROFESSION = "left-teaching-profession"
    MOVED_SCHOOL = "moved-school"
    MENTOR_NO_LONGER_BEING_MENTOR = "mentor-no-longer-being-mentor"
    SWITCHED_TO_SCHOOL_LED = "switched-to-school-led"
    OTHER = "other"


LEGACY_WITHDRAW_REASON = "school-left-fip"  # stored historically, shown as switched-to-school-led
TRAINING_STATUS_REASONS = sorted({*DeferReason.values, *WithdrawReason.values, LEGACY_WITHDRAW_REASON})


class TrainingStatusChange(StateChange):
    training_record = models.ForeignKey(
        TrainingRecord, on_delete=models.PROTECT, related_name="training_status_changes"
    )
    # The provider concerned, also when finance acts on its behalf.
    lead_provider = models.ForeignKey("partnerships.LeadProvider", on_delete=models.PROTECT, related_name="+")
    induction_record = models.ForeignKey(InductionRecord, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=16, choices=TrainingStatus.choices, null=True, blank=True)
    to_status = models.CharField(max_length=16, choices=TrainingStatus.choices)

    class Meta(StateChange.Meta):
        ordering = ["changed_at", "id"]
        constraints = [
            *StateChange.Meta.constraints,
            choices_check("to_status", TrainingStatus, name="training_status_change_to_valid"),
            models.CheckConstraint(
                condition=(
                    Q(to_status="active", reason__isnull=True)
                    | (~Q(to_status="active") & Q(reason__in=TRAINING_STATUS_REASONS))
                ),
                name="training_status_change_reason_iff_not_active",
            ),
        ]
        indexes = [
            models.Index(
                fields=["training_record", "lead_provider", "changed_at"],
                name="training_status_change_parent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"

    @property
    def displayed_reason(self) -> str | None:
        if self.reason == LEGACY_WITHDRAW_REASON:
            return WithdrawReason.SWITCHED_TO_SCHOOL_LED
        return self.reason


class ScheduleChange(StateChange):
    training_record = models.ForeignKey(
        TrainingRecord, on_delete=models.PROTECT, related_name="schedule_changes"
    )
    lead_provider = models.ForeignKey("partnerships.LeadProvider", on_delete=models.PROTECT, related_name="+")
    from_schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="+")
    to_schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="+")

    class Meta(StateChange.Meta):
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["training_record", "changed_at"], name="schedule_change_parent")]

    def __str__(self) -> str:
        return f"{self.from_schedule_id}→{self.to_schedule_id}"
