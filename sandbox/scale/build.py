"""The bench's national-scale data set: 7 lead providers, N participants, M declarations.

Small reference rows (providers, delivery partners, contracts, statements) go through the apps' bulk
creators; the large tables are planned in Python from one seeded generator and streamed in with COPY, each
state with the history rows its table of moves requires (checked against that table while planning).
Every database constraint holds: they are checked as the rows arrive, the foreign keys at commit.

What a provider sees is tracked while planning (a person is theirs when one of their induction records is
under the provider's unchallenged partnership), so the printed counts can be compared with the selectors.
"""

import bisect
import datetime as dt
import itertools
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from simple_history.utils import bulk_create_with_history

from config.actors import Actor
from declarations.models import Declaration, DeclarationState, DeclarationStateChange, DeclarationVisibility
from participants.models import (
    CourseIdentifier,
    CurrentInductionRecord,
    DeclarationType,
    DeferReason,
    EligibilityReason,
    EligibilityStatus,
    InductionRecord,
    InductionStatus,
    Participant,
    Schedule,
    TrainingRecord,
    TrainingStatus,
    TrainingStatusChange,
    WithdrawReason,
)
from partnerships.models import (
    ChallengeReason,
    Cohort,
    DeliveryPartner,
    InductionProgramme,
    LeadProvider,
    Partnership,
    PartnershipEvent,
    PartnershipStateChange,
    PartnershipStatus,
    ProgrammeChoice,
    ProviderRelationship,
    School,
    SchoolCohort,
    TrainingProgramme,
)
from partnerships.services import token_issue
from sandbox.seed.contracts import OUTPUT_MONTHS, statement_calendar
from statements.models import (
    CallOffContract,
    MentorCallOffContract,
    ParticipantBand,
    Statement,
    StatementLineItem,
    StatementStateChange,
    StatementStatus,
)
from statements.services import statements_bulk_create

from .copy import build_indexes, check_foreign_keys, copy_rows, drop_indexes, reset_sequence

COMMAND_NAME = "seed_scale"
ACTOR = Actor.command(COMMAND_NAME)
SEED = 14

# (name, share of schools and so of participants), largest first: the largest holds ~40%, as in England.
PROVIDERS = (
    ("Ambition Institute", 0.40),
    ("Teach First", 0.18),
    ("UCL Early Career Teacher Education", 0.13),
    ("Best Practice Network", 0.10),
    ("Education Development Trust", 0.08),
    ("Capita", 0.06),
    ("National Institute of Teaching", 0.05),
)
DELIVERY_PARTNERS_PER_PROVIDER = 10
COHORT_SHARES = {2021: 0.06, 2022: 0.09, 2023: 0.15, 2024: 0.25, 2025: 0.45}
RELATIONSHIP_YEARS = (2021, 2022, 2023, 2024, 2025, 2026)
PEOPLE_PER_SCHOOL = 25
CHALLENGED_EVERY = 50  # one partnership in 50 is challenged: its people are hidden from that provider
DUPLICATE_EVERY = 100  # one person in 100 shares the TRN of the person before (a duplicate profile)
# Of an open cohort's declarations, the share made since the last deadline (eligible, on the next
# statement): it puts ~100,000 declarations on the largest provider's next 2025 statement at the default size.
CURRENT_SHARE = 0.5
FLUSH_EVERY = 100_000  # declarations planned before they and their rows are copied

ECT_TYPES = (
    DeclarationType.STARTED,
    DeclarationType.RETAINED_1,
    DeclarationType.RETAINED_2,
    DeclarationType.RETAINED_3,
    DeclarationType.RETAINED_4,
    DeclarationType.COMPLETED,
)
MENTOR_FUNDED_TYPES = (DeclarationType.STARTED, DeclarationType.COMPLETED)

_S = DeclarationState
# The moves each final state took from its creation (the first step is the creation itself).
DECLARATION_PATHS = {
    _S.SUBMITTED: (None, _S.SUBMITTED),
    _S.INELIGIBLE: (None, _S.SUBMITTED, _S.INELIGIBLE),
    _S.ELIGIBLE: (None, _S.SUBMITTED, _S.ELIGIBLE),
    _S.PAYABLE: (None, _S.SUBMITTED, _S.ELIGIBLE, _S.PAYABLE),
    _S.PAID: (None, _S.SUBMITTED, _S.ELIGIBLE, _S.PAYABLE, _S.PAID),
    _S.AWAITING_CLAWBACK: (None, _S.SUBMITTED, _S.ELIGIBLE, _S.PAYABLE, _S.PAID, _S.AWAITING_CLAWBACK),
    _S.CLAWED_BACK: (
        None, _S.SUBMITTED, _S.ELIGIBLE, _S.PAYABLE, _S.PAID, _S.AWAITING_CLAWBACK, _S.CLAWED_BACK,
    ),
}  # fmt: skip
VOIDED_PATHS = {
    _S.SUBMITTED: (None, _S.SUBMITTED, _S.VOIDED),
    _S.ELIGIBLE: (None, _S.SUBMITTED, _S.ELIGIBLE, _S.VOIDED),
    _S.PAYABLE: (None, _S.SUBMITTED, _S.ELIGIBLE, _S.PAYABLE, _S.VOIDED),
}


def line_path(path: tuple) -> list:
    """The states of a declaration's output line: from when it became eligible (or ineligible) on."""
    return [state for state in path[2:] if state not in (_S.AWAITING_CLAWBACK, _S.CLAWED_BACK)]


def _check_paths() -> None:
    """Every path is a chain of moves of the declarations' and the lines' tables of moves."""
    for path in (*DECLARATION_PATHS.values(), *VOIDED_PATHS.values()):
        for before, after in itertools.pairwise(path[1:]):
            if not Declaration.TRANSITIONS.allows(before, after):
                raise AssertionError(f"{before} → {after} is not a declaration move")
        states = line_path(path)
        for before, after in itertools.pairwise(states):
            if not StatementLineItem.TRANSITIONS.allows(before, after):
                raise AssertionError(f"{before} → {after} is not a line move")
    if not StatementLineItem.TRANSITIONS.allows(_S.AWAITING_CLAWBACK, _S.CLAWED_BACK):
        raise AssertionError("awaiting_clawback → clawed_back is not a line move")


@dataclass(frozen=True)
class ProviderCount:
    name: str
    token: str
    participants: int


@dataclass
class ScaleResult:
    providers: list[ProviderCount]
    rows: dict[str, int] = field(default_factory=dict)


@dataclass
class StatementSlot:
    id: uuid.UUID
    deadline: dt.date
    payment: dt.date
    status: str
    output: bool


def _utc(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


class _Ids:
    """Explicit ids for the copied rows of auto-increment tables (their sequences are reset afterwards)."""

    def __init__(self):
        self.next = defaultdict(int)

    def __call__(self, kind: str) -> int:
        self.next[kind] += 1
        return self.next[kind]


class ScaleBuilder:
    def __init__(self, *, participants: int, declarations: int, today: dt.date, now: dt.datetime):
        self.n_participants = participants
        self.n_declarations = declarations
        self.today = today
        self.now = now
        self.random = random.Random(SEED)
        self.ids = _Ids()
        self.rows: dict[str, int] = defaultdict(int)

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.random.getrandbits(128), version=4)

    # --- reference rows, through the apps' bulk creators ------------------------------------------

    def reference(self) -> None:
        self.cohorts = {c.start_year: c for c in Cohort.objects.filter(start_year__in=RELATIONSHIP_YEARS)}
        missing = set(RELATIONSHIP_YEARS) - self.cohorts.keys()
        if missing:
            raise LookupError(f"Reference cohorts missing: {sorted(missing)}. Run `manage.py migrate` first.")
        self.schedules = {
            s.cohort.start_year: s.pk
            for s in Schedule.objects.filter(schedule_identifier="ecf-standard-september").select_related(
                "cohort"
            )
        }
        audit = {"actor_kind": ACTOR.kind, "actor_id": ACTOR.id}
        self.providers = bulk_create_with_history(
            [LeadProvider(name=name, created_at=_utc(dt.date(2021, 3, 1))) for name, _ in PROVIDERS],
            LeadProvider,
            custom_historical_attrs=dict(audit),
        )
        self.providers = [LeadProvider.objects.get(name=name) for name, _ in PROVIDERS]
        self.delivery_partners = [
            [self.uuid() for _ in range(DELIVERY_PARTNERS_PER_PROVIDER)] for _ in self.providers
        ]
        bulk_create_with_history(
            [
                DeliveryPartner(
                    id=dp, name=f"{provider.name} partner {n + 1}", created_at=_utc(dt.date(2021, 4, 1))
                )
                for provider, partners in zip(self.providers, self.delivery_partners, strict=True)
                for n, dp in enumerate(partners)
            ],
            DeliveryPartner,
            batch_size=500,
            custom_historical_attrs=dict(audit),
        )
        bulk_create_with_history(
            [
                ProviderRelationship(
                    lead_provider=provider,
                    delivery_partner_id=dp,
                    cohort=self.cohorts[year],
                    created_at=_utc(dt.date(year, 4, 1)),
                )
                for provider, partners in zip(self.providers, self.delivery_partners, strict=True)
                for dp in partners
                for year in RELATIONSHIP_YEARS
            ],
            ProviderRelationship,
            batch_size=500,
            custom_historical_attrs=dict(audit),
        )

    def contracts(self, people_by_provider_cohort: dict) -> None:
        """A contract per provider and cohort whose bands the seeded recruitment spreads over: the target
        is ~70% of the people recruited, so every band up to D is reached."""
        audit = {"actor_kind": ACTOR.kind, "actor_id": ACTOR.id}
        contracts, mentor_contracts, bands = [], [], []
        for p, provider in enumerate(self.providers):
            for year in COHORT_SHARES:
                target = max(10, round(people_by_provider_cohort[(p, year)] * 0.7))
                split = self.cohorts[year].mentor_funding
                contract = CallOffContract(
                    lead_provider=provider,
                    cohort=self.cohorts[year],
                    recruitment_target=target,
                    set_up_fee=Decimal("149861.00") if year == 2021 else Decimal("0"),
                    uplift_target=None if split else Decimal("0.33"),
                    uplift_amount=None if split else Decimal("100.00"),
                    raw={"source": COMMAND_NAME},
                    created_at=_utc(dt.date(year, 3, 1)),
                )
                contracts.append(contract)
                a_max, b_max = round(target * 0.4), round(target * 0.8)
                letters = [("A", None, a_max, 60), ("B", a_max + 1, b_max, 60), ("C", b_max + 1, target, 60)]
                letters.append(("D", target + 1, round(target * 1.5) + 1, 100))
                bands.append((contract, letters))
                if split:
                    mentor_contracts.append(
                        MentorCallOffContract(
                            lead_provider=provider,
                            cohort=self.cohorts[year],
                            recruitment_target=round(target * 0.5),
                            created_at=_utc(dt.date(year, 3, 1)),
                        )
                    )
        bulk_create_with_history(contracts, CallOffContract, custom_historical_attrs=dict(audit))
        bulk_create_with_history(mentor_contracts, MentorCallOffContract, custom_historical_attrs=dict(audit))
        self.contract_ids = {(c.lead_provider_id, c.cohort_id): c.pk for c in CallOffContract.objects.all()}
        self.mentor_contract_ids = {
            (c.lead_provider_id, c.cohort_id): c.pk for c in MentorCallOffContract.objects.all()
        }
        bulk_create_with_history(
            [
                ParticipantBand(
                    call_off_contract_id=self.contract_ids[(contract.lead_provider_id, contract.cohort_id)],
                    band=letter,
                    min=minimum,
                    max=maximum,
                    per_participant=Decimal(1000 - 15 * n),
                    output_payment_percentage=output,
                    service_fee_percentage=100 - output,
                )
                for contract, letters in bands
                for n, (letter, minimum, maximum, output) in enumerate(letters)
            ],
            ParticipantBand,
            custom_historical_attrs=dict(audit),
        )

    def statements(self) -> None:
        """The monthly calendar of every provider and cohort, created open by the statements app; then the
        runs' moves, by their own tables: past statements paid, the latest past output one payable."""
        planned = []
        for provider in self.providers:
            for year in COHORT_SHARES:
                cohort = self.cohorts[year]
                for s_year, month, deadline, payment, output in statement_calendar(cohort, self.today):
                    planned.append(
                        Statement(
                            id=self.uuid(),
                            lead_provider=provider,
                            cohort=cohort,
                            year=s_year,
                            month=month,
                            deadline_date=deadline,
                            payment_date=payment,
                            output_fee=output,
                            status=StatementStatus.OPEN,
                            created_at=_utc(dt.date(year, 10, 1)),
                            call_off_contract_id=self.contract_ids[(provider.pk, cohort.pk)],
                            mentor_call_off_contract_id=self.mentor_contract_ids.get(
                                (provider.pk, cohort.pk)
                            ),
                        )
                    )
        statements_bulk_create(statements=planned, actor=ACTOR)
        self.calendar: dict[tuple[int, int], list[StatementSlot]] = defaultdict(list)
        index = {provider.pk: p for p, provider in enumerate(self.providers)}
        for statement in sorted(planned, key=lambda s: s.deadline_date):
            self.calendar[(index[statement.lead_provider_id], statement.cohort.start_year)].append(
                StatementSlot(
                    statement.pk,
                    statement.deadline_date,
                    statement.payment_date,
                    "open",
                    statement.output_fee,
                )
            )
        moves = []  # (statement id, from, to, at)
        to_payable, to_paid = [], []
        for (_, year), slots in self.calendar.items():
            past_outputs = [s for s in slots if s.output and s.deadline < self.today]
            frozen = self.cohorts[year].payments_frozen_at is not None
            left_payable = None if frozen or not past_outputs else past_outputs[-1]
            for slot in slots:
                if slot.deadline >= self.today:
                    continue
                payable_at = _utc(slot.deadline + dt.timedelta(days=1), 0, 5)
                moves.append((slot.id, StatementStatus.OPEN, StatementStatus.PAYABLE, payable_at))
                if (
                    slot is left_payable
                    or slot.payment >= self.today
                    or (left_payable is not None and slot.deadline > left_payable.deadline)
                ):
                    slot.status = StatementStatus.PAYABLE
                    to_payable.append(slot.id)
                else:
                    slot.status = StatementStatus.PAID
                    to_paid.append(slot.id)
                    moves.append(
                        (slot.id, StatementStatus.PAYABLE, StatementStatus.PAID, _utc(slot.payment, 12))
                    )
        for _, before, after, _ in moves:
            if not Statement.TRANSITIONS.allows(before, after):
                raise AssertionError(f"{before} → {after} is not a statement move")
        with connection.cursor() as cursor:
            # Paid statements were authorised first (marked_as_paid_at), as the payment run requires.
            cursor.execute(
                f"UPDATE {Statement._meta.db_table} SET status = 'paid', "
                "marked_as_paid_at = (payment_date - 2)::timestamp AT TIME ZONE 'UTC' WHERE id = ANY(%s)",
                [to_paid],
            )
            cursor.execute(
                f"UPDATE {Statement._meta.db_table} SET status = 'payable' WHERE id = ANY(%s)", [to_payable]
            )
        StatementStateChange.objects.bulk_create(
            [
                StatementStateChange(
                    statement_id=sid,
                    from_status=before,
                    to_status=after,
                    changed_at=at,
                    **StatementStateChange.actor_fields(ACTOR),
                )
                for sid, before, after, at in moves
            ],
            batch_size=1000,
        )
        self.outputs = {key: [slot for slot in slots if slot.output] for key, slots in self.calendar.items()}
        self.output_deadlines = {key: [s.deadline for s in slots] for key, slots in self.outputs.items()}

    def next_output(self, p: int, year: int, on: dt.date) -> StatementSlot | None:
        """The output statement a declaration made on `on` goes on: the first whose deadline is not past."""
        key = (p, year)
        at = bisect.bisect_left(self.output_deadlines[key], on)
        return self.outputs[key][at] if at < len(self.outputs[key]) else None

    # --- schools and partnerships ------------------------------------------------------------------

    def schools(self) -> None:
        n = max(len(PROVIDERS) * 2, self.n_participants // PEOPLE_PER_SCHOOL)
        self.n_schools = n
        cumulative, total = [], 0.0
        for _, share in PROVIDERS:
            total += share
            cumulative.append(total)
        self.school_provider = [
            min(bisect.bisect_left(cumulative, (s + 0.5) / n), len(PROVIDERS) - 1) for s in range(n)
        ]
        self.schools_of_provider = defaultdict(list)
        for s, p in enumerate(self.school_provider):
            self.schools_of_provider[p].append(s)
        self.school_ids = [self.uuid() for _ in range(n)]
        created = _utc(dt.date(2021, 2, 1))
        self.rows["schools"] = copy_rows(
            School,
            ["id", "urn", "name", "school_type_code", "school_status_code", "administrative_district_code",
             "section_41_approved", "created_at", "updated_at"],
            (
                (self.school_ids[s], str(100000 + s), f"School {s + 1}", 1, 1, "E09000033", False, created, created)
                for s in range(n)
            ),
        )  # fmt: skip
        years = list(COHORT_SHARES)
        # One school cohort, programme and partnership per school and cohort, ids in step.
        self.partnership_ids = {}
        self.challenged = set()
        school_cohorts, programmes, partnerships, history = [], [], [], []
        actor = PartnershipStateChange.actor_fields(ACTOR)
        for s in range(n):
            p = self.school_provider[s]
            dp = self.delivery_partners[p][s % DELIVERY_PARTNERS_PER_PROVIDER]
            for c, year in enumerate(years):
                key = s * len(years) + c + 1
                at = _utc(dt.date(year, 5, 1))
                partnership_id = self.uuid()
                self.partnership_ids[(s, year)] = partnership_id
                school_cohorts.append(
                    (
                        key,
                        self.school_ids[s],
                        self.cohorts[year].pk,
                        ProgrammeChoice.FULL_INDUCTION_PROGRAMME,
                        key,
                        at,
                        at,
                    )
                )
                programmes.append(
                    (key, key, TrainingProgramme.FULL_INDUCTION_PROGRAMME, partnership_id, at, at)
                )
                challenged = key % CHALLENGED_EVERY == 7
                status = PartnershipStatus.CHALLENGED if challenged else PartnershipStatus.ACTIVE
                challenged_at = at + dt.timedelta(days=20) if challenged else None
                reason = ChallengeReason.MISTAKE if challenged else None
                partnerships.append(
                    (partnership_id, self.providers[p].pk, self.school_ids[s], self.cohorts[year].pk, dp, False,
                     status, reason, challenged_at, at, challenged_at or at)
                )  # fmt: skip
                history.append(
                    (
                        partnership_id,
                        PartnershipEvent.CREATED,
                        None,
                        PartnershipStatus.ACTIVE,
                        None,
                        dp,
                        at,
                        None,
                    )
                )
                if challenged:
                    self.challenged.add(partnership_id)
                    history.append(
                        (partnership_id, PartnershipEvent.CHALLENGED, PartnershipStatus.ACTIVE, status, dp, dp,
                         challenged_at, reason)
                    )  # fmt: skip
        if not Partnership.TRANSITIONS.allows(PartnershipStatus.ACTIVE, PartnershipStatus.CHALLENGED):
            raise AssertionError("active → challenged is not a partnership move")
        self.rows["partnerships"] = copy_rows(
            Partnership,
            ["id", "lead_provider_id", "school_id", "cohort_id", "delivery_partner_id", "relationship", "status",
             "challenge_reason", "challenged_at", "created_at", "updated_at"],
            partnerships,
        )  # fmt: skip
        copy_rows(
            PartnershipStateChange,
            ["partnership_id", "event", "from_status", "to_status", "from_delivery_partner_id",
             "to_delivery_partner_id", "changed_at", "reason", "actor_kind", "actor_id"],
            ((*row, actor["actor_kind"], actor["actor_id"]) for row in history),
        )  # fmt: skip
        self.rows["school_cohorts"] = copy_rows(
            SchoolCohort,
            [
                "id",
                "school_id",
                "cohort_id",
                "induction_programme_choice",
                "default_programme_id",
                "created_at",
                "updated_at",
            ],
            school_cohorts,
        )
        copy_rows(
            InductionProgramme,
            ["id", "school_cohort_id", "training_programme", "partnership_id", "created_at", "updated_at"],
            programmes,
        )
        reset_sequence(SchoolCohort)
        reset_sequence(InductionProgramme)
        self.years = years

    def school_cohort_key(self, s: int, year: int) -> int:
        return s * len(self.years) + self.years.index(year) + 1

    # --- people, training records, induction records ----------------------------------------------

    def pick_year(self) -> int:
        roll, total = self.random.random(), 0.0
        for year, share in COHORT_SHARES.items():
            total += share
            if roll < total:
                return year
        return 2025

    def people(self) -> None:
        rnd = self.random
        persons, records, inductions, status_changes = [], [], [], []
        self.records = []  # planned training records, for the declarations
        self.visible = defaultdict(set)  # provider index → participant ids it sees
        self.people_by_provider_cohort = defaultdict(int)
        previous_trn = None
        for i in range(self.n_participants):
            pid = self.uuid()
            year = self.pick_year()
            start = _utc(dt.date(year, 9, 1), 8)
            created = start - dt.timedelta(days=rnd.randrange(10, 90))
            trn = str(3000000 + i)
            duplicate_of = None
            if i % DUPLICATE_EVERY == 1 and previous_trn is not None:
                trn, duplicate_of = previous_trn, self.records[-1] if self.records else None
            previous_trn = trn
            persons.append(
                (pid, f"Person {i + 1}", f"person{i + 1}@scale.example.com", trn, created, created)
            )
            roll = rnd.random()
            roles = ["ect"] if roll < 0.75 else ["mentor"] if roll < 0.97 else ["ect", "mentor"]
            s = rnd.randrange(self.n_schools)
            for role in roles:
                if role == "mentor" and len(roles) == 2:
                    # Also a mentor, at a school of another provider: two providers see this person.
                    p_other = (self.school_provider[s] + 1) % len(PROVIDERS)
                    s = rnd.choice(self.schools_of_provider[p_other])
                p = self.school_provider[s]
                record = self.training_record(
                    pid, role, year, s, p, start, created, inductions, status_changes
                )
                record["duplicate_of"] = (
                    duplicate_of if duplicate_of and duplicate_of["type"] == role else None
                )
                records.append(record["row"])
                self.records.append(record)
                self.people_by_provider_cohort[(p, year)] += 1
        self.rows["participants"] = copy_rows(
            Participant, ["id", "full_name", "email", "trn", "created_at", "updated_at"], persons
        )
        self.rows["training_records"] = copy_rows(
            TrainingRecord,
            ["id", "participant_id", "participant_type", "record_status", "schedule_id", "school_cohort_id",
             "sparsity_uplift", "pupil_premium_uplift", "registration_trn", "eligibility_status",
             "eligibility_reason", "cohort_changed_after_payments_frozen", "created_at", "updated_at"],
            records,
        )  # fmt: skip
        self.rows["induction_records"] = copy_rows(
            InductionRecord,
            ["id", "training_record_id", "induction_programme_id", "schedule_id", "start_date", "end_date",
             "training_status", "induction_status", "school_transfer", "created_at", "updated_at"],
            inductions,
        )  # fmt: skip
        reset_sequence(InductionRecord)
        self.rows["training_status_changes"] = copy_rows(
            TrainingStatusChange,
            ["training_record_id", "lead_provider_id", "induction_record_id", "from_status", "to_status", "reason",
             "changed_at", "actor_kind", "actor_id"],
            status_changes,
        )  # fmt: skip

    def training_record(self, pid, role, year, s, p, start, created, inductions, status_changes) -> dict:
        rnd = self.random
        record_id = self.uuid()
        schedule = self.schedules[year]
        roll = rnd.random()
        if roll < 0.90:
            eligibility = (EligibilityStatus.ELIGIBLE, EligibilityReason.NONE)
        elif roll < 0.93:
            eligibility = (EligibilityStatus.INELIGIBLE, EligibilityReason.PREVIOUS_INDUCTION)
        elif roll < 0.96:
            eligibility = (EligibilityStatus.MANUAL_CHECK, EligibilityReason.DIFFERENT_TRN)
        else:
            eligibility = (None, None)
        # Time slices: most people have one; some changed status or moved school and provider.
        change_at = min(start + dt.timedelta(days=rnd.randrange(60, 300)), self.now - dt.timedelta(days=2))
        fate = rnd.random()
        slices = [(s, p, TrainingStatus.ACTIVE, None)]  # (school, provider, status, opening change)
        final_school = s
        if role == "ect" and fate < 0.03:
            choices = [x for x in range(len(PROVIDERS)) if x != p]
            q = rnd.choice(choices)
            final_school = rnd.choice(self.schools_of_provider[q])
            slices.append((final_school, q, TrainingStatus.ACTIVE, None))
        elif fate < 0.07:
            reasons = (
                WithdrawReason.values
                if role == "mentor"
                else [r for r in WithdrawReason.values if r != WithdrawReason.MENTOR_NO_LONGER_BEING_MENTOR]
            )
            slices.append((s, p, TrainingStatus.WITHDRAWN, rnd.choice(reasons)))
        elif fate < 0.10:
            slices.append((s, p, TrainingStatus.DEFERRED, rnd.choice(DeferReason.values)))
        providers_by_time = []
        for n, (school, provider, status, reason) in enumerate(slices):
            ir_id = self.ids("induction_record")
            first, last = n == 0, n == len(slices) - 1
            ir_start = start if first else change_at
            ir_end = None if last else change_at
            transfer = not first and school != s
            if last:
                induction_status = InductionStatus.ACTIVE
            else:
                induction_status = (
                    InductionStatus.LEAVING if slices[n + 1][0] != school else InductionStatus.CHANGED
                )
            programme = self.school_cohort_key(school, year)
            ir_created = created if first else change_at
            inductions.append(
                (ir_id, record_id, programme, schedule, ir_start, ir_end, status, induction_status, transfer,
                 ir_created, ir_created if last else change_at)
            )  # fmt: skip
            if reason is not None:
                if not InductionRecord.TRANSITIONS.allows(TrainingStatus.ACTIVE, status):
                    raise AssertionError(f"active → {status} is not a training-status move")
                status_changes.append(
                    (record_id, self.providers[provider].pk, ir_id, TrainingStatus.ACTIVE, status, reason,
                     change_at, ACTOR.kind, ACTOR.id)
                )  # fmt: skip
            if self.partnership_ids[(school, year)] not in self.challenged:
                self.visible[provider].add(pid)
            providers_by_time.append(provider)
        status, reason = eligibility
        row = (
            record_id, pid, role, TrainingRecord.RecordStatus.ACTIVE, schedule, self.school_cohort_key(final_school, year),
            rnd.random() < 0.1, rnd.random() < 0.2, None, status, reason, False, created, change_at if len(slices) > 1 else created,
        )  # fmt: skip
        return {
            "id": record_id,
            "participant": pid,
            "type": role,
            "year": year,
            "providers": providers_by_time,
            "schools": [sl[0] for sl in slices],
            "eligible": status == EligibilityStatus.ELIGIBLE,
            "uplifts": (row[6], row[7]),
            "row": row,
        }

    # --- declarations, their lines and history ---------------------------------------------------

    def declaration_counts(self) -> list[int]:
        """How many declarations each training record gets: M spread evenly over their capacities."""
        capacity = [len(self.types_of(r)) for r in self.records]
        total = sum(capacity)
        share = min(1.0, self.n_declarations / total) if total else 0
        counts, running, given = [], 0.0, 0
        for cap in capacity:
            running += share * cap
            k = min(cap, round(running) - given)
            counts.append(k)
            given += k
        return counts

    def types_of(self, record) -> tuple:
        if record["type"] == "mentor" and self.cohorts[record["year"]].mentor_funding:
            return MENTOR_FUNDED_TYPES
        return ECT_TYPES

    def declarations(self) -> None:
        rnd = self.random
        counts = self.declaration_counts()
        declarations, changes, lines, line_history = [], [], [], []
        actor = (ACTOR.kind, ACTOR.id)
        for record, k in zip(self.records, counts, strict=True):
            record["live"] = {}  # declaration type → id of its live declaration
            if len(declarations) >= FLUSH_EVERY:
                self.flush_declarations(declarations, changes, lines, line_history)
                declarations, changes, lines, line_history = [], [], [], []
            if not k:
                continue
            year = record["year"]
            course = (
                CourseIdentifier.ECF_INDUCTION if record["type"] == "ect" else CourseIdentifier.ECF_MENTOR
            )
            types = self.types_of(record)[:k]
            cohort_start = _utc(dt.date(year, 9, 1), 10)
            dates = []
            for _ in types:
                providers = record["providers"]
                dates.append(self.declaration_date(year, providers[-1], cohort_start))
            dates.sort()
            original = record["duplicate_of"]
            live = {}
            for n, (declaration_type, when) in enumerate(zip(types, dates, strict=True)):
                # After a transfer, the later declarations are the new provider's.
                p = record["providers"][-1] if n >= len(types) // 2 else record["providers"][0]
                school = record["schools"][-1] if p == record["providers"][-1] else record["schools"][0]
                slot = self.next_output(p, year, when.date())
                if slot is None:  # a frozen cohort after its last statement: made before it instead
                    slot = self.outputs[(p, year)][-1]
                    when = min(when, _utc(slot.deadline - dt.timedelta(days=rnd.randrange(1, 30)), 10))
                superseded_by = None
                if original is not None:
                    superseded_by = original.get("live", {}).get(declaration_type)
                    if superseded_by is None:
                        continue  # nothing live to duplicate: this duplicate profile never declared it
                    state = _S.INELIGIBLE
                elif not record["eligible"]:
                    state = _S.SUBMITTED
                else:
                    state = {"open": _S.ELIGIBLE, "payable": _S.PAYABLE, "paid": _S.PAID}[slot.status]
                voided = rnd.random() < 0.05
                clawback_slot = None
                if voided and state == _S.PAID:
                    void_on = slot.payment + dt.timedelta(days=10)
                    clawback_slot = self.next_output(p, year, void_on)
                    if clawback_slot is None:
                        voided = False
                    else:
                        state = _S.CLAWED_BACK if clawback_slot.status == "paid" else _S.AWAITING_CLAWBACK
                        voided = False
                elif voided and state == _S.INELIGIBLE:
                    voided = False  # kept simple: a duplicate stays ineligible
                declaration_id = self.uuid()
                created = when + dt.timedelta(hours=1)
                path = VOIDED_PATHS[state] if voided else DECLARATION_PATHS[state]
                # When each step of the path happened.
                times = [created, created]
                for after in path[2:]:
                    if after in (_S.ELIGIBLE, _S.INELIGIBLE):
                        times.append(created)
                    elif after == _S.PAYABLE:
                        times.append(_utc(slot.deadline + dt.timedelta(days=1), 0, 5))
                    elif after == _S.PAID:
                        times.append(_utc(slot.payment, 12))
                    elif after == _S.AWAITING_CLAWBACK:
                        times.append(_utc(slot.payment + dt.timedelta(days=10), 11))
                    elif after == _S.CLAWED_BACK:
                        times.append(_utc(clawback_slot.payment, 12))
                    elif after == _S.VOIDED:
                        times.append(min(self.now, times[-1] + dt.timedelta(days=3)))
                final = path[-1]
                if final in Declaration.LIVE_STATES:
                    live[declaration_type] = declaration_id
                partnership_dp = self.delivery_partners[p][school % DELIVERY_PARTNERS_PER_PROVIDER]
                declarations.append(
                    (declaration_id, record["participant"], record["id"], self.providers[p].pk, self.cohorts[year].pk,
                     declaration_type, when, course, final, partnership_dp, superseded_by, record["uplifts"][0],
                     record["uplifts"][1], created, times[-1])
                )  # fmt: skip
                # A line carries its declaration's course, type and uplift (the calculation reads them there).
                copies = (course, declaration_type, bool(record["uplifts"][0] or record["uplifts"][1]))
                for before, after, at in zip(path[:-1], path[1:], times[1:], strict=True):
                    reason = DeclarationStateChange.REASON_DUPLICATE if after == _S.INELIGIBLE else None
                    changes.append((declaration_id, before, after, reason, at, *actor))
                # Its output line, from the moment it became eligible (or ineligible) on the statement.
                if path[2:3] and path[2] in (_S.ELIGIBLE, _S.INELIGIBLE):
                    line_id = self.ids("line")
                    states = line_path(path)
                    line_times = times[2 : 2 + len(states)]
                    lines.append(
                        (line_id, slot.id, declaration_id, StatementLineItem.Kind.OUTPUT, states[-1], line_times[0], line_times[-1],
                         *copies)
                    )  # fmt: skip
                    for n_step, (state_now, at) in enumerate(zip(states, line_times, strict=True)):
                        line_history.append(
                            (line_id, slot.id, declaration_id, StatementLineItem.Kind.OUTPUT, line_times[0],
                             state_now, at, at, "+" if n_step == 0 else "~", *actor, *copies)
                        )  # fmt: skip
                if clawback_slot is not None:
                    line_id = self.ids("line")
                    claw_path = [p_ for p_ in path if p_ in (_S.AWAITING_CLAWBACK, _S.CLAWED_BACK)]
                    claw_times = times[len(path) - len(claw_path) :]
                    lines.append(
                        (line_id, clawback_slot.id, declaration_id, StatementLineItem.Kind.CLAWBACK, claw_path[-1],
                         claw_times[0], claw_times[-1], *copies)
                    )  # fmt: skip
                    for n_step, (state_now, at) in enumerate(zip(claw_path, claw_times, strict=True)):
                        line_history.append(
                            (line_id, clawback_slot.id, declaration_id, StatementLineItem.Kind.CLAWBACK, claw_times[0],
                             state_now, at, at, "+" if n_step == 0 else "~", *actor, *copies)
                        )  # fmt: skip
            record["live"] = live
        self.flush_declarations(declarations, changes, lines, line_history)

    def flush_declarations(self, declarations, changes, lines, line_history) -> None:
        self.rows["declarations"] += copy_rows(
            Declaration,
            ["id", "participant_id", "training_record_id", "lead_provider_id", "cohort_id", "declaration_type",
             "declaration_date", "course_identifier", "state", "delivery_partner_id", "superseded_by_id",
             "sparsity_uplift", "pupil_premium_uplift", "created_at", "updated_at"],
            declarations,
        )  # fmt: skip
        self.rows["declaration_state_changes"] += copy_rows(
            DeclarationStateChange,
            ["declaration_id", "from_state", "to_state", "reason", "changed_at", "actor_kind", "actor_id"],
            changes,
        )
        self.rows["statement_lines"] += copy_rows(
            StatementLineItem,
            ["id", "statement_id", "declaration_id", "kind", "state", "created_at", "updated_at",
             "course_identifier", "declaration_type", "has_uplift"],
            lines,
        )
        self.rows["statement_line_history"] += copy_rows(
            StatementLineItem.history.model,
            ["id", "statement_id", "declaration_id", "kind", "created_at", "state", "updated_at", "history_date",
             "history_type", "actor_kind", "actor_id", "course_identifier", "declaration_type", "has_uplift"],
            line_history,
        )  # fmt: skip

    def declaration_date(self, year: int, p: int, cohort_start: dt.datetime) -> dt.datetime:
        """A moment between the cohort's start and now (or its last output deadline, when frozen); for
        open cohorts, half of them since the last deadline passed."""
        outputs = self.outputs[(p, year)]
        past = [s for s in outputs if s.deadline < self.today]
        upcoming = [s for s in outputs if s.deadline >= self.today]
        end = self.now - dt.timedelta(hours=2)
        if upcoming and past and self.random.random() < CURRENT_SHARE:
            start = _utc(past[-1].deadline + dt.timedelta(days=1), 0)
        else:
            start = cohort_start
            if not upcoming:
                end = min(end, _utc(outputs[-1].deadline, 8))
        span = max(1, int((end - start).total_seconds()))
        return start + dt.timedelta(seconds=self.random.randrange(span))


# The tables loaded with COPY: their indexes are built after the load, their foreign keys checked after it.
LOADED = (
    School,
    SchoolCohort,
    InductionProgramme,
    Partnership,
    PartnershipStateChange,
    Participant,
    TrainingRecord,
    InductionRecord,
    TrainingStatusChange,
    Declaration,
    DeclarationStateChange,
    StatementLineItem,
    StatementLineItem.history.model,
)


def build(
    *, participants: int, declarations: int, today: dt.date, now: dt.datetime, log=print
) -> ScaleResult:
    """Builds the data set in one transaction on an empty migrated database; returns the tokens."""
    import time

    _check_paths()
    if LeadProvider.objects.exists() or Participant.objects.exists():
        raise ValueError("seed_scale needs an empty migrated database (no lead providers, no participants).")
    builder = ScaleBuilder(participants=participants, declarations=declarations, today=today, now=now)
    started = time.perf_counter()

    def step(name, function, *args):
        begun = time.perf_counter()
        function(*args)
        log(f"{name}: {time.perf_counter() - begun:.1f}s (total {time.perf_counter() - started:.1f}s)")

    with transaction.atomic():
        with connection.cursor() as cursor:
            # The foreign keys' per-row triggers are off for the load; check_foreign_keys checks them after.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL session_replication_role = replica")
        rebuild = drop_indexes([model._meta.db_table for model in LOADED])
        step("providers and delivery partners", builder.reference)
        step("schools and partnerships", builder.schools)
        step("people and induction records", builder.people)
        step("contracts", builder.contracts, builder.people_by_provider_cohort)
        step("statements", builder.statements)
        step("declarations, lines and history", builder.declarations)
        reset_sequence(StatementLineItem)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
        step("indexes and unique constraints", build_indexes, rebuild)
        step("foreign keys", check_foreign_keys, LOADED)
        # What the apps keep beside the loaded rows, which COPY skipped: rebuilt set-based, as a repair would.
        step("current induction records", CurrentInductionRecord.objects.refresh_all)
        step("declaration visibility", DeclarationVisibility.objects.refresh_all)
        tokens = []
        for p, provider in enumerate(builder.providers):
            _, raw = token_issue(lead_provider=provider, label="bench", actor=ACTOR)
            tokens.append(ProviderCount(provider.name, raw, len(builder.visible[p])))
    log(f"committed: {time.perf_counter() - started:.1f}s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"analysed: {time.perf_counter() - started:.1f}s")
    tokens.sort(key=lambda t: -t.participants)
    return ScaleResult(providers=tokens, rows=dict(builder.rows))


__all__ = ["OUTPUT_MONTHS", "ScaleResult", "build"]
