"""Declarations: a lead provider's claim that a participant reached a milestone."""

import uuid

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, models, transaction
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin

from config import clock
from config.history import StateChange
from config.models import TimestampedModel, choices_check
from config.transitions import Transitions
from participants.models import CourseIdentifier, DeclarationType


class EvidenceHeld(models.TextChoices):
    TRAINING_EVENT_ATTENDED = "training-event-attended"
    SELF_STUDY_MATERIAL_COMPLETED = "self-study-material-completed"
    MATERIALS_ENGAGED_WITH_OFFLINE = "materials-engaged-with-offline"
    OTHER = "other"
    ENGAGEMENT_MET = "75-percent-engagement-met"
    ENGAGEMENT_MET_REDUCED_INDUCTION = "75-percent-engagement-met-reduced-induction"
    ONE_TERM_INDUCTION = "one-term-induction"


class DeclarationState(models.TextChoices):
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    PAYABLE = "payable"
    PAID = "paid"
    VOIDED = "voided"
    INELIGIBLE = "ineligible"
    AWAITING_CLAWBACK = "awaiting_clawback"  # hyphenated on the wire
    CLAWED_BACK = "clawed_back"


_S = DeclarationState
# A live declaration occupies its slot: no other declaration of the same person, course and type may be
# live at the same time (a database constraint below).
LIVE_STATES = (_S.SUBMITTED, _S.ELIGIBLE, _S.PAYABLE, _S.PAID)
# Billable: the declaration is, or will be, paid for.
BILLABLE_STATES = (_S.ELIGIBLE, _S.PAYABLE, _S.PAID)
# Refundable: a paid declaration being, or already, clawed back.
REFUNDABLE_STATES = (_S.AWAITING_CLAWBACK, _S.CLAWED_BACK)
VOIDABLE_STATES = (_S.SUBMITTED, _S.ELIGIBLE, _S.PAYABLE, _S.INELIGIBLE)

# Every move of `Declaration.state`: (name, from, to). The model's methods below and the set-based moves of
# `declarations.services.declarations_transition` (the statement runs) both read this table.
TRANSITIONS = Transitions(
    # A second registration of a teacher already declared for under another identity (same TRN).
    ("mark_duplicate", [_S.SUBMITTED], _S.INELIGIBLE),
    # The participant is fundable: at submission, or when DfE records their eligibility.
    ("make_eligible", [_S.SUBMITTED], _S.ELIGIBLE),
    # The statement holding its output line passed its deadline (payable run).
    ("mark_payable", [_S.ELIGIBLE], _S.PAYABLE),
    # Moved to a statement that is not yet payable (statement maintenance only).
    ("move_back", [_S.PAYABLE], _S.ELIGIBLE),
    # The statement holding its output line is paid (payment run).
    ("pay", [_S.PAYABLE], _S.PAID),
    # Voided by the provider, or by DfE finance on its behalf, before it was paid.
    ("void", VOIDABLE_STATES, _S.VOIDED),
    # Voiding a paid declaration: the money is recovered on the next output statement.
    ("request_clawback", [_S.PAID], _S.AWAITING_CLAWBACK),
    # The statement holding its clawback line is paid (payment run).
    ("complete_clawback", [_S.AWAITING_CLAWBACK], _S.CLAWED_BACK),
)


class DeclarationManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        """As `Declaration.save`: who sees the new declarations is stored with them."""
        with transaction.atomic(savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            DeclarationVisibility.objects.refresh(declarations=self.filter(pk__in=[d.pk for d in created]))
        return created


class Declaration(FSMModelMixin, TimestampedModel):
    State = DeclarationState
    LIVE_STATES = LIVE_STATES
    BILLABLE_STATES = BILLABLE_STATES
    REFUNDABLE_STATES = REFUNDABLE_STATES
    VOIDABLE_STATES = VOIDABLE_STATES
    TRANSITIONS = TRANSITIONS

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="declarations"
    )
    training_record = models.ForeignKey(
        "participants.TrainingRecord", on_delete=models.PROTECT, related_name="declarations"
    )
    lead_provider = models.ForeignKey(
        "partnerships.LeadProvider", on_delete=models.PROTECT, related_name="declarations"
    )
    # The schedule's cohort at creation; never changes.
    cohort = models.ForeignKey("partnerships.Cohort", on_delete=models.PROTECT, related_name="declarations")
    declaration_type = models.CharField(max_length=16, choices=DeclarationType.choices)
    declaration_date = models.DateTimeField()
    course_identifier = models.CharField(max_length=16, choices=CourseIdentifier.choices)
    evidence_held = models.CharField(max_length=64, choices=EvidenceHeld.choices, null=True, blank=True)
    state = FSMField(max_length=24, choices=State.choices, default=State.SUBMITTED, protected=True)
    delivery_partner = models.ForeignKey(
        "partnerships.DeliveryPartner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
    )
    mentor = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    sparsity_uplift = models.BooleanField(default=False)
    pupil_premium_uplift = models.BooleanField(default=False)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        permissions = [("void_declaration", "Can void a declaration on a provider's behalf")]
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "course_identifier", "declaration_type"],
                condition=Q(state__in=list(LIVE_STATES)),
                name="declaration_one_live_per_slot",
            ),
            choices_check("state", DeclarationState, name="declaration_state_valid"),
            choices_check("declaration_type", DeclarationType, name="declaration_type_valid"),
            choices_check("course_identifier", CourseIdentifier, name="declaration_course_valid"),
            choices_check("evidence_held", EvidenceHeld, name="declaration_evidence_valid", nullable=True),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, voided_by__isnull=True)
                | Q(voided_at__isnull=False, voided_by__isnull=False),
                name="declaration_voided_by_pair",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True)
                | Q(state__in=["voided", "awaiting_clawback", "clawed_back"]),
                name="declaration_voided_at_state",
            ),
            models.CheckConstraint(
                condition=Q(mentor__isnull=True) | Q(course_identifier="ecf-induction"),
                name="declaration_mentor_only_ect",
            ),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True)
                | (Q(state__in=["ineligible", "voided"]) & ~Q(superseded_by=models.F("id"))),
                name="declaration_superseded_state",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_provider", "created_at", "id"], name="declaration_lp_created"),
            models.Index(fields=["lead_provider", "updated_at", "id"], name="declaration_lp_updated"),
            models.Index(fields=["created_at", "id"], name="declaration_created_id"),
            models.Index(fields=["updated_at", "id"], name="declaration_updated"),
            models.Index(fields=["cohort"], name="declaration_cohort"),
            models.Index(fields=["participant"], name="declaration_participant"),
            models.Index(fields=["delivery_partner"], name="declaration_delivery_partner"),
            models.Index(fields=["training_record", "state"], name="declaration_record_state"),
            models.Index(fields=["superseded_by"], name="declaration_superseded_by"),
        ]

    objects = DeclarationManager()

    def __str__(self) -> str:
        return f"{self.declaration_type} {self.course_identifier} ({self.state})"

    def save(self, *args, **kwargs):
        # A new declaration, or one out of the live states, changes which providers see it (a move between
        # live states does not).
        adding = self._state.adding
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            if adding or self.state not in LIVE_STATES:
                DeclarationVisibility.objects.refresh(declarations=Declaration.objects.filter(pk=self.pk))

    @property
    def wire_state(self) -> str:
        return self.state.replace("_", "-")

    @TRANSITIONS.transition(field=state)
    def mark_duplicate(self, *, superseded_by):
        self.superseded_by = superseded_by

    @TRANSITIONS.transition(field=state)
    def make_eligible(self):
        pass

    @TRANSITIONS.transition(field=state)
    def mark_payable(self):
        pass

    @TRANSITIONS.transition(field=state)
    def move_back(self):
        pass

    @TRANSITIONS.transition(field=state)
    def pay(self):
        pass

    @TRANSITIONS.transition(field=state)
    def void(self, *, by=None, at=None):
        """`by` and `at` are set when DfE finance voids on the provider's behalf."""
        if by is not None:
            self.voided_by = by
            self.voided_at = at

    @TRANSITIONS.transition(field=state)
    def request_clawback(self, *, by=None, at=None):
        if by is not None:
            self.voided_by = by
            self.voided_at = at

    @TRANSITIONS.transition(field=state)
    def complete_clawback(self):
        pass


class DeclarationStateChange(StateChange):
    REASON_DUPLICATE = "duplicate"

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="state_changes")
    from_state = models.CharField(max_length=24, choices=Declaration.State.choices, null=True, blank=True)
    to_state = models.CharField(max_length=24, choices=Declaration.State.choices)

    class Meta(StateChange.Meta):
        ordering = ["changed_at", "id"]
        constraints = [
            *StateChange.Meta.constraints,
            choices_check("to_state", Declaration.State, name="declaration_change_to_valid"),
            models.CheckConstraint(
                condition=Q(reason__isnull=True) | Q(reason="duplicate"),
                name="declaration_change_reason_valid",
            ),
        ]
        indexes = [models.Index(fields=["declaration", "changed_at"], name="declaration_change_parent")]

    def __str__(self) -> str:
        return f"{self.from_state}→{self.to_state}"


class DeclarationAttempt(models.Model):
    """Every POST whose participant resolves, saved before validation and kept when it fails."""

    participant = models.ForeignKey("participants.Participant", on_delete=models.PROTECT, related_name="+")
    lead_provider = models.ForeignKey("partnerships.LeadProvider", on_delete=models.PROTECT, related_name="+")
    token = models.ForeignKey(
        "partnerships.LeadProviderToken", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declaration = models.ForeignKey(
        Declaration, on_delete=models.PROTECT, null=True, blank=True, related_name="attempts"
    )
    declaration_type = models.CharField(max_length=255, null=True, blank=True)
    declaration_date = models.CharField(max_length=255, null=True, blank=True)
    course_identifier = models.CharField(max_length=255, null=True, blank=True)
    evidence_held = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["declaration"], name="attempt_declaration"),
            models.Index(fields=["participant", "created_at"], name="attempt_participant_created"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_type} {self.declaration_date}"


class VisibilityRule(models.TextChoices):
    OWN = "own"  # the provider submitted it (any state)
    TRAINING = "training"  # live, of a person with an active or completed induction record with the provider
    LEAVING = "leaving"  # live, dated up to the end of a leaving induction record with the provider (v3 only)


class DeclarationVisibilityManager(models.Manager):
    def refresh(self, *, declarations) -> None:
        """Recomputes who sees each declaration of the `declarations` queryset, in the caller's transaction:
        its provider, and every provider training the person on one of their induction records (for a live
        declaration). One DELETE and one INSERT … SELECT."""
        alias = declarations.db
        try:
            ids_sql, ids_params = declarations.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # e.g. `pk__in=[]`: nothing to refresh
            return
        with transaction.atomic(using=alias, savepoint=False):
            self.db_manager(alias).filter(declaration__in=declarations.order_by().values("pk")).delete()
            self._insert_computed(alias=alias, where=f"d.id IN ({ids_sql})", params=ids_params)

    def refresh_for_training_records(self, *, training_record_ids) -> None:
        self.refresh(
            declarations=Declaration.objects.filter(training_record_id__in=list(training_record_ids))
        )

    def refresh_all(self, *, using="default") -> None:
        with transaction.atomic(using=using):
            self.db_manager(using).all().delete()
            self._insert_computed(alias=using, where="1 = 1", params=())

    def _insert_computed(self, *, alias, where, params) -> None:
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(computed_visibility_sql(where=where), (*params, *params))


def computed_visibility_sql(*, where: str, columns: bool = True) -> str:
    """`INSERT` (or, with `columns=False`, just the `SELECT`) of every (provider, declaration, rule,
    created_at) row for the declarations `d` matching `where` (whose parameters are passed twice). Each
    pair keeps its strongest rule: own, then training, then leaving."""
    from participants.models import InductionRecord

    declarations = Declaration._meta.db_table
    records = InductionRecord._meta.db_table
    programmes = InductionRecord._meta.get_field("induction_programme").related_model._meta.db_table
    partnerships = (
        InductionRecord._meta.get_field("induction_programme")
        .related_model._meta.get_field("partnership")
        .related_model._meta.db_table
    )
    live = ", ".join(f"'{state}'" for state in LIVE_STATES)
    select = f"""
        SELECT lead_provider_id, declaration_id,
               CASE MIN(strength) WHEN 0 THEN 'own' WHEN 1 THEN 'training' ELSE 'leaving' END,
               MIN(created_at)
        FROM (
            SELECT d.lead_provider_id, d.id AS declaration_id, 0 AS strength, d.created_at
            FROM {declarations} d
            WHERE {where}
            UNION ALL
            SELECT p.lead_provider_id, d.id,
                   CASE WHEN ir.induction_status IN ('active', 'completed') THEN 1 ELSE 2 END, d.created_at
            FROM {declarations} d
            JOIN {records} ir ON ir.training_record_id = d.training_record_id
            JOIN {programmes} prog ON prog.id = ir.induction_programme_id
            JOIN {partnerships} p ON p.id = prog.partnership_id
            WHERE ({where})
              AND d.state IN ({live})
              AND (
                ir.induction_status IN ('active', 'completed')
                OR (ir.induction_status = 'leaving'
                    AND (ir.end_date IS NULL OR ir.end_date >= d.declaration_date))
              )
        ) candidates
        GROUP BY lead_provider_id, declaration_id
    """
    if not columns:
        return select
    table = DeclarationVisibility._meta.db_table
    return f"INSERT INTO {table} (lead_provider_id, declaration_id, rule, created_at) {select}"


class DeclarationVisibility(models.Model):
    """Which providers see a declaration, and by which rule, stored so that a provider's list is one
    indexed range (`declaration_visibility_order`, in the lists' `created_at` order) instead of an `OR`
    across joins. Written only by `DeclarationVisibility.objects.refresh`, in the transaction of each change
    that can move it: a declaration created or leaving the live states, an induction record of the person
    written or moved (participants' `induction_records_changed`); `manage.py check_declaration_visibility`
    recomputes and compares."""

    Rule = VisibilityRule

    lead_provider = models.ForeignKey("partnerships.LeadProvider", on_delete=models.PROTECT, related_name="+")
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="visibilities")
    rule = models.CharField(max_length=8, choices=VisibilityRule.choices)
    # The declaration's `created_at` (it never changes): the API lists' order, read from the index.
    created_at = models.DateTimeField()

    objects = DeclarationVisibilityManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lead_provider", "declaration"], name="declaration_visibility_pair"
            ),
            choices_check("rule", VisibilityRule, name="declaration_visibility_rule_valid"),
        ]
        indexes = [
            models.Index(
                fields=["lead_provider", "created_at", "declaration"], name="declaration_visibility_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_provider_id} sees {self.declaration_id} ({self.rule})"
