"""CSV loads of contracts and statements, validated row by row before anything is written.

Each importer reads the whole file, checks every row and returns an `ImportReport`; it writes only when
no row is invalid (one transaction for the file), so a bad file changes nothing and says which rows are
wrong and why. Header names are exactly ECF's.
"""

from __future__ import annotations

import calendar
import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from config import clock
from config.actors import Actor, acting_as
from config.history import StateChange
from statements.models import (
    BandLetter,
    CallOffContract,
    MentorCallOffContract,
    ParticipantBand,
    Statement,
    StatementStateChange,
)

CONTRACT_HEADERS = [
    "lead-provider-name",
    "cohort-start-year",
    "uplift-target",
    "uplift-amount",
    "recruitment-target",
    "revised-target",
    "set-up-fee",
    "monthly-service-fee",
    "band-a-min",
    "band-a-max",
    "band-a-per-participant",
    "band-b-min",
    "band-b-max",
    "band-b-per-participant",
    "band-c-min",
    "band-c-max",
    "band-c-per-participant",
    "band-d-min",
    "band-d-max",
    "band-d-per-participant",
]
MENTOR_CONTRACT_HEADERS = [
    "lead-provider-name",
    "cohort-start-year",
    "recruitment-target",
    "payment-per-participant",
]
STATEMENT_HEADERS = ["type", "name", "cohort", "deadline_date", "payment_date", "output_fee"]
DEFAULT_VERSION = "0.0.1"
MAX_AMOUNT = Decimal("9999999999.99")


class RowError(Exception):
    pass


@dataclass
class ImportReport:
    rows: list[tuple[int, str, str]] = field(default_factory=list)  # (line, outcome, message)
    header_error: str | None = None

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        return [row for row in self.rows if row[1] == "error"]

    @property
    def ok(self) -> bool:
        return self.header_error is None and not self.errors

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row[1] == outcome)

    def add(self, line: int, outcome: str, message: str) -> None:
        self.rows.append((line, outcome, message))


def read_csv(text: str, headers: list[str], report: ImportReport) -> list[tuple[int, dict]]:
    """Rows as (line number, {header: stripped value}); a missing header is a file error."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    found = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in headers if name not in found]
    if missing:
        report.header_error = f"Missing header(s): {', '.join(missing)}. Expected: {','.join(headers)}"
        return []
    reader.fieldnames = found
    rows = []
    for row in reader:
        values = {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
        if not any(values.values()):
            continue
        rows.append((reader.line_num, values))
    return rows


# --------------------------------------------------------------------------------------------------
# Field parsers: each raises RowError with a message naming the column.
# --------------------------------------------------------------------------------------------------


def _decimal(row: dict, name: str, *, required: bool = True) -> Decimal | None:
    value = row.get(name, "")
    if value == "":
        if required:
            raise RowError(f"{name} is required")
        return None
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise RowError(f"{name} must be a number, got {value!r}") from None
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        raise RowError(f"{name} must be a number between 0 and {MAX_AMOUNT}, got {value!r}")
    return number


def _integer(row: dict, name: str, *, required: bool = True) -> int | None:
    value = row.get(name, "")
    if value == "":
        if required:
            raise RowError(f"{name} is required")
        return None
    if not re.fullmatch(r"\d{1,9}", value):
        raise RowError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def _lead_provider(row: dict):
    from partnerships.models import LeadProvider

    name = row.get("lead-provider-name", "")
    provider = LeadProvider.objects.filter(name=name).first()
    if provider is None:
        raise RowError(f"unknown lead provider {name!r}")
    return provider


def _cohort(row: dict, name: str):
    from partnerships.models import Cohort

    year = _integer(row, name)
    cohort = Cohort.objects.filter(start_year=year).first()
    if cohort is None:
        raise RowError(f"unknown cohort {year}")
    return cohort


def _date(row: dict, name: str) -> date:
    value = row.get(name, "")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


# --------------------------------------------------------------------------------------------------
# Call-off contracts
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractValues:
    recruitment_target: int
    set_up_fee: Decimal
    uplift_target: Decimal | None
    uplift_amount: Decimal | None
    monthly_service_fee: Decimal | None
    bands: tuple[tuple[str, int | None, int, Decimal, int, int], ...]  # letter, min, max, price, out%, svc%


def parse_contract_row(row: dict) -> ContractValues:
    bands = []
    for letter in "abcd":
        band_min = _integer(row, f"band-{letter}-min", required=False)
        band_max = _integer(row, f"band-{letter}-max", required=letter == "a")
        price = _decimal(row, f"band-{letter}-per-participant", required=letter == "a")
        if letter == "d":
            # ECF creates band D only when min, max and price are all given.
            if band_min is None or band_max is None or price is None:
                continue
            percentages = (100, 0)
        else:
            if band_max is None and price is None and band_min is None:
                continue
            if band_max is None or price is None:
                raise RowError(f"band {letter.upper()} needs both a max and a per-participant price")
            percentages = (60, 40)
        if band_min is not None and band_min > band_max:
            raise RowError(f"band {letter.upper()} min {band_min} is above its max {band_max}")
        bands.append((letter.upper(), band_min, band_max, price, *percentages))
    for previous, band in itertools.pairwise(bands):
        if band[1] is None or band[1] <= previous[2]:
            raise RowError(f"band {band[0]} must start after band {previous[0]} ends ({previous[2]})")
    return ContractValues(
        recruitment_target=_integer(row, "recruitment-target"),
        set_up_fee=_decimal(row, "set-up-fee", required=False) or Decimal("0"),
        uplift_target=_ratio(row, "uplift-target"),
        uplift_amount=_decimal(row, "uplift-amount", required=False),
        monthly_service_fee=_decimal(row, "monthly-service-fee", required=False),
        bands=tuple(bands),
    )


def _ratio(row: dict, name: str) -> Decimal | None:
    value = _decimal(row, name, required=False)
    if value is not None and value >= 100:
        raise RowError(f"{name} must be a ratio such as 0.33, got {value}")
    return value


def contract_values(contract: CallOffContract) -> ContractValues:
    return ContractValues(
        recruitment_target=contract.recruitment_target,
        set_up_fee=contract.set_up_fee,
        uplift_target=contract.uplift_target,
        uplift_amount=contract.uplift_amount,
        monthly_service_fee=contract.monthly_service_fee,
        bands=tuple(
            (
                band.band,
                band.min,
                band.max,
                band.per_participant,
                band.output_payment_percentage,
                band.service_fee_percentage,
            )
            for band in contract.bands.order_by("band")
        ),
    )


def _same(a: ContractValues, b: ContractValues) -> bool:
    def norm(value):
        return None if value is None else Decimal(value).normalize()

    def norm_values(values: ContractValues):
        return (
            values.recruitment_target,
            norm(values.set_up_fee),
            norm(values.uplift_target),
            norm(values.uplift_amount),
            norm(values.monthly_service_fee),
            tuple((band[0], band[1], band[2], norm(band[3]), band[4], band[5]) for band in values.bands),
        )

    return norm_values(a) == norm_values(b)


def _create_contract(*, lead_provider, cohort, version: str, values: ContractValues, raw: dict):
    contract = CallOffContract.objects.create(
        lead_provider=lead_provider,
        cohort=cohort,
        version=version,
        recruitment_target=values.recruitment_target,
        set_up_fee=values.set_up_fee,
        uplift_target=values.uplift_target,
        uplift_amount=values.uplift_amount,
        monthly_service_fee=values.monthly_service_fee,
        raw=raw,
    )
    for letter, band_min, band_max, price, output_pct, service_pct in values.bands:
        ParticipantBand.objects.create(
            call_off_contract=contract,
            band=BandLetter(letter),
            min=band_min,
            max=band_max,
            per_participant=price,
            output_payment_percentage=output_pct,
            service_fee_percentage=service_pct,
        )
    return contract


def import_call_off_contracts(text: str, *, actor: Actor, dry_run: bool = False) -> ImportReport:
    report = ImportReport()
    rows = read_csv(text, CONTRACT_HEADERS, report)
    plans = []
    seen = set()
    for line, row in rows:
        try:
            lead_provider = _lead_provider(row)
            cohort = _cohort(row, "cohort-start-year")
            values = parse_contract_row(row)
        except RowError as error:
            report.add(line, "error", str(error))
            continue
        key = (lead_provider.pk, cohort.pk)
        exists = CallOffContract.objects.filter(lead_provider=lead_provider, cohort=cohort).exists()
        if exists or key in seen:
            report.add(line, "skipped", f"{lead_provider} {cohort.start_year}: a contract already exists")
            continue
        seen.add(key)
        plans.append((line, lead_provider, cohort, values, row))
    if not report.ok:
        return report
    with transaction.atomic(), acting_as(actor):
        for line, lead_provider, cohort, values, row in plans:
            _create_contract(
                lead_provider=lead_provider, cohort=cohort, version=DEFAULT_VERSION, values=values, raw=row
            )
            report.add(line, "created", f"{lead_provider} {cohort.start_year} v{DEFAULT_VERSION}")
        transaction.set_rollback(dry_run)
    return report


def next_version(version: str) -> str:
    """Increments the last numeric segment, keeping separators: 0.0.1→0.0.2, 1.2→1.3, 1→2."""
    parts = re.split(r"(\D+)", version)
    for index in range(len(parts) - 1, -1, -1):
        if parts[index].isdigit():
            if len(parts[index]) > 3:
                raise RowError(f"version {version!r} has a numeric segment longer than 3 digits")
            parts[index] = str(int(parts[index]) + 1)
            return "".join(parts)
    raise RowError(f"version {version!r} has no numeric segment")


def _version_key(version: str) -> tuple:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def latest_contract(model, *, lead_provider, cohort):
    contracts = [
        contract
        for contract in model.objects.filter(lead_provider=lead_provider, cohort=cohort)
        if not contract.version.startswith(CallOffContract.RETIRED_PREFIX)
    ]
    return max(contracts, key=lambda contract: _version_key(contract.version), default=None)


def update_call_off_contracts(text: str, *, actor: Actor, commit: bool = False) -> ImportReport:
    """A changed row creates the next contract version, pointed at by unpaid statements only (a paid statement
    keeps the version it was paid with)."""
    report = ImportReport()
    rows = read_csv(text, CONTRACT_HEADERS, report)
    plans = []
    for line, row in rows:
        try:
            lead_provider = _lead_provider(row)
            cohort = _cohort(row, "cohort-start-year")
            values = parse_contract_row(row)
            current = latest_contract(CallOffContract, lead_provider=lead_provider, cohort=cohort)
            if current is None:
                raise RowError(f"{lead_provider} {cohort.start_year} has no contract to update")
            if _same(contract_values(current), values):
                report.add(line, "unchanged", f"{lead_provider} {cohort.start_year} v{current.version}")
                continue
            version = next_version(current.version)
        except RowError as error:
            report.add(line, "error", str(error))
            continue
        plans.append((line, lead_provider, cohort, current, version, values, row))
    if not report.ok:
        return report
    with transaction.atomic(), acting_as(actor):
        for line, lead_provider, cohort, current, version, values, row in plans:
            contract = _create_contract(
                lead_provider=lead_provider, cohort=cohort, version=version, values=values, raw=row
            )
            repointed = 0
            for statement in (
                Statement.objects.select_for_update()
                .filter(lead_provider=lead_provider, cohort=cohort)
                .exclude(status=Statement.Status.PAID)
            ):
                statement.call_off_contract = contract
                statement.save(update_fields=["call_off_contract", "updated_at"])
                repointed += 1
            report.add(
                line,
                "updated",
                f"{lead_provider} {cohort.start_year} v{current.version} → v{version}; "
                f"{repointed} unpaid statement(s) re-pointed",
            )
        transaction.set_rollback(not commit)
    return report


def import_mentor_call_off_contracts(text: str, *, actor: Actor, dry_run: bool = False) -> ImportReport:
    report = ImportReport()
    rows = read_csv(text, MENTOR_CONTRACT_HEADERS, report)
    plans = []
    seen = set()
    for line, row in rows:
        try:
            lead_provider = _lead_provider(row)
            cohort = _cohort(row, "cohort-start-year")
            target = _integer(row, "recruitment-target", required=False)
            price = _decimal(row, "payment-per-participant", required=False)
        except RowError as error:
            report.add(line, "error", str(error))
            continue
        key = (lead_provider.pk, cohort.pk)
        if (
            key in seen
            or MentorCallOffContract.objects.filter(lead_provider=lead_provider, cohort=cohort).exists()
        ):
            report.add(
                line, "skipped", f"{lead_provider} {cohort.start_year}: a mentor contract already exists"
            )
            continue
        seen.add(key)
        plans.append((line, lead_provider, cohort, target, price))
    if not report.ok:
        return report
    with transaction.atomic(), acting_as(actor):
        for line, lead_provider, cohort, target, price in plans:
            MentorCallOffContract.objects.create(
                lead_provider=lead_provider,
                cohort=cohort,
                version=DEFAULT_VERSION,
                recruitment_target=target,
                **({"payment_per_participant": price} if price is not None else {}),
            )
            report.add(line, "created", f"{lead_provider} {cohort.start_year} mentors v{DEFAULT_VERSION}")
        transaction.set_rollback(dry_run)
    return report


# --------------------------------------------------------------------------------------------------
# Statements
# --------------------------------------------------------------------------------------------------

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}


def _statement_name(row: dict) -> tuple[int, int]:
    value = row.get("name", "")
    match = re.fullmatch(r"([A-Za-z]+)\s+(\d{4})", value)
    if not match or match.group(1).lower() not in MONTHS:
        raise RowError(f"name must be '<Month> <YYYY>' such as 'April 2026', got {value!r}")
    return MONTHS[match.group(1).lower()], int(match.group(2))


def _boolean(row: dict, name: str) -> bool:
    value = row.get(name, "").lower()
    if value in ("true", "t", "1", "yes", "y"):
        return True
    if value in ("false", "f", "0", "no", "n"):
        return False
    raise RowError(f"{name} must be true or false, got {row.get(name, '')!r}")


def initial_status(*, deadline_date: date, payment_date: date, today: date) -> str:
    """A loaded statement's status by its dates: paid before today, payable from the deadline to the payment date inclusive, else open."""
    if payment_date < today:
        return Statement.Status.PAID
    if deadline_date <= today <= payment_date:
        return Statement.Status.PAYABLE
    return Statement.Status.OPEN


def _contract_for_new_statement(model, field_name: str, *, lead_provider, cohort):
    """The contract of the provider's latest statement for the cohort, else version 0.0.1."""
    latest = (
        Statement.objects.filter(lead_provider=lead_provider, cohort=cohort)
        .order_by("-payment_date")
        .select_related(field_name)
        .first()
    )
    if latest is not None and getattr(latest, field_name) is not None:
        return getattr(latest, field_name)
    contract = model.objects.filter(
        lead_provider=lead_provider, cohort=cohort, version=DEFAULT_VERSION
    ).first()
    return contract or latest_contract(model, lead_provider=lead_provider, cohort=cohort)


def import_statements(text: str, *, actor: Actor, dry_run: bool = False, today=None) -> ImportReport:
    from partnerships.models import LeadProvider

    today = today or clock.today()
    report = ImportReport()
    rows = read_csv(text, STATEMENT_HEADERS, report)
    plans = []
    for line, row in rows:
        if row.get("type", "").lower() != "ecf":
            report.add(line, "ignored", f"type {row.get('type', '')!r} is not ecf")
            continue
        try:
            month, year = _statement_name(row)
            cohort = _cohort(row, "cohort")
            deadline_date = _date(row, "deadline_date")
            payment_date = _date(row, "payment_date")
            output_fee = _boolean(row, "output_fee")
            if deadline_date > payment_date:
                raise RowError("deadline_date must not be after payment_date")
            providers = LeadProvider.objects.filter(
                pk__in=CallOffContract.objects.filter(cohort=cohort)
                .exclude(version__startswith=CallOffContract.RETIRED_PREFIX)
                .values("lead_provider_id")
            ).order_by("name")
            row_plans = []
            for lead_provider in providers:
                if Statement.objects.filter(
                    lead_provider=lead_provider, cohort=cohort, year=year, month=month
                ).exists() or any(
                    plan[1] == lead_provider.pk and plan[2] == cohort.pk and plan[3:5] == (year, month)
                    for plan in plans
                ):
                    report.add(line, "skipped", f"{lead_provider} {cohort.start_year} {row['name']} exists")
                    continue
                contract = _contract_for_new_statement(
                    CallOffContract, "call_off_contract", lead_provider=lead_provider, cohort=cohort
                )
                mentor_contract = None
                if cohort.mentor_funding:
                    mentor_contract = _contract_for_new_statement(
                        MentorCallOffContract,
                        "mentor_call_off_contract",
                        lead_provider=lead_provider,
                        cohort=cohort,
                    )
                    if mentor_contract is None:
                        raise RowError(
                            f"{lead_provider} has no mentor call-off contract for {cohort.start_year}"
                        )
                row_plans.append(
                    (
                        line,
                        lead_provider.pk,
                        cohort.pk,
                        year,
                        month,
                        lead_provider,
                        cohort,
                        contract,
                        mentor_contract,
                        deadline_date,
                        payment_date,
                        output_fee,
                    )
                )
        except RowError as error:
            report.add(line, "error", str(error))
            continue
        plans.extend(row_plans)
    if not report.ok:
        return report
    from statements.selectors import statement_calculate
    from statements.services import statement_snapshot_write

    with transaction.atomic(), acting_as(actor):
        for (
            line,
            _,
            _,
            year,
            month,
            lead_provider,
            cohort,
            contract,
            mentor_contract,
            deadline_date,
            payment_date,
            output_fee,
        ) in plans:
            status = initial_status(deadline_date=deadline_date, payment_date=payment_date, today=today)
            statement = Statement.objects.create(
                lead_provider=lead_provider,
                cohort=cohort,
                year=year,
                month=month,
                deadline_date=deadline_date,
                payment_date=payment_date,
                output_fee=output_fee,
                status=status,
                call_off_contract=contract,
                mentor_call_off_contract=mentor_contract,
            )
            StatementStateChange.objects.create(
                statement=statement, from_status=None, to_status=status, **StateChange.actor_fields(actor)
            )
            if status == Statement.Status.PAID:
                statement_snapshot_write(statement=statement, calculation=statement_calculate(statement))
            report.add(line, "created", f"{lead_provider} {cohort.start_year} {statement.name} ({status})")
        transaction.set_rollback(dry_run)
    return report


def update_mentor_call_off_contracts(text: str, *, actor: Actor, commit: bool = False) -> ImportReport:
    """The mentor-contract equivalent of `update_call_off_contracts`."""
    report = ImportReport()
    rows = read_csv(text, MENTOR_CONTRACT_HEADERS, report)
    plans = []
    for line, row in rows:
        try:
            lead_provider = _lead_provider(row)
            cohort = _cohort(row, "cohort-start-year")
            target = _integer(row, "recruitment-target", required=False)
            price = _decimal(row, "payment-per-participant")
            current = latest_contract(MentorCallOffContract, lead_provider=lead_provider, cohort=cohort)
            if current is None:
                raise RowError(f"{lead_provider} {cohort.start_year} has no mentor contract to update")
            if (current.recruitment_target, current.payment_per_participant.normalize()) == (
                target,
                price.normalize(),
            ):
                report.add(
                    line, "unchanged", f"{lead_provider} {cohort.start_year} mentors v{current.version}"
                )
                continue
            version = next_version(current.version)
        except RowError as error:
            report.add(line, "error", str(error))
            continue
        plans.append((line, lead_provider, cohort, current, version, target, price))
    if not report.ok:
        return report
    with transaction.atomic(), acting_as(actor):
        for line, lead_provider, cohort, current, version, target, price in plans:
            contract = MentorCallOffContract.objects.create(
                lead_provider=lead_provider,
                cohort=cohort,
                version=version,
                recruitment_target=target,
                payment_per_participant=price,
            )
            repointed = 0
            for statement in (
                Statement.objects.select_for_update()
                .filter(lead_provider=lead_provider, cohort=cohort)
                .exclude(status=Statement.Status.PAID)
            ):
                statement.mentor_call_off_contract = contract
                statement.save(update_fields=["mentor_call_off_contract", "updated_at"])
                repointed += 1
            report.add(
                line,
                "updated",
                f"{lead_provider} {cohort.start_year} mentors v{current.version} → v{version}; "
                f"{repointed} unpaid statement(s) re-pointed",
            )
        transaction.set_rollback(not commit)
    return report
