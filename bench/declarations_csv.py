"""Streams the v1 and v2 declarations CSV over many rows and reports rows, seconds, queries and how much the
process's resident memory grew while streaming. Reports figures; asserts nothing.

Usage: `DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/declarations_csv.py`
(PostgreSQL from BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ecf_bench_csv, rebuilt from
scratch on each run; BENCH_CSV_ROWS declarations, default 120,000).
"""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecf_bench_csv")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("API_RATE_LIMIT", "1000000/5m")

ROWS = int(os.environ.get("BENCH_CSV_ROWS", "120000"))


def recreate_database() -> None:
    import psycopg

    name = BENCH_URL.rsplit("/", 1)[1]
    admin_url = BENCH_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def seed(rows: int):
    """A provider and `rows` of its declarations (voided, so that one person can hold many)."""
    from declarations.models import Declaration
    from tests.factories.participants import enrol
    from tests.factories.partnerships import LeadProviderFactory, LeadProviderTokenFactory

    lead_provider = LeadProviderFactory(name="Bench Provider")
    _, raw_token = LeadProviderTokenFactory.issue(lead_provider)
    record = enrol(lead_provider=lead_provider).training_record
    start = dt.datetime(2024, 10, 1, tzinfo=dt.UTC)
    Declaration.objects.bulk_create(
        (
            Declaration(
                participant_id=record.participant_id,
                training_record=record,
                lead_provider=lead_provider,
                cohort=record.schedule.cohort,
                declaration_type="started",
                declaration_date=start,
                course_identifier="ecf-induction",
                state="voided",
                created_at=start + dt.timedelta(seconds=n),
            )
            for n in range(rows)
        ),
        batch_size=5000,
    )
    return raw_token


def stream(client, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before = peak = resident_mb()
    lines = 0
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            peak = max(peak, resident_mb())
    return {
        "what": f"GET {path}",
        "status": response.status_code,
        "rows": lines - 1,
        "seconds": round(time.perf_counter() - start, 1),
        "queries": len(captured.captured_queries),
        "rss_growth_mb": round(peak - before, 1),
    }


def measure(version: str, raw_token: str) -> None:
    """In a fresh process, so that the memory freed by the seeding cannot hide the streaming's growth."""
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    client.get(f"/api/{version}/participant-declarations")  # warms imports, caches and the rate-limit row
    row = stream(client, f"/api/{version}/participant-declarations.csv")
    print(", ".join(f"{key}={value}" for key, value in row.items()), flush=True)


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    raw_token = seed(ROWS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a live database has
    connection.close()
    for version in ("v1", "v2"):
        subprocess.run([sys.executable, __file__, "--measure", version, raw_token], check=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2], sys.argv[3])
    else:
        main()
