"""Production settings for the benchmark, served on loopback without TLS.

`make bench` runs the app with DJANGO_ENV=production (DEBUG off, hashed static files, production middleware) and
only these changes: static files are collected into the run's temporary directory (BENCH_STATIC_ROOT), and the
session and CSRF cookies are not marked Secure, because the load generator talks plain HTTP to 127.0.0.1 (a real
deployment terminates TLS in front of the app; docs/deployment.md).
"""

import os

from config.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
MEDIA_ROOT = os.environ.get("BENCH_MEDIA_ROOT", MEDIA_ROOT)  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
