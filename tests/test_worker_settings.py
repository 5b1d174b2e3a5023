"""What each web worker keeps between requests, and how long a request may run (measured by `make bench`)."""

import json

from tests.test_deployment import PRODUCTION, python


def test_production_keeps_database_connections_and_checks_them_before_reuse():
    shown = python(
        "-c",
        "import django, json; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))",
        env=PRODUCTION,
    )

    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == [60, True]


def test_gunicorn_timeout_leaves_room_for_the_largest_page_and_is_configurable():
    shown = python(
        "-c",
        "import json, config.gunicorn as g; print(json.dumps([g.timeout, g.graceful_timeout, g.workers]))",
        env={"WEB_TIMEOUT": "45"},
    )
    default = python("-c", "import config.gunicorn as g; print(g.timeout)", env={})

    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == [45, 30, 2]
    assert int(default.stdout) == 60
