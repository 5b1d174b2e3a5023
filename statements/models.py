"""Contracts, monthly statements, their line items and adjustments."""

import calendar
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin

from config import clock
from config.history import StateChange, audit_history
from config.models import TimestampedModel, choices_check, money_field, ratio_field
from config.transitions import Transitions


class CallOffContract(TimestampedModel):
    RETIRED_PREFIX = "unused_"

    lead_provider = models.ForeignKey("partnerships.LeadProvider", on_delete=models.PROTECT, related_name="+")
    cohort = models.ForeignKey("partnerships.Cohort", on_delete=models.PROTECT, related_name="+")
    version = models.CharField(max_length=32, default="0.0.1")
    recruitment_target = models.PositiveIntegerField()
    set_up_fee = money_field(default=Decimal("0"))
    uplift_target = ratio_field(null=True, blank=True)
    uplift_amount = money_field(null=True, blank=True)  # null: the contract pays no uplift fees
    monthly_service_fee = money_field(null=True, blank=True)  # null: calculated; 0 is a value
    raw = models.JSONField(null=True, blank=True)

    history = audit_history()

    class Meta:
        ordering = ["lead_provider", "cohort", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead_provider", "cohort", "version"], name="contract_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(set_up_fee__gte=0)
                & (Q(uplift_amount__isnull=True) | Q(uplift_amount__gte=0))
                & (Q(monthly_service_fee__isnull=True) | Q(monthly_service_fee__gte=0))
                & (Q(uplift_target__isnull=True) | Q(uplift_target__gte=0)),
                name="contract_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_provider} {self.cohort} v{self.version}"


class BandLetter(models.TextChoices):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class ParticipantBand(TimestampedModel):
    Letter = BandLetter

    call_off_contract = models.ForeignKey(CallOffContract, on_delete=models.PROTECT, related_name="bands")
    band = models.CharField(max_length=1, choices=Letter.choices)
    min = models.PositiveIntegerField(null=True, blank=True)  # null: from zero
    max = models.PositiveIntegerField()
    per_participant = money_field()
    output_payment_percentage = models.PositiveSmallIntegerField(default=60)
    service_fee_percentage = models.PositiveSmallIntegerField(default=40)

    history = audit_history()

    class Meta:
        ordering = ["call_off_contract", "band"]
        constraints = [
            models.UniqueConstraint(fields=["call_off_contract", "band"], name="band_unique_letter"),
            choices_check("band", BandLetter, name="band_letter_valid"),
            models.CheckConstraint(
                condition=Q(min__isnull=True) | Q(min__lte=models.F("max")), name="band_min_not_above_max"
            ),
            models.CheckConstraint(
                condition=Q(output_payment_percentage__lte=100, service_fee_percentage__lte=100),
                name="band_percentages_range",
            ),
            models.CheckConstraint(condition=Q(per_participant__gte=0), name="band_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Band {self.band}"


class MentorCallOffContract(TimestampedModel):
    lead_provider = models.ForeignKey("partnerships.LeadProvider", on_delete=models.PROTECT, related_name="+")
    cohort = models.ForeignKey("partnerships.Cohort", on_delete=models.PROTECT, related_name="+")
    version = models.CharField(max_length=32, default="0.0.1")
    recruitment_target = models.PositiveIntegerField(null=True, blank=True)
    payment_per_participant = money_field(default=Decimal("1000.00"))

    history = audit_history()

    class Meta:
        ordering = ["lead_provider", "cohort", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead_provider", "cohort", "version"], name="mentor_contract_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(payment_per_participant__gte=0), name="mentor_contract_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_provider} {self.cohort} mentors v{self.version}"


class StatementStatus(models.TextChoices):
    OPEN = "open"
    PAYABLE = "payable"
    PAID = "paid"


# Every move of `Statement.status`: (name, from, to). There is no way back.
STATEMENT_TRANSITIONS = Transitions(
    # Its deadline has passed (payable run).
    ("make_payable", [StatementStatus.OPEN], StatementStatus.PAYABLE),
    # Authorised by finance, then paid (payment run).
    ("pay", [StatementStatus.PAYABLE], StatementStatus.PAID),
)


class Statement(FSMModelMixin, TimestampedModel):
    """One lead provider × cohort × calendar month of payment."""

    Status = StatementStatus
    TRANSITIONS = STATEMENT_TRANSITIONS

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead_provider = models.ForeignKey(
        "partnerships.LeadProvider", on_delete=models.PROTECT, related_name="statements"
    )
    cohort = models.ForeignKey("partnerships.Cohort", on_delete=models.PROTECT, related_name="statements")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    deadline_date = models.DateField()
    payment_date = models.DateField()
    output_fee = models.BooleanField(default=True)
    status = FSMField(max_length=16, choices=Status.choices, default=Status.OPEN, protected=True)
    marked_as_paid_at = models.DateTimeField(null=True, blank=True)
    marked_as_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    call_off_contract = models.ForeignKey(
        CallOffContract, on_delete=models.PROTECT, related_name="statements"
    )
    mentor_call_off_contract = models.ForeignKey(
        MentorCallOffContract, on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    reconcile_amount = money_field(default=Decimal("0"))

    history = audit_history()

    class Meta:
        permissions = [("authorise_statement", "Can authorise a statement for payment")]
        ordering = ["payment_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead_provider", "cohort", "year", "month"], name="statement_one_per_month"
            ),
            choices_check("status", StatementStatus, name="statement_status_valid"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="statement_month_range"),
            models.CheckConstraint(
                condition=Q(deadline_date__lte=models.F("payment_date")), name="statement_dates_ordered"
            ),
            models.CheckConstraint(
                condition=(Q(marked_as_paid_at__isnull=True) | Q(status__in=["payable", "paid"]))
                & (Q(marked_as_paid_by__isnull=True) | Q(marked_as_paid_at__isnull=False)),
                name="statement_authorised_state",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_provider", "payment_date", "id"], name="statement_lp_payment"),
            models.Index(
                fields=["lead_provider", "cohort", "deadline_date"],
                condition=Q(status="open", output_fee=True),
                name="statement_next_output",
            ),
            models.Index(fields=["status", "deadline_date"], name="statement_status_deadline"),
            models.Index(fields=["lead_provider", "cohort", "payment_date"], name="statement_previous"),
            models.Index(fields=["updated_at"], name="statement_updated"),
            # Cursor walks of a provider's statements.
            models.Index(fields=["lead_provider", "created_at", "id"], name="statement_lp_created"),
            models.Index(fields=["lead_provider", "updated_at", "id"], name="statement_lp_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_provider} {self.cohort} {self.name}"

    @property
    def name(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"

    @property
    def label(self) -> str:
        """How the back office names a statement to people: provider, month and cohort."""
        return f"{self.lead_provider} {self.name} (cohort {self.cohort.start_year})"

    @property
    def is_authorised(self) -> bool:
        return self.marked_as_paid_at is not None

    @STATEMENT_TRANSITIONS.transition(field=status)
    def make_payable(self):
        pass

    @STATEMENT_TRANSITIONS.transition(field=status, conditions=[lambda s: s.marked_as_paid_at is not None])
    def pay(self):
        """Only once finance has authorised it."""


class LineItemKind(models.TextChoices):
    OUTPUT = "output"
    CLAWBACK = "clawback"


class LineItemState(models.TextChoices):
    ELIGIBLE = "eligible"
    PAYABLE = "payable"
    PAID = "paid"
    VOIDED = "voided"
    INELIGIBLE = "ineligible"
    AWAITING_CLAWBACK = "awaiting_clawback"
    CLAWED_BACK = "clawed_back"


_L = LineItemState
# Every move of `StatementLineItem.state` after the line is created: (name, from, to). A line follows its
# declaration, so each move carries the name of the declaration move it follows. Written only set-based,
# by `statements.services.line_items_transition`.
LINE_ITEM_TRANSITIONS = Transitions(
    ("mark_payable", [_L.ELIGIBLE], _L.PAYABLE),
    ("move_back", [_L.PAYABLE], _L.ELIGIBLE),
    ("pay", [_L.PAYABLE], _L.PAID),
    ("void", [_L.ELIGIBLE, _L.PAYABLE, _L.INELIGIBLE], _L.VOIDED),
    ("complete_clawback", [_L.AWAITING_CLAWBACK], _L.CLAWED_BACK),
)


class StatementLineItemManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        """Fills each line's copies of its declaration's attributes (one query), as `save` does."""
        objs = list(objs)
        missing = {line.declaration_id for line in objs if not line.has_declaration_copies}
        if missing:
            from declarations.models import Declaration

            copies = {
                pk: (course, declaration_type, sparsity or pupil_premium)
                for pk, course, declaration_type, sparsity, pupil_premium in Declaration.objects.filter(
                    pk__in=missing
                ).values_list(
                    "pk", "course_identifier", "declaration_type", "sparsity_uplift", "pupil_premium_uplift"
                )
            }
            for line in objs:
                if not line.has_declaration_copies:
                    line.course_identifier, line.declaration_type, line.has_uplift = copies[
                        line.declaration_id
                    ]
        return super().bulk_create(objs, *args, **kwargs)


class StatementLineItem(TimestampedModel):
    """A declaration's money on a statement: its output line (what it earns) or its clawback line (what is
    recovered after a paid declaration was voided). The state mirrors the declaration's.

    A line carries copies of the attributes of its declaration that decide what it earns (course, type,
    uplift), which never change once the declaration is made: the statement's calculation then counts its
    lines from one index alone, without visiting a declaration per line."""

    Kind = LineItemKind
    State = LineItemState
    TRANSITIONS = LINE_ITEM_TRANSITIONS

    BILLABLE_STATES = (State.ELIGIBLE, State.PAYABLE, State.PAID)
    REFUNDABLE_STATES = (State.AWAITING_CLAWBACK, State.CLAWED_BACK)

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="line_items")
    declaration = models.ForeignKey(
        "declarations.Declaration", on_delete=models.PROTECT, related_name="statement_line_items"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=24, choices=State.choices)
    # Copies of the declaration's course identifier, type and "sparsity or pupil premium uplift".
    course_identifier = models.CharField(max_length=32, editable=False)
    declaration_type = models.CharField(max_length=32, editable=False)
    has_uplift = models.BooleanField(default=None, editable=False)

    objects = StatementLineItemManager()
    history = audit_history()

    @property
    def has_declaration_copies(self) -> bool:
        return bool(self.course_identifier) and bool(self.declaration_type) and self.has_uplift is not None

    def save(self, *args, **kwargs):
        if not self.has_declaration_copies:
            declaration = self.declaration
            self.course_identifier = declaration.course_identifier
            self.declaration_type = declaration.declaration_type
            self.has_uplift = declaration.sparsity_uplift or declaration.pupil_premium_uplift
        super().save(*args, **kwargs)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "kind"], name="line_item_one_per_kind"),
            choices_check("kind", LineItemKind, name="line_item_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="output", state__in=["eligible", "payable", "paid", "voided", "ineligible"])
                | Q(kind="clawback", state__in=["awaiting_clawback", "clawed_back"]),
                name="line_item_kind_state",
            ),
        ]
        indexes = [
            models.Index(fields=["statement", "state"], name="line_item_statement_state"),
            # The runs' keyset walk over a statement's declarations, and the calculation's GROUP BY: both
            # answered from the index alone.
            models.Index(fields=["statement", "kind", "state", "declaration"], name="line_item_run"),
            models.Index(
                fields=["statement", "course_identifier", "declaration_type", "state", "has_uplift"],
                name="line_item_calculation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.state}"


class Adjustment(TimestampedModel):
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="adjustments")
    payment_type = models.CharField(max_length=255)
    amount = money_field()

    history = audit_history()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(payment_type=""), name="adjustment_payment_type_present"),
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_type}: {self.amount}"


class StatementStateChange(StateChange):
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="state_changes")
    from_status = models.CharField(max_length=16, choices=Statement.Status.choices, null=True, blank=True)
    to_status = models.CharField(max_length=16, choices=Statement.Status.choices)

    class Meta(StateChange.Meta):
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["statement", "changed_at"], name="statement_change_parent")]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class StatementSnapshot(models.Model):
    """The figures a statement was paid with, written once by the payment run."""

    statement = models.OneToOneField(Statement, on_delete=models.PROTECT, related_name="snapshot")
    call_off_contract = models.ForeignKey(CallOffContract, on_delete=models.PROTECT, related_name="+")
    mentor_call_off_contract = models.ForeignKey(
        MentorCallOffContract, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vat_rate = ratio_field()
    figures = models.JSONField()
    total_ex_vat = money_field()
    vat = money_field()
    total = money_field()
    created_at = models.DateTimeField(default=clock.now, editable=False)

    def __str__(self) -> str:
        return f"Snapshot of {self.statement_id}"
