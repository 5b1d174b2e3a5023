"""Declarations in every state and the statement calendar paid through the real runs.

Everything goes through the services the API and the finance commands use, replayed in time order with
`clock.travel_to`: each declaration is submitted "at" a past moment inside its milestone window with the
provider's own seed token, so it attaches to the output statement that was open then; each month the
`mark_statements_payable` and `pay_statement` commands run on the day the finance team would run them.

Idempotent: a planned declaration whose (training record, type) slot already has a declaration is not
submitted again (a resubmission would also record an attempt row), voids and eligibility changes only act
on rows still in the state they expect, and the runs skip statements already moved.
"""

import datetime as dt
import io
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management import call_command

from config import clock
from config.actors import Actor, acting_as
from config.errors import DomainError
from declarations.models import Declaration, DeclarationState, EvidenceHeld
from declarations.services import declaration_submit, declaration_void
from participants.models import (
    CourseIdentifier,
    DeclarationType,
    EligibilityReason,
    EligibilityStatus,
    InductionStatus,
    Milestone,
    Participant,
    TrainingRecord,
)
from participants.services import participant_change_schedule, participant_set_eligibility, participants_touch
from partnerships.models import Cohort, LeadProvider, LeadProviderToken
from partnerships.services import token_issue
from statements.adjustments import adjustment_add
from statements.models import Adjustment, Statement, StatementStatus
from statements.selectors import next_output_statement

from .common import ACTOR, rng, utc
from .participants import PersonPlan, RecordPlan

SEED_TOKEN_LABEL = "sandbox-seed"
logger = logging.getLogger(__name__)
# The statement runs log one INFO line per statement; the seed runs them hundreds of times.
RUN_LOGGERS = (
    "statements.management.commands.mark_statements_payable",
    "statements.management.commands.pay_statement",
)
DECLARING_YEARS = (2023, 2024, 2025)
STANDARD = "ecf-standard-september"
RETAINED_EVIDENCE = (
    EvidenceHeld.TRAINING_EVENT_ATTENDED,
    EvidenceHeld.SELF_STUDY_MATERIAL_COMPLETED,
    EvidenceHeld.OTHER,
)
ADJUSTMENTS = (
    ("Additional training event", Decimal("1500.00")),
    ("Overpayment recovery", Decimal("-750.00")),
)
# The month finance is about to authorise shows a whole month's kinds of work for each provider: ECTs moved
# to the extended schedule declare every declaration type, a few paid starts are clawed back, and an
# adjustment is added.
SHOWCASE_YEAR = 2024
SHOWCASE_PEOPLE = 6
SHOWCASE_CLAWBACKS = 2
SHOWCASE_SCHEDULE = "ecf-extended-september"
SHOWCASE_ADJUSTMENT = ("Regional conference costs", Decimal("2400.00"))


@dataclass(order=True)
class Event:
    at: dt.datetime
    seq: int
    action: Callable[[], None] = field(compare=False)


@dataclass(frozen=True)
class Planned:
    record: RecordPlan
    person: PersonPlan
    declaration_type: str
    declaration_date: dt.datetime
    evidence: str | None

    @property
    def course(self) -> str:
        return (
            CourseIdentifier.ECF_INDUCTION
            if self.record.participant_type == "ect"
            else CourseIdentifier.ECF_MENTOR
        )

    @property
    def key(self) -> tuple:
        return (self.record.id, self.declaration_type)


def _day(value: dt.date, hour: int = 10) -> dt.datetime:
    return utc(value.year, value.month, value.day, hour)


class Scenario:
    """Plans the events from the participant plans and today's statement calendar, then replays them."""

    def __init__(self, people: list[PersonPlan], providers: dict[str, LeadProvider], admin_email: str, today):
        self.people = people
        self.admin_email = admin_email
        self.today = today
        # Events happen before today's midnight (UTC), so a run on the same day plans the same data.
        self.now = utc(today.year, today.month, today.day, 0)
        self.random = rng("declarations")
        self.events: list[Event] = []
        self.planned: dict[tuple, Planned] = {}
        self.tokens = {provider.pk: _seed_token(provider) for provider in providers.values()}
        self.actors = {pk: Actor.provider(token) for pk, token in self.tokens.items()}
        trns = [person.trn for person in people if person.trn]
        self.shared_trns = {trn for trn in trns if trns.count(trn) > 1}
        self.providers = {provider.pk: provider for provider in providers.values()}
        self.windows = {
            (m["schedule__cohort__start_year"], m["schedule__schedule_identifier"], m["declaration_type"]): (
                m["start_date"],
                m["milestone_date"],
            )
            for m in Milestone.objects.filter(schedule__cohort__start_year__in=DECLARING_YEARS).values(
                "schedule__cohort__start_year", "schedule__schedule_identifier", "declaration_type",
                "start_date", "milestone_date",
            )
        }  # fmt: skip
        self.existing = set(Declaration.objects.values_list("training_record_id", "declaration_type"))
        self._calendar()

    # -- the statement calendar ---------------------------------------------------------------------------

    def _calendar(self) -> None:
        statements = list(
            Statement.objects.filter(deadline_date__lt=self.today).values(
                "pk", "deadline_date", "payment_date", "output_fee", "cohort__payments_frozen_at"
            )
        )
        open_cohort_outputs = [
            row for row in statements if row["output_fee"] and row["cohort__payments_frozen_at"] is None
        ]
        # The latest output statement past its deadline is left payable, awaiting authorisation, so the
        # sandbox always shows payable declarations and one statement for finance to authorise.
        self.held_deadline = max(row["deadline_date"] for row in open_cohort_outputs)
        self.held = {row["pk"] for row in open_cohort_outputs if row["deadline_date"] == self.held_deadline}
        for deadline in sorted({row["deadline_date"] for row in statements}):
            self._at(min(_day(deadline + dt.timedelta(days=1), 6), self.now), self._make_payable)
        payments = defaultdict(list)
        for row in statements:
            if row["payment_date"] < self.today and row["pk"] not in self.held:
                payments[row["payment_date"]].append(row["pk"])
        for payment, ids in sorted(payments.items()):
            self._at(_day(payment - dt.timedelta(days=4)), lambda ids=ids: self._pay(ids))

    def _make_payable(self) -> None:
        call_command("mark_statements_payable", date=clock.today().isoformat(), stdout=io.StringIO())

    def _pay(self, ids) -> None:
        due = [
            str(pk)
            for pk in Statement.objects.filter(pk__in=ids, status=StatementStatus.PAYABLE).values_list(
                "pk", flat=True
            )
        ]
        if due:
            call_command(
                "pay_statement", *sorted(due), authorise=True, user=self.admin_email, stdout=io.StringIO()
            )

    # -- planning helpers -----------------------------------------------------------------------------------

    def _at(self, at: dt.datetime, action: Callable[[], None]) -> None:
        self.events.append(Event(at, len(self.events), action))

    def candidates(self, participant_type: str, year: int, *, eligible: bool | None = True) -> list:
        found = []
        for person in self.people:
            if len(person.records) != 1 or person.trn in self.shared_trns:
                continue
            record = person.records[0]
            if (
                record.participant_type != participant_type
                or record.schedule != (year, STANDARD)
                or not record.is_plain()
                or record.current.induction_status != InductionStatus.ACTIVE
                or record.placement.challenged
            ):
                continue
            fundable = record.eligibility is not None and record.eligibility[0] == EligibilityStatus.ELIGIBLE
            if eligible is None or fundable == eligible:
                found.append((person, record))
        return found

    def declare(
        self, person, record, declaration_type, around, *, evidence=None, delay_hours=30, submit_at=None
    ):
        """Plans a submission dated `around` (kept inside the milestone window and after the induction
        started), sent `delay_hours` later, or dated `delay_hours` before `submit_at` and sent then.
        Returns the plan, or None when the window does not allow it."""
        window = self.windows.get((*record.schedule, declaration_type))
        if window is None:
            return None
        start, end = window
        delay = dt.timedelta(hours=delay_hours)
        if submit_at is not None:
            submit_at = min(submit_at, self.now)
            around = submit_at - delay
        earliest = max(_day(start, 9), record.inductions[0].start + dt.timedelta(days=1))
        latest = min(_day(end, 16) if end else self.now, self.now - delay - dt.timedelta(hours=1))
        if submit_at is not None:
            latest = min(latest, submit_at - dt.timedelta(minutes=1))
        date = min(max(around, earliest), latest)
        if date < earliest:
            return None
        date = date.replace(second=0, microsecond=0)
        plan = Planned(record, person, declaration_type, date, evidence)
        if plan.key in self.planned:
            return None
        self.planned[plan.key] = plan
        self._at(submit_at or date + delay, lambda: self._submit(plan))
        return plan

    def void(self, plan: Planned | None, at: dt.datetime) -> None:
        if plan is not None:
            self._at(min(at, self.now), lambda: self._void(plan))

    # -- actions --------------------------------------------------------------------------------------------

    def _submit(self, plan: Planned) -> None:
        if plan.key in self.existing:
            return
        provider_id = plan.record.placement.lead_provider_id
        actor = self.actors[provider_id]
        attributes = {
            "participant_id": str(plan.person.id),
            "declaration_type": plan.declaration_type,
            "declaration_date": plan.declaration_date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "course_identifier": plan.course,
        }
        if plan.evidence:
            attributes["evidence_held"] = plan.evidence
        try:
            declaration_submit(
                lead_provider=self.providers[provider_id],
                attributes=attributes,
                actor=actor,
                token=self.tokens[provider_id],
            )
        except DomainError as error:  # only when sandbox users changed the data since an earlier run
            logger.warning("seed_sandbox: declaration %s refused: %r", attributes, error)
            return
        self.existing.add(plan.key)

    def _void(self, plan: Planned) -> None:
        declaration = Declaration.objects.filter(
            training_record_id=plan.record.id, declaration_type=plan.declaration_type
        ).first()
        voidable = (*Declaration.VOIDABLE_STATES, DeclarationState.PAID)
        if declaration is not None and declaration.state in voidable:
            try:
                declaration_void(declaration=declaration, actor=self.actors[declaration.lead_provider_id])
            except DomainError as error:
                logger.warning("seed_sandbox: void of %s refused: %r", declaration.pk, error)

    def _make_eligible(self, record: RecordPlan) -> None:
        participant_set_eligibility(
            training_record=TrainingRecord.objects.get(pk=record.id),
            status=EligibilityStatus.ELIGIBLE,
            reason=EligibilityReason.NONE,
            actor=ACTOR,
        )

    # -- the story ------------------------------------------------------------------------------------------

    def plan(self) -> None:
        random = self.random
        held = _day(self.held_deadline)
        recent = _day(self.held_deadline + dt.timedelta(days=1), 0)
        span = self.now - recent

        # ECTs of 2023 and 2024: started, retained-1, retained-2, paid long ago.
        for year in (2023, 2024):
            for person, record in self.candidates("ect", year)[::2]:  # half of them, to keep the seed fast
                steps = random.choice((1, 2, 3, 3, 3))
                start = record.inductions[0].start
                self.declare(
                    person, record, DeclarationType.STARTED, start + dt.timedelta(days=random.randint(10, 60))
                )
                if steps >= 2:
                    self.declare(
                        person, record, DeclarationType.RETAINED_1,
                        utc(year + 1, 1, 8) + dt.timedelta(days=random.randint(0, 70)),
                        evidence=random.choice(RETAINED_EVIDENCE),
                    )  # fmt: skip
                if steps >= 3:
                    self.declare(
                        person, record, DeclarationType.RETAINED_2,
                        utc(year + 1, 4, 8) + dt.timedelta(days=random.randint(0, 90)),
                        evidence=random.choice(RETAINED_EVIDENCE),
                    )  # fmt: skip

        # Paid, then voided: clawed back on a later statement that was paid...
        paid_2023 = [
            self.planned.get((r.id, DeclarationType.RETAINED_1)) for _, r in self.candidates("ect", 2023)
        ]
        for plan in [p for p in paid_2023 if p][:3]:
            self.void(plan, utc(2025, 2, 10 + plan.person.index % 10, 11))
        # ...or awaiting clawback on the statement left payable.
        paid_2024 = [
            self.planned.get((r.id, DeclarationType.STARTED)) for _, r in self.candidates("ect", 2024)
        ]
        for plan in [p for p in paid_2024 if p][-3:]:
            self.void(plan, held - dt.timedelta(days=3))
        # An eligible declaration voided before its statement's deadline.
        eligible_2023 = [
            self.planned.get((r.id, DeclarationType.RETAINED_2)) for _, r in self.candidates("ect", 2023)
        ]
        for plan in [p for p in eligible_2023 if p][-2:]:
            self.void(plan, plan.declaration_date + dt.timedelta(days=3))

        # Not yet eligible when they started (submitted); some made eligible later (promoted and paid),
        # one voided while still submitted.
        waiting = self.candidates("ect", 2024, eligible=False)
        for number, (person, record) in enumerate(waiting[:12]):
            plan = self.declare(person, record, DeclarationType.STARTED, utc(2024, 10, 14 + number, 10))
            if plan is None:
                continue
            if number % 3 == 0:
                self._at(utc(2025, 2, 17, 14), lambda record=record: self._make_eligible(record))
            elif number == 1:
                self.void(plan, utc(2025, 3, 3, 9))

        # 2025 ECTs (evidence per declaration type): started, optional evidence. Paid, payable or eligible.
        ects_2025 = self.candidates("ect", 2025)[:28]
        for number, (person, record) in enumerate(ects_2025):
            evidence = (
                None,
                EvidenceHeld.TRAINING_EVENT_ATTENDED,
                EvidenceHeld.MATERIALS_ENGAGED_WITH_OFFLINE,
            )[number % 3]
            around, submit_at = (
                record.inductions[0].start + dt.timedelta(days=random.randint(14, 50)),
                None,
            )
            if number % 4 == 0:
                around = held - dt.timedelta(days=6)  # on the statement left payable
            elif number % 4 == 1:
                submit_at = recent + span * 0.3  # on the next open statement
            plan = self.declare(
                person,
                record,
                DeclarationType.STARTED,
                around,
                evidence=evidence,
                delay_hours=6,
                submit_at=submit_at,
            )
            if number in (1, 5) and plan is not None:
                self.void(plan, recent + span * 0.6)

        # 2025 mentors: started, then completed (75% engagement).
        for number, (person, record) in enumerate(self.candidates("mentor", 2025)):
            start = record.inductions[0].start
            self.declare(
                person, record, DeclarationType.STARTED, start + dt.timedelta(days=random.randint(14, 40)),
                evidence=EvidenceHeld.TRAINING_EVENT_ATTENDED if number % 2 else None,
            )  # fmt: skip
            if number % 3 == 0:
                continue
            recently = number % 3 == 1  # eligible on the next open statement; the others paid in the summer
            self.declare(
                person, record, DeclarationType.COMPLETED, utc(2026, 7, 6) + dt.timedelta(days=number),
                evidence=(EvidenceHeld.ENGAGEMENT_MET, EvidenceHeld.ENGAGEMENT_MET_REDUCED_INDUCTION)[number % 2],
                delay_hours=4, submit_at=recent + span * 0.5 if recently else None,
            )  # fmt: skip

        # The same teacher registered twice: the second registration's declaration is a duplicate.
        self._duplicates()
        self._showcase()

    def _showcase(self) -> None:
        """On each provider's 2024 statement left payable: every declaration type (ECTs moved to the
        extended schedule, whose milestones are all open), paid starts clawed back, and (after the run) an
        adjustment, so that the statement finance authorises looks like a full month."""
        held = _day(self.held_deadline)
        ects = self.candidates("ect", SHOWCASE_YEAR)
        paid_starts = [self.planned.get((r.id, DeclarationType.STARTED)) for _, r in ects[::2]]
        already_voided = {plan.key for plan in [p for p in paid_starts if p][-3:]}
        declared = {record_id for record_id, _ in self.planned}
        for provider_id in sorted(self.providers):
            unused = [
                (person, record)
                for person, record in self._fundable_ects(SHOWCASE_YEAR)
                if record.placement.lead_provider_id == provider_id and record.id not in declared
            ]
            # Those with an uplift first, so that the month shows uplift fees; when none has one, the first
            # one's school is recorded as a pupil-premium school before the declarations arrive.
            unused.sort(key=lambda pair: not (pair[1].sparsity_uplift or pair[1].pupil_premium_uplift))
            if unused and not (unused[0][1].sparsity_uplift or unused[0][1].pupil_premium_uplift):
                self._at(held - dt.timedelta(days=41), lambda record=unused[0][1]: self._pupil_premium(record))
            for number, (person, record) in enumerate(unused[:SHOWCASE_PEOPLE]):
                self._at(
                    held - dt.timedelta(days=40, minutes=-number),
                    lambda person=person, record=record: self._move_to_extended(person, record),
                )
                for offset, declaration_type in enumerate(DeclarationType.values):
                    submit_at = held - dt.timedelta(days=5, minutes=-(number * 10 + offset))
                    date = max(
                        _day(dt.date(SHOWCASE_YEAR, 9, 2)), record.inductions[0].start + dt.timedelta(days=1)
                    ) + dt.timedelta(days=20 * offset)
                    date = min(date, submit_at - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
                    plan = Planned(
                        record,
                        person,
                        declaration_type,
                        date,
                        None if declaration_type == DeclarationType.STARTED else RETAINED_EVIDENCE[offset % 3],
                    )
                    if plan.key not in self.planned:
                        self.planned[plan.key] = plan
                        self._at(submit_at, lambda plan=plan: self._submit(plan))
            mine = [
                plan
                for plan in paid_starts
                if plan is not None
                and plan.record.placement.lead_provider_id == provider_id
                and plan.key not in already_voided
            ]
            for plan in mine[:SHOWCASE_CLAWBACKS]:
                self.void(plan, held - dt.timedelta(days=4))

    def _fundable_ects(self, year: int) -> list:
        """ECTs of the cohort on any standard or extended September schedule, otherwise as `candidates`."""
        found = []
        for person in self.people:
            if len(person.records) != 1 or person.trn in self.shared_trns:
                continue
            record = person.records[0]
            if (
                record.participant_type == "ect"
                and record.schedule in ((year, STANDARD), (year, SHOWCASE_SCHEDULE))
                and record.is_plain()
                and record.current.induction_status == InductionStatus.ACTIVE
                and not record.placement.challenged
                and record.eligibility is not None
                and record.eligibility[0] == EligibilityStatus.ELIGIBLE
            ):
                found.append((person, record))
        return found

    def _pupil_premium(self, record: RecordPlan) -> None:
        # School data, loaded like the records themselves (there is no use case for it), then touched so
        # providers polling `updated_since` see it.
        changed = TrainingRecord.objects.filter(pk=record.id, pupil_premium_uplift=False).update(
            pupil_premium_uplift=True, updated_at=clock.now()
        )
        if changed:
            participants_touch(Participant.objects.filter(training_records__pk=record.id))

    def _move_to_extended(self, person: PersonPlan, record: RecordPlan) -> None:
        if record.schedule[1] == SHOWCASE_SCHEDULE:
            return  # registered on it
        if Declaration.objects.filter(training_record_id=record.id).exists():
            return  # an earlier run (or a sandbox user) declared already
        provider_id = record.placement.lead_provider_id
        try:
            participant_change_schedule(
                participant_id=str(person.id),
                attributes={"course_identifier": "ecf-induction", "schedule_identifier": SHOWCASE_SCHEDULE},
                lead_provider=self.providers[provider_id],
                actor=self.actors[provider_id],
            )
        except DomainError as error:
            logger.warning("seed_sandbox: schedule change of %s refused: %r", person.id, error)

    def _duplicates(self) -> None:
        by_trn = defaultdict(list)
        for person in self.people:
            if person.trn:
                by_trn[person.trn].append(person)
        for people in by_trn.values():
            if len(people) != 2:
                continue
            original, twin = sorted(people, key=lambda person: person.index)
            first, second = original.records[0], twin.records[0]
            year = second.schedule[0]
            if (
                year not in DECLARING_YEARS
                or first.participant_type != "ect"
                or second.participant_type != "ect"
            ):
                continue
            at = max(first.inductions[0].start, second.inductions[0].start) + dt.timedelta(days=20)
            existing = self.planned.get((first.id, DeclarationType.STARTED))
            if existing is None:
                existing = self.declare(original, first, DeclarationType.STARTED, at)
            if existing is not None:
                self.declare(
                    twin, second, DeclarationType.STARTED, existing.declaration_date + dt.timedelta(days=3)
                )

    def run(self) -> None:
        quiet = [logging.getLogger(name) for name in RUN_LOGGERS]
        levels = [run_logger.level for run_logger in quiet]
        for run_logger in quiet:
            run_logger.setLevel(logging.WARNING)
        try:
            for event in sorted(self.events):
                with clock.travel_to(event.at):
                    event.action()
        finally:
            for run_logger, level in zip(quiet, levels, strict=True):
                run_logger.setLevel(level)


def _seed_token(provider: LeadProvider) -> LeadProviderToken:
    """The provider's own token the seed declares with, issued once (its value is never shown)."""
    token = (
        LeadProviderToken.objects.filter(lead_provider=provider, label=SEED_TOKEN_LABEL, revoked_at=None)
        .order_by("pk")
        .first()
    )
    if token is None:
        token, _ = token_issue(lead_provider=provider, label=SEED_TOKEN_LABEL, actor=ACTOR)
    return token


def seed_declarations_and_payments(
    people: list[PersonPlan], providers: dict[str, LeadProvider], admin_email: str, today: dt.date
) -> None:
    scenario = Scenario(people, providers, admin_email, today)
    scenario.plan()
    scenario.run()


def seed_adjustments(providers: dict[str, LeadProvider], cohorts: dict[int, Cohort], today: dt.date) -> None:
    """A positive and a negative adjustment on each provider's next open 2024 output statement, and one on
    its 2024 output statement awaiting authorisation (through the back office's use case)."""
    for provider in providers.values():
        awaiting = (
            Statement.objects.filter(
                lead_provider=provider,
                cohort=cohorts[SHOWCASE_YEAR],
                output_fee=True,
                status=StatementStatus.PAYABLE,
                marked_as_paid_at=None,
            )
            .order_by("-deadline_date")
            .first()
        )
        payment_type, amount = SHOWCASE_ADJUSTMENT
        if awaiting is not None and not awaiting.adjustments.filter(payment_type=payment_type).exists():
            adjustment_add(statement_id=awaiting.pk, payment_type=payment_type, amount=amount, actor=ACTOR)
    with acting_as(ACTOR):
        for provider in providers.values():
            statement = next_output_statement(
                lead_provider_id=provider.pk, cohort_id=cohorts[2024].pk, today=today
            )
            if statement is None:
                continue
            for payment_type, amount in ADJUSTMENTS:
                Adjustment.objects.get_or_create(
                    statement=statement, payment_type=payment_type, defaults={"amount": amount}
                )
