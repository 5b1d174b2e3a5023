"""A process that counts requests with the rate limiter directly, as a server worker would; kept free of
Django imports at module level so that a spawned process can import it before configuring Django."""

import os


def count_hits(env: dict[str, str], pinned_clock: float, hits: int, start, results) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from config.api import ratelimit

    ratelimit.clock = lambda: pinned_clock
    start.wait()
    results.put([ratelimit.hit("token:1").allowed for _ in range(hits)])
