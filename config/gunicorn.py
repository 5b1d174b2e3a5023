"""gunicorn settings for `make serve`, the Procfile and the Dockerfile (`gunicorn -c python:config.gunicorn`).

Environment: HOST and PORT (bind), WEB_CONCURRENCY (worker processes), WEB_TIMEOUT (seconds a request
may take). FORWARDED_ALLOW_IPS, which gunicorn reads itself, lists the proxies trusted to say the scheme.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# The application is loaded once, before the workers fork: they start at once and share its memory, and
# a server that cannot reach its cache stops before any worker starts.
preload_app = True

# The slowest legitimate request (a 3,000-record page, a full statement) takes a few seconds at most;
# a request still running after WEB_TIMEOUT is stuck, and its worker is replaced.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
# On a restart or deploy, requests in flight get this long to finish.
graceful_timeout = 30
keepalive = 5
# Workers are recycled now and then, staggered, so that no slow leak accumulates.
max_requests = 2000
max_requests_jitter = 200

# Access log on stdout: peer, time, request line, status, bytes, milliseconds, user agent and the pid of
# the worker; never the Authorization header or any other request header.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s" %(p)s'

# Django's own limits apply after these; they stop oversized request lines and headers early.
limit_request_line = 8190
limit_request_fields = 100

# No runtime control socket: it defaults to one path per user, which two servers on a machine would share,
# and nothing here manages workers at run time.
control_socket_disable = True
