"""Benchmark settings: the portal's own, on a database and sandbox of their own."""

import os

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES, VAR_DIR

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = str(VAR_DIR / "bench.sqlite3")
else:
    DATABASES["default"]["NAME"] = os.environ.get("BENCH_DATABASE_NAME", "portal_bench")
BENCH_CANTO_PORT = int(os.environ.get("BENCH_CANTO_PORT", "18201"))
CANTO_BASE_URL = CANTO_OAUTH_URL = f"http://127.0.0.1:{BENCH_CANTO_PORT}"
CANTO_SANDBOX = True
# Measured as in production: with DEBUG on Django keeps every query in memory.
DEBUG = False
CANTO_RATE_LIMIT = 0.0
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
