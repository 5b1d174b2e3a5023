"""Cohorts, lead providers and their tokens, delivery partners, schools and partnerships."""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin

from config import clock
from config.history import StateChange, audit_history
from config.models import TimestampedModel, choices_check
from config.transitions import Transitions


class Cohort(TimestampedModel):
    start_year = models.PositiveSmallIntegerField(unique=True)
    registration_start_date = models.DateField(null=True, blank=True)
    academic_year_start_date = models.DateField()
    automatic_assignment_period_end_date = models.DateField(null=True, blank=True)
    # Frozen once set and reached.
    payments_frozen_at = models.DateTimeField(null=True, blank=True)
    # 2025 onwards: mentors limited to started/completed; split statement calculation.
    mentor_funding = models.BooleanField(default=False)
    # 2025 onwards: per-declaration-type evidence_held values.
    detailed_evidence_types = models.BooleanField(default=False)

    history = audit_history()

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__gte=2020, start_year__lte=2100), name="cohort_start_year_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.start_year)

    def is_payments_frozen(self, at) -> bool:
        return self.payments_frozen_at is not None and self.payments_frozen_at <= at


class LeadProvider(TimestampedModel):
    name = models.CharField(max_length=255, unique=True)
    vat_chargeable = models.BooleanField(default=True)
    # Where the service emails the provider (e.g. a school challenged one of its partnerships).
    contact_email = models.EmailField(max_length=254, null=True, blank=True)

    history = audit_history()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LeadProviderToken(models.Model):
    """A bearer token of one lead provider. Only a keyed digest is stored; the value is shown once."""

    lead_provider = models.ForeignKey(LeadProvider, on_delete=models.PROTECT, related_name="tokens")
    label = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = audit_history(excluded_fields=["digest"])

    class Meta:
        ordering = ["lead_provider", "created_at"]

    def __str__(self) -> str:
        return f"{self.lead_provider}: {self.label}"

    @staticmethod
    def digest_of(raw_token: str) -> str:
        key = settings.API_TOKEN_DIGEST_KEY.encode()
        return hmac.new(key, raw_token.encode(), hashlib.sha256).hexdigest()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class ApiRequest(models.Model):
    """Audit of API writes and errors. Headers are never stored, so no token is ever kept."""

    lead_provider = models.ForeignKey(LeadProvider, on_delete=models.PROTECT, null=True, blank=True)
    token = models.ForeignKey(LeadProviderToken, on_delete=models.PROTECT, null=True, blank=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    query_string = models.TextField(blank=True)
    status_code = models.PositiveSmallIntegerField()
    request_body = models.JSONField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["lead_provider", "created_at"], name="apirequest_lp_created")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status_code}"


class RateLimitCounter(models.Model):
    """Requests counted for one client (a token, or an address) in one fixed window of the API rate limit.

    Used when no Redis is configured: one atomic upsert per request counts exactly across worker processes.
    Rows of past windows are pruned as a new window starts.
    """

    key = models.CharField(max_length=100)
    window_start = models.BigIntegerField()  # seconds since the epoch
    hits = models.PositiveIntegerField()

    class Meta:
        constraints = [
            # Leads with window_start, so that pruning past windows is a scan of this index.
            models.UniqueConstraint(fields=["window_start", "key"], name="ratelimitcounter_one_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.hits}"


class DeliveryPartner(TimestampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)
    discarded_at = models.DateTimeField(null=True, blank=True)

    history = audit_history()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["created_at", "id"], name="dp_created_id"),
            models.Index(fields=["updated_at", "id"], name="dp_updated"),
        ]

    def __str__(self) -> str:
        return self.name


class ProviderRelationship(TimestampedModel):
    """DfE's permission for a lead provider to work with a delivery partner in a cohort."""

    lead_provider = models.ForeignKey(LeadProvider, on_delete=models.PROTECT, related_name="relationships")
    delivery_partner = models.ForeignKey(
        DeliveryPartner, on_delete=models.PROTECT, related_name="relationships"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="+")
    discarded_at = models.DateTimeField(null=True, blank=True)

    history = audit_history()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lead_provider", "delivery_partner", "cohort"],
                condition=Q(discarded_at__isnull=True),
                name="provider_relationship_unique_live",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_provider", "cohort"], name="relationship_lp_cohort"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_provider} / {self.delivery_partner} / {self.cohort}"


# Establishment types from the school register.
ELIGIBLE_SCHOOL_TYPE_CODES = (
    1,
    2,
    3,
    5,
    6,
    7,
    8,
    12,
    14,
    15,
    18,
    28,
    31,
    32,
    33,
    34,
    35,
    36,
    38,
    39,
    40,
    41,
    42,
    43,
    44,
    45,
    46,
    47,
    48,
    57,
)
CIP_ONLY_SCHOOL_TYPE_CODES = (10, 11, 30, 37)
OPEN_SCHOOL_STATUS_CODES = (1, 3)


class SchoolQuerySet(models.QuerySet):
    @staticmethod
    def open_q() -> Q:
        return Q(school_status_code__in=OPEN_SCHOOL_STATUS_CODES)

    @staticmethod
    def in_england_q() -> Q:
        return Q(administrative_district_code__istartswith="E") | Q(administrative_district_code="9999")

    @classmethod
    def eligible_q(cls) -> Q:
        return (
            cls.open_q()
            & cls.in_england_q()
            & (Q(school_type_code__in=ELIGIBLE_SCHOOL_TYPE_CODES) | Q(section_41_approved=True))
        )

    @classmethod
    def cip_only_q(cls) -> Q:
        return cls.open_q() & ~cls.eligible_q() & Q(school_type_code__in=CIP_ONLY_SCHOOL_TYPE_CODES)

    def eligible(self):
        return self.filter(self.eligible_q())


class School(TimestampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    urn = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=255)
    school_type_code = models.SmallIntegerField(null=True, blank=True)
    school_status_code = models.SmallIntegerField(null=True, blank=True)
    administrative_district_code = models.CharField(max_length=16, null=True, blank=True)
    section_41_approved = models.BooleanField(default=False)
    primary_contact_email = models.EmailField(max_length=254, null=True, blank=True)
    secondary_contact_email = models.EmailField(max_length=254, null=True, blank=True)
    induction_tutor_name = models.CharField(max_length=254, null=True, blank=True)
    induction_tutor_email = models.EmailField(max_length=254, null=True, blank=True)

    objects = SchoolQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["created_at", "id"], name="school_created_id"),
            models.Index(fields=["updated_at", "id"], name="school_updated"),
            models.Index(fields=["school_status_code", "school_type_code"], name="school_status_type"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    @property
    def is_eligible(self) -> bool:
        return School.objects.filter(pk=self.pk).filter(SchoolQuerySet.eligible_q()).exists()

    @property
    def is_cip_only(self) -> bool:
        return School.objects.filter(pk=self.pk).filter(SchoolQuerySet.cip_only_q()).exists()


class TrainingProgramme(models.TextChoices):
    FULL_INDUCTION_PROGRAMME = "full_induction_programme"
    CORE_INDUCTION_PROGRAMME = "core_induction_programme"
    DESIGN_OUR_OWN = "design_our_own"
    SCHOOL_FUNDED_FIP = "school_funded_fip"


PROVIDER_LED_PROGRAMMES = (TrainingProgramme.FULL_INDUCTION_PROGRAMME, TrainingProgramme.SCHOOL_FUNDED_FIP)


class ProgrammeChoice(models.TextChoices):
    FULL_INDUCTION_PROGRAMME = "full_induction_programme"
    CORE_INDUCTION_PROGRAMME = "core_induction_programme"
    DESIGN_OUR_OWN = "design_our_own"
    SCHOOL_FUNDED_FIP = "school_funded_fip"
    NO_EARLY_CAREER_TEACHERS = "no_early_career_teachers"
    NOT_YET_KNOWN = "not_yet_known"


class SchoolCohort(TimestampedModel):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="school_cohorts")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="school_cohorts")
    induction_programme_choice = models.CharField(
        max_length=32, choices=ProgrammeChoice.choices, default=ProgrammeChoice.NOT_YET_KNOWN
    )
    default_programme = models.ForeignKey(
        "InductionProgramme", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = audit_history()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "cohort"], name="school_cohort_unique"),
            choices_check("induction_programme_choice", ProgrammeChoice, name="school_cohort_choice_valid"),
        ]
        indexes = [models.Index(fields=["updated_at"], name="school_cohort_updated")]

    def __str__(self) -> str:
        return f"{self.school} {self.cohort}"


class InductionProgramme(TimestampedModel):
    school_cohort = models.ForeignKey(SchoolCohort, on_delete=models.PROTECT, related_name="programmes")
    training_programme = models.CharField(max_length=32, choices=TrainingProgramme.choices)
    partnership = models.ForeignKey(
        "Partnership", on_delete=models.PROTECT, null=True, blank=True, related_name="programmes"
    )

    class Meta:
        constraints = [
            choices_check("training_programme", TrainingProgramme, name="programme_training_programme_valid"),
            models.CheckConstraint(
                condition=Q(partnership__isnull=True) | Q(training_programme__in=PROVIDER_LED_PROGRAMMES),
                name="programme_partnership_only_provider_led",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_cohort} {self.training_programme}"


class ChallengeReason(models.TextChoices):
    ANOTHER_PROVIDER = "another_provider"
    NOT_CONFIRMED = "not_confirmed"
    DO_NOT_RECOGNISE = "do_not_recognise"
    NO_ECTS = "no_ects"
    MISTAKE = "mistake"


class PartnershipStatus(models.TextChoices):
    ACTIVE = "active"
    CHALLENGED = "challenged"


# Every move of `Partnership.status`: (name, from, to). Changing the delivery partner keeps the status.
PARTNERSHIP_TRANSITIONS = Transitions(
    # The school says the partnership is wrong (DfE staff act for the school).
    ("challenge", [PartnershipStatus.ACTIVE], PartnershipStatus.CHALLENGED),
    # The provider reports the partnership again for the same school and cohort.
    ("report", [PartnershipStatus.CHALLENGED], PartnershipStatus.ACTIVE),
)


class Partnership(FSMModelMixin, TimestampedModel):
    Status = PartnershipStatus
    TRANSITIONS = PARTNERSHIP_TRANSITIONS

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead_provider = models.ForeignKey(LeadProvider, on_delete=models.PROTECT, related_name="partnerships")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="partnerships")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="partnerships")
    delivery_partner = models.ForeignKey(
        DeliveryPartner, on_delete=models.PROTECT, related_name="partnerships"
    )
    # Internal partnership keeping a moved participant with their provider; never listed by the API.
    relationship = models.BooleanField(default=False)
    status = FSMField(max_length=16, choices=Status.choices, default=Status.ACTIVE, protected=True)
    challenge_reason = models.CharField(max_length=32, choices=ChallengeReason.choices, null=True, blank=True)
    challenged_at = models.DateTimeField(null=True, blank=True)
    challenge_deadline = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [("challenge_partnership", "Can challenge a partnership on a school's behalf")]
        constraints = [
            choices_check("status", PartnershipStatus, name="partnership_status_valid"),
            choices_check(
                "challenge_reason", ChallengeReason, name="partnership_reason_valid", nullable=True
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="active", challenge_reason__isnull=True, challenged_at__isnull=True)
                    | Q(status="challenged", challenge_reason__isnull=False, challenged_at__isnull=False)
                ),
                name="partnership_challenge_consistent",
            ),
            models.UniqueConstraint(
                fields=["school", "cohort"],
                condition=Q(relationship=False, status="active"),
                name="partnership_one_confirmed_per_school_cohort",
            ),
            models.UniqueConstraint(
                fields=["school", "lead_provider", "delivery_partner", "cohort"],
                name="partnership_unique_lp_dp",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_provider", "cohort", "created_at", "id"], name="partnership_lp_list"),
            models.Index(fields=["updated_at", "id"], name="partnership_updated"),
            # Cursor walks of a provider's partnerships across cohorts.
            models.Index(fields=["lead_provider", "created_at", "id"], name="partnership_lp_created"),
            models.Index(fields=["lead_provider", "updated_at", "id"], name="partnership_lp_updated"),
            models.Index(fields=["school", "cohort"], name="partnership_school_cohort"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_provider} × {self.school} ({self.cohort})"

    @PARTNERSHIP_TRANSITIONS.transition(field=status)
    def challenge(self, *, reason: str, at):
        self.challenge_reason = reason
        self.challenged_at = at

    @PARTNERSHIP_TRANSITIONS.transition(field=status)
    def report(self):
        """A provider confirms a previously challenged partnership again: the challenge is cleared."""
        self.challenge_reason = None
        self.challenged_at = None


class PartnershipEvent(models.TextChoices):
    CREATED = "created"
    REPORTED = "reported"
    DELIVERY_PARTNER_CHANGED = "delivery_partner_changed"
    CHALLENGED = "challenged"
    RELATIONSHIP_CREATED = "relationship_created"
    RELATIONSHIP_CONVERTED = "relationship_converted"


class PartnershipStateChange(StateChange):
    Event = PartnershipEvent

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="state_changes")
    event = models.CharField(max_length=32, choices=Event.choices)
    from_status = models.CharField(max_length=16, choices=Partnership.Status.choices, null=True, blank=True)
    to_status = models.CharField(max_length=16, choices=Partnership.Status.choices)
    from_delivery_partner = models.ForeignKey(
        DeliveryPartner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_delivery_partner = models.ForeignKey(DeliveryPartner, on_delete=models.PROTECT, related_name="+")

    class Meta(StateChange.Meta):
        ordering = ["changed_at", "id"]
        constraints = [
            *StateChange.Meta.constraints,
            choices_check("event", PartnershipEvent, name="partnership_change_event_valid"),
        ]
        indexes = [models.Index(fields=["partnership", "changed_at"], name="partnership_change_parent")]

    def __str__(self) -> str:
        return f"{self.event} {self.from_status}→{self.to_status}"
