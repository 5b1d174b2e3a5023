"""Participants: ECTs and mentors with training and induction records, status history, transfers, duplicates.

Rows are written directly (bulk) with the history rows the services would have written. Everything is
planned first from seeded generators, then only the rows missing from the database are inserted.
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from participants.models import (
    DeferReason,
    EligibilityReason,
    EligibilityStatus,
    InductionRecord,
    InductionStatus,
    MentorCompletionReason,
    Participant,
    ParticipantIdChange,
    Schedule,
    TrainingRecord,
    TrainingStatus,
    WithdrawReason,
)
from participants.services import OpeningStatusChange, induction_records_bulk_create

from .common import ACTOR, COHORT_YEARS, create_missing, missing, pk_map, rng, sid, utc
from .schools import Placement, SchoolWorld, slug

FIRST_NAMES = (
    "Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Mia", "Noah", "Sophie", "Jack", "Grace",
    "Leo", "Freya", "Oscar", "Emily", "Arthur", "Lily", "Alfie", "Chloe", "Jacob", "Evie", "Thomas",
    "Ella", "Charlie", "Ruby", "James", "Poppy", "William", "Aisha", "Mohammed", "Zara", "Ibrahim",
    "Hannah", "Daniel", "Niamh", "Samuel", "Priya", "Arjun", "Megan", "Joseph", "Olivia", "Ethan",
    "Lucy", "Rhys", "Eleanor", "Callum", "Imogen", "Kwame", "Fatima", "Owen",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
    "Clarke", "Khan", "Hughes", "Edwards", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris",
    "King", "Harris", "Baker", "Lewis", "Martin", "Begum", "Okafor", "Mensah", "O'Connor", "Murphy",
    "Campbell", "Kaur", "Ahmed", "Singh", "Price", "Bennett", "Lloyd", "Fletcher", "Holmes", "Shaw",
)  # fmt: skip

DEFER_REASONS = tuple(DeferReason.values)
ECT_WITHDRAW_REASONS = (
    WithdrawReason.LEFT_TEACHING_PROFESSION,
    WithdrawReason.MOVED_SCHOOL,
    WithdrawReason.SWITCHED_TO_SCHOOL_LED,
    WithdrawReason.OTHER,
)
MENTOR_WITHDRAW_REASONS = (*ECT_WITHDRAW_REASONS, WithdrawReason.MENTOR_NO_LONGER_BEING_MENTOR)
FUTURE_TRANSFER_END = utc(2027, 3, 31, 17)  # one transfer still in progress: leaving / joining
SEED_EPOCH = utc(2026, 10, 1)  # "registered" time of records that start in the future


@dataclass
class StatusChange:
    to_status: str
    reason: str | None
    at: dt.datetime


@dataclass
class InductionPlan:
    placement: Placement
    schedule: tuple[int, str]
    start: dt.datetime
    end: dt.datetime | None = None
    training_status: str = TrainingStatus.ACTIVE
    induction_status: str = InductionStatus.ACTIVE
    mentor_record_id: uuid.UUID | None = None
    school_transfer: bool = False
    preferred_email: str | None = None
    change: tuple[str, StatusChange] | None = None  # (from status, change) that opened this record


@dataclass
class RecordPlan:
    id: uuid.UUID
    participant_type: str
    schedule: tuple[int, str]
    placement: Placement  # current school cohort
    eligibility: tuple[str, str] | None = None
    registration_trn: str | None = None
    sparsity_uplift: bool = False
    pupil_premium_uplift: bool = False
    induction_completion_date: dt.date | None = None
    mentor_completion: tuple[dt.date, str] | None = None
    cohort_changed_after_payments_frozen: bool = False
    inductions: list[InductionPlan] = field(default_factory=list)

    @property
    def current(self) -> InductionPlan:
        return self.inductions[-1]

    def is_plain(self) -> bool:
        """One active, unchanged induction record: safe to build a special case on."""
        return len(self.inductions) == 1 and self.current.training_status == TrainingStatus.ACTIVE


@dataclass
class PersonPlan:
    index: int
    id: uuid.UUID
    first_name: str
    last_name: str
    email: str
    trn: str | None
    records: list[RecordPlan] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _start_of(schedule_identifier: str, year: int, random) -> dt.datetime:
    if schedule_identifier.endswith("january"):
        return utc(year + 1, 1, 6 + random.randint(0, 10), 8)
    if schedule_identifier.endswith("april"):
        return utc(year + 1, 4, 15 + random.randint(0, 10), 8)
    return utc(year, 9, 1 + random.randint(0, 20), 8)


class Planner:
    def __init__(self, world: SchoolWorld):
        self.world = world
        self.random = rng("participants")
        self.trns = iter(self.random.sample(range(1_000_000, 9_999_999), 2000))
        self.people: list[PersonPlan] = []
        self.id_changes: list[tuple[PersonPlan, uuid.UUID, dt.datetime]] = []

    # -- building blocks ------------------------------------------------------------------------------

    def person(self, first: str | None = None, last: str | None = None, email_tag: str = "") -> PersonPlan:
        index = len(self.people)
        first = first or self.random.choice(FIRST_NAMES)
        last = last or self.random.choice(LAST_NAMES)
        local = re.sub(r"[^a-z]", "", first.lower()) + "." + re.sub(r"[^a-z]", "", last.lower())
        email = f"{local}{email_tag}.{index + 1}@example.com"
        plan = PersonPlan(index, sid("participant", index), first, last, email, None)
        self.people.append(plan)
        return plan

    def record(self, person: PersonPlan, participant_type: str, placement: Placement, **fields) -> RecordPlan:
        random = self.random
        year = placement.year
        if participant_type == "ect":
            roll = random.random()
            identifier = (
                "ecf-standard-september" if roll < 0.8
                else "ecf-standard-january" if roll < 0.88
                else "ecf-standard-april" if roll < 0.93
                else "ecf-extended-september" if roll < 0.98
                else "ecf-reduced-september"
            )  # fmt: skip
            roll = random.random()
            eligibility = (
                (EligibilityStatus.ELIGIBLE, EligibilityReason.NONE) if roll < 0.68
                else (EligibilityStatus.MANUAL_CHECK, EligibilityReason.NO_QTS) if roll < 0.76
                else (EligibilityStatus.INELIGIBLE, EligibilityReason.PREVIOUS_INDUCTION) if roll < 0.83
                else (EligibilityStatus.MATCHED, EligibilityReason.DIFFERENT_TRN) if roll < 0.86
                else None
            )  # fmt: skip
        else:
            roll = random.random()
            identifier = (
                "ecf-standard-september" if roll < 0.85
                else "ecf-standard-january" if roll < 0.9
                else "ecf-replacement-september"
            )  # fmt: skip
            roll = random.random()
            eligibility = (
                (EligibilityStatus.ELIGIBLE, EligibilityReason.NONE) if roll < 0.8
                else (EligibilityStatus.INELIGIBLE, EligibilityReason.PREVIOUS_PARTICIPATION) if roll < 0.85
                else (EligibilityStatus.MANUAL_CHECK, EligibilityReason.ACTIVE_FLAGS) if roll < 0.9
                else None
            )  # fmt: skip
        trn = str(next(self.trns))
        if eligibility is not None and person.trn is None:
            person.trn = trn  # validated against the teacher record
        registration_trn = person.trn or (trn if random.random() < 0.6 else None)
        record = RecordPlan(
            id=sid("training-record", person.index, participant_type),
            participant_type=participant_type,
            schedule=(year, identifier),
            placement=placement,
            eligibility=eligibility,
            registration_trn=registration_trn,
            sparsity_uplift=random.random() < 0.12,
            pupil_premium_uplift=random.random() < 0.28,
        )
        for name, value in fields.items():
            setattr(record, name, value)
        start = _start_of(identifier, year, random)
        preferred = None
        if random.random() < 0.1:
            preferred = f"{person.email.split('@')[0]}@{slug(placement.school.name)}.sch.example.com"
        record.inductions.append(InductionPlan(placement, record.schedule, start, preferred_email=preferred))
        person.records.append(record)
        return record

    def change_status(self, record: RecordPlan, to_status: str, reason: str | None, at: dt.datetime) -> None:
        """Closes the current induction record and opens a copy with the new training status."""
        current = record.current
        current.end = at
        current.induction_status = InductionStatus.CHANGED
        record.inductions.append(
            InductionPlan(
                placement=current.placement,
                schedule=current.schedule,
                start=at,
                training_status=to_status,
                mentor_record_id=current.mentor_record_id,
                preferred_email=current.preferred_email,
                change=(current.training_status, StatusChange(to_status, reason, at)),
            )
        )

    def move(self, record: RecordPlan, placement: Placement, at: dt.datetime, *, transfer: bool) -> None:
        """Leaves the current school (transfer) or has DfE move the record (change), joining `placement`."""
        current = record.current
        current.end = at
        current.induction_status = InductionStatus.LEAVING if transfer else InductionStatus.CHANGED
        record.inductions.append(
            InductionPlan(
                placement=placement,
                schedule=record.schedule,
                start=at + dt.timedelta(days=1) if transfer else at,
                school_transfer=transfer,
            )
        )
        record.placement = placement

    # -- the population ----------------------------------------------------------------------------------

    def build(self) -> None:
        random = self.random
        for placement in self.world.placements:
            mentor = None
            if random.random() < 0.65:
                mentor = self.record(self.person(), "mentor", placement)
                self._maybe_complete_mentor(mentor, placement.year)
                self._maybe_change_status(mentor, MENTOR_WITHDRAW_REASONS)
            for _ in range(random.choice((2, 2, 3, 3, 3, 4))):
                ect = self.record(self.person(), "ect", placement)
                if mentor is not None and random.random() < 0.8:
                    ect.current.mentor_record_id = mentor.id
                self._maybe_complete_ect(ect, placement.year)
                self._maybe_change_status(ect, ECT_WITHDRAW_REASONS)
        self._both_roles()
        self._transfers()
        self._relationship_transfer()
        self._moved_out_of_frozen_cohort()
        self._unfunded_mentors()
        self._duplicates()
        self._id_changes()
        self._resumed()

    def _maybe_complete_ect(self, record: RecordPlan, year: int) -> None:
        if year <= 2022 and self.random.random() < 0.4:
            record.induction_completion_date = dt.date(year + 2, 7, 20 + self.random.randint(0, 8))
            record.current.induction_status = InductionStatus.COMPLETED

    def _maybe_complete_mentor(self, record: RecordPlan, year: int) -> None:
        if year == 2021 and self.random.random() < 0.4:
            record.mentor_completion = (
                dt.date(2023, 7, 31),
                MentorCompletionReason.COMPLETED_DECLARATION_RECEIVED,
            )
        elif year == 2022 and self.random.random() < 0.5:
            record.mentor_completion = (dt.date(2025, 7, 31), MentorCompletionReason.STARTED_NOT_COMPLETED)

    def _maybe_change_status(self, record: RecordPlan, withdraw_reasons) -> None:
        roll = self.random.random()
        if record.current.induction_status == InductionStatus.COMPLETED or roll >= 0.15:
            return
        at = record.current.start + dt.timedelta(days=self.random.randint(60, 300), hours=5)
        at = min(at, SEED_EPOCH - dt.timedelta(days=1))
        if roll < 0.08:
            self.change_status(record, TrainingStatus.DEFERRED, self.random.choice(DEFER_REASONS), at)
        else:
            self.change_status(record, TrainingStatus.WITHDRAWN, self.random.choice(withdraw_reasons), at)
            if record.current.change[1].reason == WithdrawReason.LEFT_TEACHING_PROFESSION:
                record.current.induction_status = InductionStatus.WITHDRAWN

    def _plain(self, participant_type: str, year: int | None = None, provider_id=None) -> list[RecordPlan]:
        return [
            record
            for person in self.people
            if len(person.records) == 1
            for record in person.records
            if record.participant_type == participant_type
            and record.is_plain()
            and record.current.induction_status == InductionStatus.ACTIVE
            and not record.placement.challenged
            and (year is None or record.placement.year == year)
            and (provider_id is None or record.placement.lead_provider_id == provider_id)
        ]

    def _owner(self, record: RecordPlan) -> PersonPlan:
        return next(person for person in self.people if record in person.records)

    def _both_roles(self) -> None:
        """Former 2021 ECTs who completed induction and now mentor (2024 or 2025)."""
        made = 0
        for person in self.people:
            if made == 5:
                break
            if len(person.records) != 1:
                continue
            ect = person.records[0]
            if ect.participant_type != "ect" or ect.induction_completion_date is None:
                continue
            year = 2024 + made % 2
            placement = self.world.active.get((year, ect.placement.school.id))
            if placement is None:
                continue
            self.record(person, "mentor", placement)
            made += 1

    def _transfers(self) -> None:
        """ECTs who moved school and provider: `leaving` at school A, `school_transfer` record at school B."""
        for number, year in enumerate((2023, 2023, 2024, 2024, 2025)):
            candidates = self._plain("ect", year)
            record = candidates[(number * 7) % len(candidates)]
            target = next(
                p
                for p in self.world.active.values()
                if p.year == year
                and p.lead_provider_id != record.placement.lead_provider_id
                and p.school.id != record.placement.school.id
            )
            at = FUTURE_TRANSFER_END if year == 2025 else utc(year + 1, 3, 31, 17)
            self.move(record, target, at, transfer=True)

    def _relationship_transfer(self) -> None:
        """An ECT who moved school but kept their provider, through a relationship partnership."""
        original, relationship = self.world.relationship
        record = next(
            r
            for r in self._plain("ect", original.year)
            if r.placement.partnership_id == original.partnership_id
        )
        self.move(record, relationship, utc(2025, 1, 31, 17), transfer=True)

    def _moved_out_of_frozen_cohort(self) -> None:
        """2022 ECTs moved by DfE to 2024 on an extended schedule when 2022 was frozen."""
        moved = 0
        for record in self._plain("ect", 2022):
            target = self.world.active.get((2024, record.placement.school.id))
            if record.induction_completion_date or target is None:
                continue
            record.schedule = (2024, "ecf-extended-september")
            record.cohort_changed_after_payments_frozen = True
            self.move(record, target, utc(2025, 8, 1), transfer=False)
            record.current.schedule = record.schedule
            moved += 1
            if moved == 3:
                break

    def _unfunded_mentors(self) -> None:
        """ECTs whose mentor trains with another provider."""
        for number, year in enumerate((2023, 2024, 2025)):
            mentors = self._plain("mentor", year)
            mentor = mentors[number % len(mentors)]
            ect = next(
                r
                for r in self._plain("ect", year)
                if r.placement.lead_provider_id != mentor.placement.lead_provider_id
            )
            ect.current.mentor_record_id = mentor.id

    def _duplicates(self) -> None:
        """The same teacher registered twice (two persons sharing a TRN), under different providers."""
        for number, year in enumerate((2023, 2024, 2025)):
            originals = [r for r in self._plain("ect", year) if self._owner(r).trn]
            record = originals[(number * 5 + 3) % len(originals)]
            person = self._owner(record)
            placement = next(
                p
                for p in self.world.placements
                if p.year == year
                and not p.challenged
                and p.lead_provider_id != record.placement.lead_provider_id
            )
            twin = self.person(person.first_name, person.last_name, email_tag=".personal")
            twin.trn = person.trn
            duplicate = self.record(twin, "ect", placement)
            duplicate.registration_trn = person.trn
            duplicate.eligibility = (
                (EligibilityStatus.INELIGIBLE, EligibilityReason.DUPLICATE_PROFILE)
                if number
                else (EligibilityStatus.ELIGIBLE, EligibilityReason.NONE)
            )

    def _id_changes(self) -> None:
        for number in range(2):
            person = self.people[10 + number * 17]
            self.id_changes.append((person, sid("retired-participant", number), utc(2024, 3, 4 + number, 10)))

    def _resumed(self) -> None:
        """Deferred and later resumed: two status changes in the history."""
        for record in self._plain("ect", 2024)[3:5]:
            start = record.current.start
            self.change_status(
                record, TrainingStatus.DEFERRED, DeferReason.PARENTAL_LEAVE, start + dt.timedelta(days=90)
            )
            self.change_status(record, TrainingStatus.ACTIVE, None, start + dt.timedelta(days=240))


@dataclass(frozen=True)
class ParticipantCounts:
    participants: int
    training_records: int
    induction_records: int
    people: list[PersonPlan] = field(default_factory=list, compare=False, repr=False)


def seed_participants(world: SchoolWorld) -> ParticipantCounts:
    planner = Planner(world)
    planner.build()
    people = planner.people
    schedules = pk_map(
        Schedule, ["cohort__start_year", "schedule_identifier"], cohort__start_year__in=COHORT_YEARS
    )

    def first_start(person: PersonPlan) -> dt.datetime:
        return min(record.inductions[0].start for record in person.records)

    def registered(start: dt.datetime) -> dt.datetime:
        return min(start - dt.timedelta(days=21), SEED_EPOCH)

    participants = [
        Participant(
            id=person.id,
            full_name=person.full_name,
            email=person.email,
            trn=person.trn,
            created_at=registered(first_start(person)) + dt.timedelta(seconds=person.index),
        )
        for person in people
    ]
    create_missing(Participant, participants, ["id"])

    records = []
    for person in people:
        for record in person.records:
            status, reason = record.eligibility or (None, None)
            completion_date, completion_reason = record.mentor_completion or (None, None)
            records.append(
                TrainingRecord(
                    id=record.id,
                    participant_id=person.id,
                    participant_type=record.participant_type,
                    schedule_id=schedules[record.schedule],
                    school_cohort_id=record.placement.school_cohort_id,
                    sparsity_uplift=record.sparsity_uplift,
                    pupil_premium_uplift=record.pupil_premium_uplift,
                    registration_trn=record.registration_trn,
                    eligibility_status=status,
                    eligibility_reason=reason,
                    induction_completion_date=record.induction_completion_date,
                    mentor_completion_date=completion_date,
                    mentor_completion_reason=completion_reason,
                    cohort_changed_after_payments_frozen=record.cohort_changed_after_payments_frozen,
                    created_at=registered(record.inductions[0].start) + dt.timedelta(seconds=person.index),
                )
            )
    create_missing(TrainingRecord, records, ["id"])

    inductions = []
    opened_by: dict[tuple, OpeningStatusChange] = {}
    for person in people:
        for record in person.records:
            for plan in record.inductions:
                inductions.append(
                    InductionRecord(
                        training_record_id=record.id,
                        induction_programme_id=plan.placement.programme_id,
                        schedule_id=schedules[plan.schedule],
                        start_date=plan.start,
                        end_date=plan.end,
                        # A protected FSM field may be set at construction; the participants app checks it
                        # against the change that opened the record and writes that change's history row.
                        training_status=plan.training_status,
                        induction_status=plan.induction_status,
                        mentor_id=plan.mentor_record_id,
                        preferred_email=plan.preferred_email,
                        school_transfer=plan.school_transfer,
                        created_at=min(plan.start, SEED_EPOCH),
                    )
                )
                if plan.change is not None:
                    from_status, change = plan.change
                    opened_by[(record.id, plan.start)] = OpeningStatusChange(
                        lead_provider_id=plan.placement.lead_provider_id,
                        from_status=from_status,
                        reason=change.reason,
                        at=change.at,
                    )
    new = missing(InductionRecord, inductions, ["training_record_id", "start_date"])
    induction_records_bulk_create(
        records=[(row, opened_by.get((row.training_record_id, row.start_date))) for row in new], actor=ACTOR
    )

    id_changes = [
        ParticipantIdChange(
            participant_id=person.id, from_participant_id=retired, to_participant_id=person.id
        )
        for person, retired, _ in planner.id_changes
    ]
    created_ids = {
        row.from_participant_id
        for row in create_missing(ParticipantIdChange, id_changes, ["from_participant_id"])
    }
    for _, retired, at in planner.id_changes:
        if retired in created_ids:  # created_at is auto_now_add: back-date it after the insert
            ParticipantIdChange.objects.filter(from_participant_id=retired).update(created_at=at)

    return ParticipantCounts(len(participants), len(records), len(inductions), people)
