"""A real gunicorn with several worker processes, as `make serve` runs it, serving the test database."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from threading import Barrier

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict
    body: bytes


@dataclass
class Server:
    url: str
    log: Path

    def worker_pids_that_answered(self) -> set[str]:
        # The access log ends each line with the pid of the worker that served it.
        return {line.rsplit(" ", 1)[-1] for line in self.log.read_text().splitlines() if '"GET /api/' in line}


def child_env(**overrides: str) -> dict[str, str]:
    """The environment of a server or command started by a test: this one's, less what a test process sets
    for itself (the browser test's permission to run the ORM under Playwright's event loop)."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **overrides}


def test_database_url() -> str:
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 4, pinned_clock: float = 0.0, timeout: float = 30):
    """Starts gunicorn on a free port and waits until every worker has booted."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as ready_dir:
        log = Path(ready_dir) / "gunicorn.log"
        full_env = child_env(
            PYTHONPATH=str(ROOT),
            DATABASE_URL=test_database_url(),
            CONN_MAX_AGE="60",
            **env,
            HOST="127.0.0.1",
            PORT=str(port),
            WEB_CONCURRENCY=str(workers),
            TEST_RATE_LIMIT_CLOCK=str(pinned_clock),
            TEST_READY_DIR=ready_dir,
        )
        command = [sys.executable, "-m", "gunicorn", "--config", "tests/gunicorn_config.py", "config.wsgi"]
        with log.open("w") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=full_env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            deadline = time.monotonic() + timeout
            while len([p for p in Path(ready_dir).iterdir() if p.name.isdigit()]) < workers:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.05)
            yield Server(f"http://127.0.0.1:{port}", log)
        finally:
            process.send_signal(signal.SIGQUIT)  # quick shutdown: nothing is in flight by now
            process.wait(timeout=30)


def fetch(url: str, headers: dict[str, str] | None = None) -> Answer:
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read())


def fetch_all_at_once(url: str, count: int, headers: dict[str, str]) -> list[Answer]:
    """`count` requests, each on its own connection, released together."""
    start = Barrier(count)

    def one(_):
        start.wait()
        return fetch(url, headers)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
