"""Measures the work that grows with data: list endpoints by page size, a 10,000-declaration statement
(calculation, admin page, payment run). Reports figures; asserts nothing.

Usage: `make bench` (PostgreSQL from BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ecf_bench;
the database is created if missing and rebuilt from scratch on each run).
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
os.environ.setdefault("API_RATE_LIMIT", "1000000/5m")

DECLARATIONS = int(os.environ.get("BENCH_DECLARATIONS", "10000"))


def recreate_database() -> None:
    import psycopg

    name = BENCH_URL.rsplit("/", 1)[1]
    admin_url = BENCH_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def timed(function, repeat: int = 5) -> tuple[float, object]:
    durations, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations) * 1000, result


def count_queries(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    out = io.StringIO()
    start = time.perf_counter()
    call_command("seed_sandbox", "--json", stdout=out)
    seed_ms = (time.perf_counter() - start) * 1000
    seeded = json.loads(out.getvalue())
    provider = seeded["lead_providers"][0]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {provider['token']}")

    rows = []
    for path in (
        "/api/v3/participants/ecf",
        "/api/v3/participant-declarations",
        "/api/v3/partnerships/ecf",
        "/api/v3/schools/ecf?filter[cohort]=2024&",
        "/api/v3/delivery-partners",
        "/api/v3/statements",
    ):
        for per_page in (100, 1000, 3000):
            separator = "&" if "?" in path else "?"
            url = f"{path.rstrip('&')}{separator}page[per_page]={per_page}"
            response = client.get(url)
            if response.status_code != 200:
                rows.append({"what": f"GET {url}", "status": response.status_code})
                continue
            items = len(response.json()["data"])
            ms, _ = timed(lambda url=url: client.get(url))
            queries = count_queries(lambda url=url: client.get(url))
            rows.append({"what": f"GET {url}", "items": items, "ms": round(ms, 1), "queries": queries})

    rows += cursor_walk_figures(seeded)
    rows += statement_figures(seeded, provider)
    rows += declaration_sync_figures(client)
    report = {"seed_ms": round(seed_ms), "declarations_on_statement": DECLARATIONS, "rows": rows}
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.json").write_text(json.dumps(report, indent=1))
    print(f"seed_sandbox: {report['seed_ms']} ms")
    for row in rows:
        figures = ", ".join(f"{key}={value}" for key, value in row.items() if key != "what")
        print(f"{row['what']:<75} {figures}")


def cursor_walk(client, url: str) -> dict:
    """A full `page[cursor]` walk: pages, rows, total time, the first and the last page's time and queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages, rows, durations, queries = 0, 0, [], []
    start = time.perf_counter()
    while url:
        page_start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).json()
        durations.append((time.perf_counter() - page_start) * 1000)
        queries.append(len(captured.captured_queries))
        pages, rows = pages + 1, rows + len(body["data"])
        url = body["links"]["next"]
    return {
        "rows": rows,
        "pages": pages,
        "ms": round((time.perf_counter() - start) * 1000, 1),
        "first_page_ms": round(durations[0], 1),  # includes the walk's sync watermark
        # Medians of five early pages (after the first) and of the last five full ones: a page deep in the
        # walk should cost what an early one does.
        "early_pages_ms": round(statistics.median(durations[1:6] or durations), 1),
        "late_pages_ms": round(statistics.median(durations[-6:-1] or durations), 1),
        "queries_per_page": sorted(set(queries)),
    }


def cursor_walk_figures(seeded) -> list[dict]:
    """A nightly sync of the provider with the most participants: every participant and declaration by
    cursor, in both orders, and the cost of the first page against the last full one."""
    from django.test import Client

    clients = [Client(HTTP_AUTHORIZATION=f"Bearer {p['token']}") for p in seeded["lead_providers"]]
    sizes = [len(c.get("/api/v3/participants/ecf?page[per_page]=3000").json()["data"]) for c in clients]
    client = clients[sizes.index(max(sizes))]
    rows = []
    for path in (
        "/api/v3/participants/ecf?page[per_page]=100",
        "/api/v3/participants/ecf?sort=updated_at&page[per_page]=100",
        "/api/v3/participants/ecf?page[per_page]=1000",
        "/api/v3/participant-declarations?page[per_page]=100",
        "/api/v3/participant-declarations?page[per_page]=1000",
    ):
        rows.append(
            {"what": f"cursor walk, largest provider: {path}", **cursor_walk(client, path + "&page[cursor]=")}
        )
    return rows


def declaration_sync_figures(client) -> list[dict]:
    """The provider that now has the statement's declarations: a full sync of them by cursor, where the last
    page must cost about what the first does (each page is an index range scan, not an OFFSET)."""
    return [
        {
            "what": f"cursor walk, full declaration sync: {path}",
            **cursor_walk(client, path + "&page[cursor]="),
        }
        for path in (
            "/api/v3/participant-declarations?page[per_page]=100",
            "/api/v3/participant-declarations?page[per_page]=1000",
        )
    ]


def statement_figures(seeded, provider) -> list[dict]:
    """A statement carrying DECLARATIONS eligible declarations: calculation, admin page and payment run."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from declarations.models import Declaration
    from participants.models import Participant, TrainingRecord
    from statements.models import Statement, StatementLineItem

    statement = (
        Statement.objects.filter(
            lead_provider_id=provider["id"], status="open", output_fee=True, cohort__start_year=2024
        )
        .order_by("deadline_date")
        .first()
    )
    template = TrainingRecord.objects.filter(
        schedule__cohort=statement.cohort, participant_type="ect"
    ).first()
    types = ["started", "retained-1", "retained-2", "retained-3", "retained-4", "completed"]
    people = Participant.objects.bulk_create(
        [
            Participant(full_name=f"Bench Person {n}", email=f"bench{n}@example.com", trn=f"9{n:06d}")
            for n in range(-(-DECLARATIONS // len(types)))
        ],
        batch_size=2000,
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
        batch_size=2000,
    )
    # One live declaration per person, course and type is a database rule (D2): six types per person.
    declarations = [
        Declaration(
            participant_id=records[index // len(types)].participant_id,
            training_record=records[index // len(types)],
            lead_provider_id=provider["id"],
            cohort=statement.cohort,
            declaration_type=types[index % len(types)],
            declaration_date=dt.datetime(2024, 10, 1, tzinfo=dt.UTC),
            course_identifier="ecf-induction",
            state="eligible",
        )
        for index in range(DECLARATIONS)
    ]
    Declaration.objects.bulk_create(declarations, batch_size=2000)
    StatementLineItem.objects.bulk_create(
        [
            StatementLineItem(statement=statement, declaration=d, kind="output", state="eligible")
            for d in declarations
        ],
        batch_size=2000,
    )
    admin = get_user_model().objects.get(username=seeded["admin"]["username"])
    staff = Client()
    staff.force_login(admin)
    page = f"/admin/statements/statement/{statement.pk}/change/"
    rows = []
    ms, response = timed(lambda: staff.get(page), repeat=3)
    rows.append(
        {
            "what": f"admin statement page ({DECLARATIONS} line items)",
            "status": response.status_code,
            "ms": round(ms, 1),
            "queries": count_queries(lambda: staff.get(page)),
        }
    )
    # Past its deadline: the payable run moves it (and its declarations) to payable, then it is paid.
    Statement.objects.filter(pk=statement.pk).update(
        deadline_date=dt.date(2020, 1, 1), payment_date=dt.date(2020, 1, 25)
    )
    start = time.perf_counter()
    call_command(
        "mark_statements_payable",
        "--statement",
        str(statement.pk),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    rows.append(
        {
            "what": f"mark_statements_payable ({DECLARATIONS} eligible declarations)",
            "ms": round((time.perf_counter() - start) * 1000, 1),
        }
    )
    start = time.perf_counter()
    call_command(
        "pay_statement",
        str(statement.pk),
        "--authorise",
        "--user",
        admin.email,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    rows.append(
        {
            "what": f"pay_statement ({DECLARATIONS} payable declarations)",
            "ms": round((time.perf_counter() - start) * 1000, 1),
        }
    )
    return rows


if __name__ == "__main__":
    main()
