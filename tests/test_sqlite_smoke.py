"""The sandbox on embedded SQLite, as a developer runs it: migrate, seed, one API call with a printed token."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

API_CALL = """
import json
from django.test import Client
client = Client(HTTP_AUTHORIZATION="Bearer " + {token!r})
response = client.get("/api/v3/delivery-partners")
print("STATUS", response.status_code, len(response.json()["data"]))
declarations = client.get("/api/v3/participant-declarations").json()["data"]
print("DECLARATIONS", json.dumps(declarations))
"""

UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_seed_and_call_the_api_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "SANDBOX": "true",
    }
    env.pop("TEST_DATABASE_NAME", None)

    migrated = manage(env, "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr

    seeded = manage(env, "seed_sandbox", "--json")
    assert seeded.returncode == 0, seeded.stderr
    payload = json.loads(seeded.stdout)
    token = payload["lead_providers"][0]["token"]

    called = manage(env, "shell", "-v0", "-c", API_CALL.format(token=token))
    assert called.returncode == 0, called.stderr
    status_line = next(line for line in called.stdout.splitlines() if line.startswith("STATUS"))
    _, status, count = status_line.split()
    assert status == "200"
    assert int(count) > 0

    # Ids reach the wire in their hyphenated form on SQLite too (it stores UUIDs as bare hex).
    declarations_line = next(line for line in called.stdout.splitlines() if line.startswith("DECLARATIONS"))
    declarations = json.loads(declarations_line.split(" ", 1)[1])
    assert declarations
    for declaration in declarations:
        attributes = declaration["attributes"]
        for value in (
            declaration["id"],
            attributes["participant_id"],
            attributes["statement_id"],
            attributes["clawback_statement_id"],
            attributes["delivery_partner_id"],
        ):
            assert value is None or UUID_PATTERN.match(value), value
