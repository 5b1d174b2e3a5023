"""The WSGI application that `make serve` (gunicorn) runs; production settings unless told otherwise."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

from config.health import require_rate_limit  # noqa: E402  (needs the settings loaded above)

require_rate_limit()
