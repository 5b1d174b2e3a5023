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

# A request still running after WEB_TIMEOUT is stuck, and its worker is replaced (its client gets a dropped
# connection). `make bench` prints the headroom: the largest legitimate page, 3,000 participants, must stay
# far inside it. Measured at national scale (300,000 people) on 2 shared cores at load ~12: p99 20 s before
# the read-path work (goal: 350 ms); a deep 100/page declarations page took 45-60 s and was cut off here.
# That page is the bug, not the limit: raising the timeout would only let stuck requests hold a worker longer.
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
