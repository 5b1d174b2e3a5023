"""gunicorn exactly as `make serve` configures it, plus two things the cross-process tests need: every
worker pins the rate limiter's clock to TEST_RATE_LIMIT_CLOCK, and says it is ready in TEST_READY_DIR."""

import os
from pathlib import Path

from config.gunicorn import *  # noqa: F403


def post_worker_init(worker):
    from config.api import ratelimit

    pinned = float(os.environ["TEST_RATE_LIMIT_CLOCK"])
    ratelimit.clock = lambda: pinned
    Path(os.environ["TEST_READY_DIR"], str(worker.pid)).touch()
