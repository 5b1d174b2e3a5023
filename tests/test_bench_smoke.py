"""The whole bench pipeline at a tiny size: an empty database migrated and seeded by `seed_scale`, gunicorn
with the deployment's config and the bench settings, every row of the table measured with its floor, the
concurrent submissions and the rolled-back payment runs. Its figures are printed, never asserted: this
checks that `make bench` works and measures what it says, not how fast the machine is."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bench_database():
    """A database of its own, named after this run's test database, dropped afterwards."""
    name = f"{settings.DATABASES['default']['TEST']['NAME']}_bench"[:63]
    server = settings.DATABASES["default"]
    base = f"postgres://{server['USER']}@{server['HOST']}:{server['PORT'] or 5432}"
    yield base, name
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_bench_runs_end_to_end_at_a_tiny_size(bench_database, tmp_path, capsys):
    base, name = bench_database
    out = tmp_path / "bench.json"
    env = {
        **os.environ,
        "BENCH_PG": base,
        "BENCH_DB": name,
        "BENCH_RESEED": "1",
        "BENCH_PARTICIPANTS": "600",
        "BENCH_DECLARATIONS": "2400",
        "BENCH_SAMPLES": "3",
        "BENCH_ROW_SECONDS": "1",
        "BENCH_POSTS": "32",
        "BENCH_CLIENTS": "8",
        "BENCH_OUT": str(out),
        "BENCH_SEED_FILE": str(tmp_path / "seed.json"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run(
        [sys.executable, "bench/run.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    with capsys.disabled():
        print("\n" + completed.stdout)
    assert completed.returncode == 0, completed.stderr[-3000:]

    result = json.loads(out.read_text())
    seeded = result["seed"]["lead_providers"]
    assert len(seeded) == 7
    assert [p["participants"] for p in seeded] == sorted((p["participants"] for p in seeded), reverse=True)
    gets = [row for row in result["rows"] if row["name"].startswith("GET")]
    assert len(gets) == 10
    for row in gets:
        assert row["status"] == 200, row
        assert row["floor_p50_ms"] is not None and row["queries"] is not None, row
    assert all(row["rows"] > 0 for row in gets if "first" in row["name"])
    sync = next(row for row in result["rows"] if row["name"].startswith("full sync"))
    assert sync["rows"] == result["largest_provider"]["participants"]
    for label in ("participants", "declarations"):
        walk = next(row for row in result["rows"] if row["name"].startswith(f"cursor full sync, {label}"))
        assert walk["complete"] and walk["rows"] == result["largest_provider"][label], walk
        late = next(row for row in gets if row["name"].startswith(f"GET {label} cursor 100/page, late"))
        assert late["rows"] > 0 and late["late_vs_first"] is not None, late
    posts = next(row for row in result["rows"] if row["name"].startswith("POST"))
    assert 0 < posts["samples"] == posts["rows"]
    assert set(posts["status"]) <= {"200", "201"}, posts["status"]
    runs = result["statement_runs"]
    assert runs["calculation"]["statement_lines"] > 0
    assert runs["mark_statements_payable"]["declarations"] > 0
    assert runs["pay_statement"]["declarations"] > 0
    assert "load_average" in result
    assert result["worker_timeout"]["seconds"] > 0
