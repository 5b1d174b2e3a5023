"""Measures the statement work that grows with a statement's size: its calculation, the payable run and the
payment run, for one statement carrying BENCH_DECLARATIONS eligible declarations (default 100,000).
Reports figures as one JSON line; asserts nothing.

Usage: `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecf_bench_x .venv/bin/python bench/statement_runs.py`
(the database is rebuilt from scratch: migrated, seeded with the sandbox, then the statement bulk-filled).
"""

import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecf_bench")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
DECLARATIONS = int(os.environ.get("BENCH_DECLARATIONS", "100000"))
TYPES = ["started", "retained-1", "retained-2", "retained-3", "retained-4", "completed"]


def recreate_database() -> None:
    import psycopg

    name = BENCH_URL.rsplit("/", 1)[1]
    with psycopg.connect(BENCH_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def fill_statement(provider_id):
    """One open 2024 output statement of the provider carrying DECLARATIONS eligible declarations."""
    from django.db import connection

    from declarations.models import Declaration
    from participants.models import Participant, TrainingRecord
    from statements.models import Statement, StatementLineItem

    statement = (
        Statement.objects.filter(
            lead_provider_id=provider_id, status="open", output_fee=True, cohort__start_year=2024
        )
        .order_by("deadline_date")
        .first()
    )
    template = TrainingRecord.objects.filter(
        schedule__cohort=statement.cohort, participant_type="ect"
    ).first()
    people = Participant.objects.bulk_create(
        [
            Participant(full_name=f"Bench Person {n}", email=f"bench{n}@example.com", trn=f"8{n:06d}")
            for n in range(-(-DECLARATIONS // len(TYPES)))
        ],
        batch_size=5000,
    )
    records = TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                participant=person,
                participant_type="ect",
                schedule_id=template.schedule_id,
                school_cohort_id=template.school_cohort_id,
                eligibility_status="eligible",
                eligibility_reason="none",
                sparsity_uplift=n % 3 == 0,
            )
            for n, person in enumerate(people)
        ],
        batch_size=5000,
    )
    declarations = [
        Declaration(
            participant_id=records[index // len(TYPES)].participant_id,
            training_record=records[index // len(TYPES)],
            lead_provider_id=provider_id,
            cohort=statement.cohort,
            declaration_type=TYPES[index % len(TYPES)],
            declaration_date=dt.datetime(2024, 10, 1, tzinfo=dt.UTC),
            course_identifier="ecf-induction",
            state="eligible",
        )
        for index in range(DECLARATIONS)
    ]
    Declaration.objects.bulk_create(declarations, batch_size=5000)
    StatementLineItem.objects.bulk_create(
        [
            StatementLineItem(statement=statement, declaration=d, kind="output", state="eligible")
            for d in declarations
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return statement


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from statements.models import Statement
    from statements.selectors import statement_calculate

    call_command("migrate", verbosity=0)
    out = io.StringIO()
    call_command("seed_sandbox", "--json", stdout=out)
    seeded = json.loads(out.getvalue())
    provider = seeded["lead_providers"][0]
    statement = fill_statement(provider["id"])
    figures = {"declarations": DECLARATIONS}

    durations = []
    for _ in range(7):
        start = time.perf_counter()
        statement_calculate(Statement.objects.get(pk=statement.pk))
        durations.append(time.perf_counter() - start)
    figures["calculation_ms"] = round(statistics.median(durations) * 1000, 1)

    Statement.objects.filter(pk=statement.pk).update(
        deadline_date=dt.date(2020, 1, 1), payment_date=dt.date(2020, 1, 25)
    )
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    start = time.perf_counter()
    call_command("mark_statements_payable", "--statement", str(statement.pk), **quiet)
    figures["mark_statements_payable_s"] = round(time.perf_counter() - start, 2)
    admin = get_user_model().objects.get(username=seeded["admin"]["username"])
    start = time.perf_counter()
    call_command("pay_statement", str(statement.pk), "--authorise", "--user", admin.email, **quiet)
    figures["pay_statement_s"] = round(time.perf_counter() - start, 2)
    statement.refresh_from_db()
    figures["status"] = statement.status
    figures["paid_lines"] = statement.line_items.filter(state="paid").count()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
