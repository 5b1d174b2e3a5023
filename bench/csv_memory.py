"""Streams the v1 participants CSV of ~120,000 training records through the real view and prints rows,
seconds and the growth of the process's peak resident memory (the download must stay under 50 MB of growth).
A script, not a test: it asserts nothing but prints whether the figure is within the limit.

Usage: `DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/csv_memory.py` builds the data, then
streams in a fresh process; `--stream-only` streams again from the database already built. PostgreSQL from
CSV_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ecf_bench_csv, dropped and rebuilt by each
full run); CSV_BENCH_PERSONS sets the size (default 100,000 persons, a fifth of them also mentors: 120,000
training records).
"""

import datetime as dt
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("CSV_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecf_bench_csv")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("API_RATE_LIMIT", "1000000/5m")

PERSONS = int(os.environ.get("CSV_BENCH_PERSONS", "100000"))
SCHOOLS = 200
LIMIT_MB = 50
TOKEN_FILE = f"/tmp/{BENCH_URL.rsplit('/', 1)[1]}.token"


def recreate_database() -> None:
    import psycopg

    name = BENCH_URL.rsplit("/", 1)[1]
    admin_url = BENCH_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_rss() -> bool:
    """Linux resets VmHWM to the current RSS on `5` written to clear_refs."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def build(lead_provider_name: str = "CSV Bench Provider") -> str:
    """One provider, SCHOOLS schools in cohort 2024, PERSONS persons, a fifth of them also mentors.
    Returns a bearer token of the provider."""
    from participants.models import InductionRecord, Participant, Schedule, TrainingRecord
    from partnerships.models import (
        Cohort,
        DeliveryPartner,
        InductionProgramme,
        LeadProvider,
        LeadProviderToken,
        Partnership,
        School,
        SchoolCohort,
    )

    cohort = Cohort.objects.get(start_year=2024)
    schedule = Schedule.objects.get(cohort=cohort, schedule_identifier="ecf-standard-september")
    provider = LeadProvider.objects.create(name=lead_provider_name)
    raw = secrets.token_urlsafe(32)
    LeadProviderToken.objects.create(
        lead_provider=provider, label="bench", digest=LeadProviderToken.digest_of(raw)
    )
    partner = DeliveryPartner.objects.create(name="CSV Bench Partner")
    schools = School.objects.bulk_create(
        [School(urn=f"9{n:05d}", name=f"Bench school {n}") for n in range(SCHOOLS)]
    )
    school_cohorts = SchoolCohort.objects.bulk_create(
        [SchoolCohort(school=s, cohort=cohort) for s in schools]
    )
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(lead_provider=provider, school=s, cohort=cohort, delivery_partner=partner)
            for s in schools
        ]
    )
    programmes = InductionProgramme.objects.bulk_create(
        [
            InductionProgramme(school_cohort=sc, partnership=p, training_programme="full_induction_programme")
            for sc, p in zip(school_cohorts, partnerships, strict=True)
        ]
    )
    people = Participant.objects.bulk_create(
        (
            Participant(full_name=f"Bench Person {n}", email=f"csvbench{n}@example.com", trn=f"8{n:06d}")
            for n in range(PERSONS)
        ),
        batch_size=5000,
    )
    records = []
    for n, person in enumerate(people):
        school = n % SCHOOLS
        records.append(
            (
                school,
                TrainingRecord(
                    participant=person,
                    participant_type="ect",
                    schedule=schedule,
                    school_cohort=school_cohorts[school],
                    eligibility_status="eligible",
                    eligibility_reason="none",
                    sparsity_uplift=n % 3 == 0,
                ),
            )
        )
        if n % 5 == 0:
            records.append(
                (
                    school,
                    TrainingRecord(
                        participant=person,
                        participant_type="mentor",
                        schedule=schedule,
                        school_cohort=school_cohorts[school],
                    ),
                )
            )
    TrainingRecord.objects.bulk_create([record for _, record in records], batch_size=5000)
    start = dt.datetime(2024, 9, 1, tzinfo=dt.UTC)
    InductionRecord.objects.bulk_create(
        (
            InductionRecord(
                training_record=record,
                induction_programme=programmes[school],
                schedule=schedule,
                start_date=start,
            )
            for school, record in records
        ),
        batch_size=5000,
    )
    del people, records
    return raw


def build_database() -> None:
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    token = build()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built {PERSONS} persons in {time.perf_counter() - started:.1f} s")
    Path(TOKEN_FILE).write_text(token)


def stream() -> None:
    """In a fresh process, so that memory freed by the build cannot hide the download's own growth."""
    import gc

    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {Path(TOKEN_FILE).read_text()}")
    warm = client.get("/api/v1/participants/ecf?page[per_page]=1")  # imports, connection, caches
    assert warm.status_code == 200, warm.content
    gc.collect()
    peak_reset = reset_peak_rss()
    before_kb = status_kb("VmRSS")
    started = time.perf_counter()
    response = client.get("/api/v1/participants/ecf.csv")
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - started
    growth_mb = (status_kb("VmHWM") - before_kb) / 1024
    rows = max(lines - 1, 0)
    print(f"status {response.status_code}, {response['Content-Type']}")
    print(f"rows: {rows} (+ header), {size / 1024 / 1024:.1f} MB of CSV")
    print(f"seconds: {seconds:.1f} ({rows / seconds:,.0f} rows/s)")
    how = "peak since reset" if peak_reset else "peak of the whole process (clear_refs refused)"
    verdict = "within" if growth_mb < LIMIT_MB else "OVER"
    print(
        f"RSS before: {before_kb / 1024:.1f} MB; peak RSS growth: {growth_mb:.1f} MB ({how}; {verdict} the {LIMIT_MB} MB limit)"
    )


if __name__ == "__main__":
    if "--stream-only" in sys.argv:
        stream()
    else:
        build_database()
        subprocess.run([sys.executable, __file__, "--stream-only"], check=True)
