"""Running test code in threads against real PostgreSQL row locks, one connection per thread."""

import threading

from django.db import close_old_connections, connection


def in_threads(targets, *, start: threading.Barrier | None = None):
    """Runs each target in its own thread; returns (results, errors). `start` lines them up first."""
    results, errors = [None] * len(targets), []

    def wrap(index, target):
        try:
            if start is not None:
                start.wait()
            results[index] = target()
        except Exception as error:  # asserted by the test
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results, errors
