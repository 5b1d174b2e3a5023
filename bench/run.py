"""The national-scale bench: a production-sized data set (`manage.py seed_scale`), gunicorn as deployed
(`config/gunicorn.py`, 2 workers, the bench settings: persistent connections, Redis rate limit, a query
count per response), and for each hot path p50/p95/p99 next to its floor measured in the same run: the same
rows fetched by one SQL statement through raw psycopg and serialised with orjson. Then 32 concurrent
clients submitting declarations, the statement calculation on the largest statement, and the payment runs
(in a transaction that is rolled back, so the data set is unchanged) next to an estimate of the same payable
run made one declaration at a time. Prints a table and writes
bench/results/bench-<time>.json. Asserts nothing about speed.

Environment (all optional):
  BENCH_DB                name of the PostgreSQL database (default ecf_bench), on BENCH_PG (default
                          postgres://postgres@127.0.0.1:5432); rebuilt when its seed does not match the sizes
  BENCH_PARTICIPANTS      default 300000        BENCH_DECLARATIONS   default 1200000
  BENCH_SAMPLES           requests per row (default 30; fewer when a row's time budget runs out)
  BENCH_ROW_SECONDS       time budget per row (default 60)
  BENCH_POSTS             declarations submitted by the concurrent clients (default 1000)
  BENCH_CLIENTS           concurrent clients (default 32)
  BENCH_RESEED=1          rebuild the database even when its seed matches
  BENCH_REDIS             Redis for the rate limit (default redis://127.0.0.1:6379/0; keys under a per-run prefix)
  BENCH_OUT               result file (default bench/results/bench-<UTC time>.json)
  BENCH_SEED_FILE         where the seed's tokens are kept for reuse (default bench/results/seed-<db>.json)
  BENCH_ROWS              all (default); reads: only the GET rows (pages, cursor pages, full syncs);
                          writes: only the submissions and the payment runs
  BENCH_SYNC_SECONDS      time budget per full sync (default 0, none); a sync cut short says so ("complete")
"""

import datetime as dt
import http.client
import io
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = (
    str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
)
GUNICORN = str(Path(PYTHON).parent / "gunicorn")

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = os.environ.get("BENCH_DB", "ecf_bench")
DATABASE_URL = f"{PG}/{DB}"
PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", "300000"))
DECLARATIONS = int(os.environ.get("BENCH_DECLARATIONS", "1200000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "30"))
ROW_SECONDS = float(os.environ.get("BENCH_ROW_SECONDS", "60"))
POSTS = int(os.environ.get("BENCH_POSTS", "1000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
RESEED = os.environ.get("BENCH_RESEED") == "1"
ROWS = os.environ.get("BENCH_ROWS", "all")
READS, WRITES = ROWS in ("all", "reads"), ROWS in ("all", "writes")
SYNC_SECONDS = float(os.environ.get("BENCH_SYNC_SECONDS", "0"))
PER_ROW_SAMPLE = 300  # declarations moved one at a time to estimate a per-row payable run
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
RUN_ID = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "results" / f"bench-{RUN_ID}.json"))
SEED_FILE = Path(os.environ.get("BENCH_SEED_FILE", ROOT / "bench" / "results" / f"seed-{DB}.json"))

SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.bench",
    "DATABASE_URL": DATABASE_URL,
    "CACHE_URL": REDIS,
    "API_RATE_LIMIT": "100000000/5m",
    "API_RATE_LIMIT_KEY_PREFIX": f"ecf:bench:{DB}:{RUN_ID}:",
}
os.environ.update(SERVER_ENV)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


# --- the data set ----------------------------------------------------------------------------------


def prepare_database() -> dict:
    """The seeded database: reused when its seed file says it holds these sizes, else rebuilt."""
    import psycopg

    if not RESEED and SEED_FILE.exists():
        seeded = json.loads(SEED_FILE.read_text())
        if seeded.get("participants") == PARTICIPANTS and seeded.get("declarations") == DECLARATIONS:
            try:
                with psycopg.connect(DATABASE_URL) as connection:
                    connection.execute("SELECT 1 FROM partnerships_leadprovidertoken LIMIT 1")
                log(f"Reusing {DB}, seeded {seeded['seeded_at']} in {seeded['seed_seconds']:.0f}s")
                return seeded
            except psycopg.Error:
                pass
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB}"')
    env = {**os.environ, **SERVER_ENV}
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    log(f"Seeding {DB}: {PARTICIPANTS} participants, {DECLARATIONS} declarations")
    started = time.perf_counter()
    out = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "seed_scale",
            f"--participants={PARTICIPANTS}",
            f"--declarations={DECLARATIONS}",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    seeded = {
        **json.loads(out.strip().splitlines()[-1]),
        "participants": PARTICIPANTS,
        "declarations": DECLARATIONS,
        "seed_seconds": time.perf_counter() - started,
        "seeded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    SEED_FILE.parent.mkdir(parents=True, exist_ok=True)
    SEED_FILE.write_text(json.dumps(seeded))
    return seeded


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the deployment's config, stopped (by its own pid) when the bench ends."""

    def __init__(self):
        self.port = free_port()
        env = {
            **os.environ,
            **SERVER_ENV,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "2",
        }
        self.process = subprocess.Popen(
            [GUNICORN, "--config", "python:config.gunicorn", "--access-logfile", "/dev/null", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request("GET", "/healthcheck", port=self.port, quiet=True)[1] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)  # not up yet (a refused connection comes back as "dropped")
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthcheck within 60s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()


def request(
    method: str, path: str, *, port: int, token: str | None = None, body: bytes | None = None, quiet=False
):
    """(milliseconds, status, query count, body) of one request on a new connection."""
    headers = {"Accept": "application/vnd.api+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    except (http.client.HTTPException, ConnectionError) as error:
        # A worker replaced by gunicorn's timeout closes the connection: recorded, not fatal.
        if not quiet:
            log(f"{method} {path}: {error!r}")
        return (time.perf_counter() - started) * 1000, "dropped", None, b'{"data": []}'
    finally:
        connection.close()
    elapsed = (time.perf_counter() - started) * 1000
    queries = response.getheader("X-Query-Count")
    return elapsed, response.status, int(queries) if queries else None, data


def page_path(path: str, page: int, per_page: int) -> str:
    query = urllib.parse.urlencode({"page[page]": page, "page[per_page]": per_page})
    return f"{path}?{query}"


def cursor_path(path: str, per_page: int, cursor: str = "") -> str:
    """A cursor walk's page: an empty cursor starts the walk."""
    query = urllib.parse.urlencode({"page[per_page]": per_page, "page[cursor]": cursor})
    return f"{path}?{query}"


def resized(path: str, per_page: int) -> str:
    """The same cursor page at another page size (a walk may change `page[per_page]` between pages)."""
    url = urllib.parse.urlsplit(path)
    query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    return cursor_path(url.path, per_page, query["page[cursor]"])


# --- floors: the same rows through raw psycopg + orjson ----------------------------------------------

PARTICIPANT_FLOOR = """
SELECT DISTINCT ON (tr.id)
  p.id, p.full_name, p.email, p.trn, p.created_at, p.updated_at,
  tr.id AS training_record_id, tr.participant_type, tr.eligibility_status, tr.sparsity_uplift,
  tr.pupil_premium_uplift, tr.induction_completion_date, tr.mentor_completion_date,
  ir.training_status, ir.induction_status, ir.start_date, ir.end_date, ir.school_transfer, ir.mentor_id,
  s.urn, sc.schedule_identifier, c.start_year, pt.delivery_partner_id
FROM participants_participant p
JOIN participants_trainingrecord tr ON tr.participant_id = p.id
JOIN participants_inductionrecord ir ON ir.training_record_id = tr.id
JOIN partnerships_inductionprogramme ip ON ip.id = ir.induction_programme_id
JOIN partnerships_partnership pt ON pt.id = ip.partnership_id AND pt.lead_provider_id = %s AND pt.status = 'active'
JOIN partnerships_schoolcohort sco ON sco.id = ip.school_cohort_id
JOIN partnerships_school s ON s.id = sco.school_id
JOIN participants_schedule sc ON sc.id = ir.schedule_id
JOIN partnerships_cohort c ON c.id = sc.cohort_id
WHERE p.id = ANY(%s)
ORDER BY tr.id, ir.end_date IS NULL DESC, ir.start_date DESC, ir.created_at DESC, ir.id DESC
"""

DECLARATION_FLOOR = """
SELECT d.id, d.participant_id, d.declaration_type, d.declaration_date, d.course_identifier, d.state,
  d.updated_at, d.created_at, d.delivery_partner_id, d.mentor_id, d.evidence_held, d.sparsity_uplift,
  d.pupil_premium_uplift, lp.name,
  (SELECT l.statement_id FROM statements_statementlineitem l WHERE l.declaration_id = d.id AND l.kind = 'output'),
  (SELECT l.statement_id FROM statements_statementlineitem l WHERE l.declaration_id = d.id AND l.kind = 'clawback')
FROM declarations_declaration d JOIN partnerships_leadprovider lp ON lp.id = d.lead_provider_id
WHERE d.id = ANY(%s)
"""


class Floor:
    def __init__(self):
        import psycopg

        self.connection = psycopg.connect(DATABASE_URL, autocommit=True)
        self.provider_ids = {}

    def run(self, sql: str, params) -> float:
        import orjson

        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column.name for column in cursor.description]
            orjson.dumps({"data": [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]})
        return (time.perf_counter() - started) * 1000

    def participants(self, provider_id: int, ids: list) -> float:
        return self.run(PARTICIPANT_FLOOR, (provider_id, ids))

    def declarations(self, _provider_id: int, ids: list) -> float:
        return self.run(DECLARATION_FLOOR, (ids,))


# --- the rows of the table -------------------------------------------------------------------------


def measure_get(name: str, path: str, *, port: int, token: str, floor, provider_id: int) -> dict:
    """Up to SAMPLES requests (within the row's time budget, at least 3), after one warm-up; the floor
    is timed on the ids the response returned."""
    elapsed, status, queries, body = request("GET", path, port=port, token=token)
    ids = [row["id"] for row in json.loads(body)["data"]] if status == 200 else []
    times, counts = [], []
    budget = time.monotonic() + ROW_SECONDS
    while len(times) < SAMPLES and (len(times) < 3 or time.monotonic() < budget):
        elapsed, status, queries, _ = request("GET", path, port=port, token=token)
        times.append(elapsed)
        counts.append(queries)
    floors = [floor(provider_id, ids) for _ in range(max(3, min(len(times), 10)))]
    row = summary(name, times, floors, rows=len(ids), status=status, queries=counts)
    row["path"] = path
    return row


def summary(name, times, floors, *, rows, status, queries) -> dict:
    floor_p50 = statistics.median(floors) if floors else None
    p50 = statistics.median(times)
    return {
        "name": name,
        "samples": len(times),
        "rows": rows,
        "status": status,
        "p50_ms": round(p50, 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "floor_p50_ms": round(floor_p50, 1) if floor_p50 else None,
        "ratio": round(p50 / floor_p50, 1) if floor_p50 else None,
        "queries": max((q for q in queries if q is not None), default=None),
    }


def full_sync(*, port: int, token: str, floor: Floor, provider_id: int, per_page: int = 3000) -> dict:
    """Every participants page of the provider at the maximum page size, one after another."""
    page, total_ms, floor_ms, rows, queries, status, complete = 1, 0.0, 0.0, 0, [], None, True
    budget = time.monotonic() + SYNC_SECONDS if SYNC_SECONDS else None
    while True:
        if budget and time.monotonic() > budget:
            complete = False
            break
        elapsed, status, count, body = request(
            "GET", page_path("/api/v3/participants/ecf", page, per_page), port=port, token=token
        )
        total_ms += elapsed
        queries.append(count)
        data = json.loads(body)["data"] if status == 200 else []
        if not data:
            break
        rows += len(data)
        floor_ms += floor.participants(provider_id, [row["id"] for row in data])
        page += 1
    return {
        "name": f"full sync, {per_page}/page ({page - 1} pages)",
        "samples": 1,
        "rows": rows,
        "status": status,
        "p50_ms": round(total_ms, 1),
        "p95_ms": None,
        "p99_ms": None,
        "floor_p50_ms": round(floor_ms, 1),
        "ratio": round(total_ms / floor_ms, 1) if floor_ms else None,
        "queries": max((q for q in queries if q is not None), default=None),
        "seconds": round(total_ms / 1000, 1),
        "pages": page - 1,
        "complete": complete,
    }


def cursor_sync(
    label: str, path: str, *, port: int, token: str, floor, provider_id: int, per_page: int = 3000
):
    """A full sync by cursor: the first page, then `links.next` until it is null. Returns the row and the
    path of the walk's last page (a late position for the late-page rows)."""
    url, last_path = cursor_path(path, per_page), None
    pages, rows, total_ms, floor_ms, queries, status, complete = 0, 0, 0.0, 0.0, [], None, True
    budget = time.monotonic() + SYNC_SECONDS if SYNC_SECONDS else None
    while url:
        elapsed, status, count, body = request("GET", url, port=port, token=token)
        total_ms += elapsed
        queries.append(count)
        page = json.loads(body) if status == 200 else {}
        data = page.get("data", [])
        if data:
            pages += 1
            rows += len(data)
            last_path = url
            floor_ms += floor(provider_id, [row["id"] for row in data])
        following = (page.get("links") or {}).get("next")
        url = None
        if following:
            if budget and time.monotonic() > budget:
                complete = False
            else:
                parts = urllib.parse.urlsplit(following)
                url = f"{parts.path}?{parts.query}"
    return {
        "name": f"cursor full sync, {label} {per_page}/page ({pages} pages)",
        "samples": 1,
        "rows": rows,
        "status": status,
        "p50_ms": round(total_ms, 1),
        "p95_ms": None,
        "p99_ms": None,
        "floor_p50_ms": round(floor_ms, 1),
        "ratio": round(total_ms / floor_ms, 1) if floor_ms else None,
        "queries": max((q for q in queries if q is not None), default=None),
        "queries_min": min((q for q in queries if q is not None), default=None),
        "seconds": round(total_ms / 1000, 1),
        "pages": pages,
        "complete": complete,
    }, last_path


def post_candidates(provider_name: str, count: int) -> list[dict]:
    """Declarations the largest provider can submit: the next undeclared milestone of eligible, active
    ECTs of its 2025 cohort, one per person, with the evidence the rules ask for."""
    from django.db import connection

    from declarations.validators import PRE_2025_EVIDENCE, detailed_evidence_values
    from participants.models import DeclarationType

    order = [
        DeclarationType.STARTED, DeclarationType.RETAINED_1, DeclarationType.RETAINED_2,
        DeclarationType.RETAINED_3, DeclarationType.RETAINED_4, DeclarationType.COMPLETED,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT tr.participant_id, c.detailed_evidence_types,
                   ARRAY(SELECT d.declaration_type FROM declarations_declaration d
                         WHERE d.participant_id = tr.participant_id AND d.course_identifier = 'ecf-induction'
                           AND d.state IN ('submitted', 'eligible', 'payable', 'paid'))
            FROM participants_trainingrecord tr
            JOIN participants_inductionrecord ir ON ir.training_record_id = tr.id AND ir.end_date IS NULL
            JOIN partnerships_inductionprogramme ip ON ip.id = ir.induction_programme_id
            JOIN partnerships_partnership pt ON pt.id = ip.partnership_id AND pt.status = 'active'
            JOIN partnerships_leadprovider lp ON lp.id = pt.lead_provider_id AND lp.name = %s
            JOIN participants_schedule s ON s.id = tr.schedule_id
            JOIN partnerships_cohort c ON c.id = s.cohort_id AND c.start_year = 2025
            WHERE tr.participant_type = 'ect' AND tr.eligibility_status = 'eligible'
              AND ir.training_status = 'active' AND ir.induction_status = 'active'
              AND NOT EXISTS (SELECT 1 FROM participants_inductionrecord other
                              WHERE other.training_record_id = tr.id AND other.id <> ir.id)
            ORDER BY tr.created_at DESC
            LIMIT %s
            """,
            [provider_name, count * 3],
        )
        rows = cursor.fetchall()
    candidates = []
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for participant_id, detailed, declared in rows:
        free = [t for t in order if t not in declared]
        if not free:
            continue
        declaration_type = free[0]
        if detailed:
            allowed = detailed_evidence_values("ecf-induction", declaration_type)
            evidence = None if declaration_type == DeclarationType.STARTED else allowed[0]
        else:
            evidence = None if declaration_type == DeclarationType.STARTED else PRE_2025_EVIDENCE[0]
        attributes = {
            "participant_id": str(participant_id),
            "declaration_type": str(declaration_type),
            "declaration_date": when,
            "course_identifier": "ecf-induction",
        }
        if evidence:
            attributes["evidence_held"] = str(evidence)
        candidates.append({"data": {"type": "participant-declaration", "attributes": attributes}})
        if len(candidates) == count:
            break
    return candidates


def concurrent_posts(*, port: int, token: str, provider_name: str) -> dict:
    bodies = [json.dumps(body).encode() for body in post_candidates(provider_name, POSTS)]
    times, statuses, queries = [], {}, []
    lock = threading.Lock()
    queue = list(reversed(bodies))

    def client():
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            elapsed, status, count, _ = request(
                "POST", "/api/v3/participant-declarations", port=port, token=token, body=body
            )
            with lock:
                times.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                queries.append(count)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "name": f"POST declarations, {CLIENTS} clients",
        "samples": len(times),
        "rows": len(bodies),
        "status": statuses,
        "p50_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(percentile(times, 95), 1) if times else None,
        "p99_ms": round(percentile(times, 99), 1) if times else None,
        "floor_p50_ms": None,
        "ratio": None,
        "queries": max((q for q in queries if q is not None), default=None),
        "requests_per_second": round(len(times) / seconds, 1) if seconds else None,
    }


class Rollback(Exception):
    pass


def statement_runs() -> dict:
    """The statement calculation on the statement with the most lines, then the payment runs on a copy of
    the world that is rolled back: the payable run as of the day after that statement's deadline (every
    statement due by then), and authorising and paying that statement."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from config.actors import Actor
    from declarations.models import Declaration
    from declarations.services import declarations_transition
    from statements.models import Statement
    from statements.selectors import statement_calculate
    from statements.services import statement_authorise_and_pay

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement_id, COUNT(*) FROM statements_statementlineitem l "
            "JOIN statements_statement s ON s.id = l.statement_id WHERE s.status = 'open' "
            "GROUP BY statement_id ORDER BY COUNT(*) DESC LIMIT 1"
        )
        statement_id, lines = cursor.fetchone()
    statement = Statement.objects.get(pk=statement_id)
    calculations = []
    for _ in range(5):
        started = time.perf_counter()
        statement_calculate(Statement.objects.get(pk=statement_id))
        calculations.append((time.perf_counter() - started) * 1000)
    run_date = statement.deadline_date + dt.timedelta(days=1)
    result = {
        "calculation": {"statement_lines": lines, "p50_ms": round(statistics.median(calculations), 1)},
        "statement": str(statement),
    }
    eligible_due = Declaration.objects.filter(
        state="eligible",
        statement_line_items__kind="output",
        statement_line_items__statement__status="open",
        statement_line_items__statement__deadline_date__lt=run_date,
    ).count()
    # The same move one declaration at a time (the per-row loop the set-based run replaces), on a sample
    # of the statement's declarations, rolled back too; extrapolated to the run's count.
    sample = list(
        Declaration.objects.filter(
            statement_line_items__statement_id=statement_id, state="eligible"
        ).values_list("pk", flat=True)[:PER_ROW_SAMPLE]
    )
    try:
        with transaction.atomic():
            started = time.perf_counter()
            for pk in sample:
                declarations_transition(
                    declarations=Declaration.objects.filter(pk=pk),
                    name="mark_payable",
                    actor=Actor.command("bench"),
                )
            per_row = (time.perf_counter() - started) / max(1, len(sample))
            raise Rollback
    except Rollback:
        pass
    try:
        with transaction.atomic():
            started = time.perf_counter()
            call_command("mark_statements_payable", date=run_date.isoformat(), stdout=io.StringIO())
            seconds = time.perf_counter() - started
            result["mark_statements_payable"] = {
                "seconds": round(seconds, 2),
                "declarations": eligible_due,
                "per_row_loop_seconds_estimate": round(per_row * eligible_due, 1),
                "times_faster_than_per_row": round(per_row * eligible_due / seconds, 1) if seconds else None,
            }
            user = get_user_model().objects.create(username=f"bench-{RUN_ID}", email="bench@example.com")
            paying = Declaration.objects.filter(
                statement_line_items__statement_id=statement_id, state="payable"
            ).count()
            started = time.perf_counter()
            statement_authorise_and_pay(
                statement_id=statement_id, user=user, actor=Actor.staff(user), today=run_date
            )
            result["pay_statement"] = {
                "seconds": round(time.perf_counter() - started, 2),
                "declarations": paying,
            }
            raise Rollback
    except Rollback:
        pass
    return result


def compare_late(late: dict, first: dict) -> None:
    """A late page's p50 against the first page's (the goal: at most 1.5x)."""
    late["late_vs_first"] = round(late["p50_ms"] / first["p50_ms"], 2) if first["p50_ms"] else None


def worker_timeout(rows: list[dict]) -> dict:
    """gunicorn's request timeout (config/gunicorn.py, as served) against the largest page's p99."""
    import importlib

    timeout = importlib.import_module("config.gunicorn").timeout
    page = next(row for row in rows if row["name"].startswith("GET participants 3000/page"))
    p99 = page["p99_ms"]
    return {
        "seconds": timeout,
        "max_page_p99_ms": p99,
        "headroom": round(timeout * 1000 / p99, 1) if p99 else None,
    }


# --- report ----------------------------------------------------------------------------------------


def print_table(result: dict) -> None:
    header = f"{'path':<54} {'n':>4} {'rows':>7} {'p50':>11} {'p95':>9} {'p99':>9} {'floor':>10} {'ratio':>6} {'SQL':>4}"
    print(header)
    print("-" * len(header))

    def ms(value):
        return "" if value is None else f"{value:,.1f}"

    for row in result["rows"]:
        print(
            f"{row['name']:<54} {row['samples']:>4} {row['rows']:>7} {ms(row['p50_ms']):>11} {ms(row['p95_ms']):>9} "
            f"{ms(row['p99_ms']):>9} {ms(row['floor_p50_ms']):>10} {'' if row['ratio'] is None else row['ratio']:>6} "
            f"{'' if row['queries'] is None else row['queries']:>4}"
        )
        if "requests_per_second" in row:
            print(f"{'':<54} {row['requests_per_second']} req/s, statuses {row['status']}")
        if row.get("late_vs_first") is not None:
            print(f"{'':<54} p50 {row['late_vs_first']}x the first page's")
        if "pages" in row:
            cut = "" if row["complete"] else f", CUT SHORT after BENCH_SYNC_SECONDS={SYNC_SECONDS:.0f}"
            print(f"{'':<54} {row['seconds']:,.1f} s for {row['rows']:,} rows in {row['pages']} pages{cut}")
    runs = result["statement_runs"] or {}
    if runs:
        print(
            f"statement calculation ({runs['calculation']['statement_lines']} lines): "
            f"p50 {runs['calculation']['p50_ms']} ms"
        )
    for name in ("mark_statements_payable", "pay_statement"):
        if name in runs:
            print(f"{name}: {runs[name]['seconds']} s ({runs[name]['declarations']} declarations)")
    if "mark_statements_payable" in runs:
        run = runs["mark_statements_payable"]
        print(
            f"  a per-row loop would take ~{run['per_row_loop_seconds_estimate']} s: the run is "
            f"{run['times_faster_than_per_row']}x faster"
        )
    worker = result["worker_timeout"]
    if worker:
        print(
            f"gunicorn timeout {worker['seconds']} s: the 3,000-per-page maximum's p99 is "
            f"{worker['max_page_p99_ms']} ms, {worker['headroom']}x inside it"
        )
    print(f"seed: {result['seed']['seconds']:.0f} s; load average {result['load_average']}")
    print(f"result: {OUT}")


def read_rows(
    *, port: int, token: str, floor: Floor, provider_id: int, participants_total: int, declarations_total: int
) -> list[dict]:
    """The GET rows: pages by number, cursor walks and their full syncs, the page-number full sync."""
    rows = []
    last_participants = max(1, math.ceil(participants_total / 100))
    last_declarations = max(1, math.ceil(declarations_total / 100))
    participants, declarations = "/api/v3/participants/ecf", "/api/v3/participant-declarations"
    plan = [
        ("GET participants 100/page, first", page_path(participants, 1, 100), floor.participants),
        (f"GET participants 100/page, last ({last_participants})", page_path(participants, last_participants, 100), floor.participants),
        ("GET participants 3000/page, first", page_path(participants, 1, 3000), floor.participants),
        ("GET declarations 100/page, first", page_path(declarations, 1, 100), floor.declarations),
        (f"GET declarations 100/page, middle ({last_declarations // 2 or 1})", page_path(declarations, last_declarations // 2 or 1, 100), floor.declarations),
        (f"GET declarations 100/page, last ({last_declarations})", page_path(declarations, last_declarations, 100), floor.declarations),
    ]  # fmt: skip
    for name, path, floor_of in plan:
        log(name)
        rows.append(measure_get(name, path, port=port, token=token, floor=floor_of, provider_id=provider_id))
    compare_late(rows[1], rows[0])
    # Cursor walks: a full sync of each list at the maximum page size, then the first page and a late
    # one (the sync's last page, at 100 a page) timed like the page-number rows.
    for label, path, floor_of in (
        ("participants", participants, floor.participants),
        ("declarations", declarations, floor.declarations),
    ):
        log(f"cursor full sync, {label}")
        sync, late_path = cursor_sync(
            label, path, port=port, token=token, floor=floor_of, provider_id=provider_id
        )
        rows.append(sync)
        first = measure_get(
            f"GET {label} cursor 100/page, first",
            cursor_path(path, 100),
            port=port, token=token, floor=floor_of, provider_id=provider_id,
        )  # fmt: skip
        late = measure_get(
            f"GET {label} cursor 100/page, late (row {max(0, sync['pages'] - 1) * 3000 + 1})",
            resized(late_path or cursor_path(path, 100), 100),
            port=port, token=token, floor=floor_of, provider_id=provider_id,
        )  # fmt: skip
        compare_late(late, first)
        rows += [first, late]
    log("full sync")
    rows.append(full_sync(port=port, token=token, floor=floor, provider_id=provider_id))
    return rows


def main() -> None:
    load_before = os.getloadavg()
    seeded = prepare_database()
    import django

    django.setup()
    from declarations.selectors import visible_declarations
    from partnerships.models import LeadProvider

    largest = seeded["lead_providers"][0]
    provider = LeadProvider.objects.get(name=largest["name"])
    token = largest["token"]
    log("Counting the largest provider's declarations")
    declarations_total = visible_declarations(lead_provider=provider, api_version="v3").count()
    server = Server()
    floor = Floor()
    rows = []
    try:
        port = server.port
        status = request("GET", page_path("/api/v3/participants/ecf", 1, 1), port=port, token=token)[1]
        if status != 200:
            raise RuntimeError(
                f"The largest provider's token got {status}: was {DB} seeded with another API_TOKEN_DIGEST_KEY? "
                "BENCH_RESEED=1 rebuilds it."
            )
        if READS:
            rows += read_rows(
                port=port,
                token=token,
                floor=floor,
                provider_id=provider.pk,
                participants_total=largest["participants"],
                declarations_total=declarations_total,
            )
        if WRITES:
            log("POST declarations")
            rows.append(concurrent_posts(port=port, token=token, provider_name=provider.name))
    finally:
        server.stop()
        floor.connection.close()
    runs = None
    if WRITES:
        log("statement calculation and payment runs")
        runs = statement_runs()
    result = {
        "run": RUN_ID,
        "database": DB,
        "seed": {
            "participants": PARTICIPANTS,
            "declarations": DECLARATIONS,
            "seconds": seeded["seed_seconds"],
            "lead_providers": [{k: p[k] for k in ("name", "participants")} for p in seeded["lead_providers"]],
        },
        "largest_provider": {
            "name": largest["name"],
            "participants": largest["participants"],
            "declarations": declarations_total,
        },
        "server": "gunicorn, config/gunicorn.py, 2 workers, config.settings.bench",
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "cpus": os.cpu_count(),
        "rows": rows,
        "statement_runs": runs,
        "worker_timeout": worker_timeout(rows) if READS else None,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, default=str))
    print_table(result)


if __name__ == "__main__":
    main()
