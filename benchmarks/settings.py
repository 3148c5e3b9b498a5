"""Benchmark settings: the portal's own, on a database, broker and sandboxes of their own."""

import os

from portal.conf import ensure_dir
from portal.settings import *  # noqa: F403
from portal.settings import CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES, REDIS_URL, VAR_DIR

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = str(VAR_DIR / "bench.sqlite3")
else:
    DATABASES["default"]["NAME"] = os.environ.get("BENCH_DATABASE_NAME", "portal_bench")
BENCH_CANTO_PORT = int(os.environ.get("BENCH_CANTO_PORT", "18201"))
BENCH_TRADINGGRID_PORT = int(os.environ.get("BENCH_TRADINGGRID_PORT", "18202"))
BENCH_WEB_PORT = int(os.environ.get("BENCH_WEB_PORT", "18203"))
CANTO_BASE_URL = CANTO_OAUTH_URL = f"http://127.0.0.1:{BENCH_CANTO_PORT}"
CANTO_SANDBOX = True
TRADINGGRID_BASE_URL = f"http://127.0.0.1:{BENCH_TRADINGGRID_PORT}"
TRADINGGRID_SANDBOX = True
PORTAL_BASE_URL = f"http://127.0.0.1:{BENCH_WEB_PORT}"
# The portal's URLs plus the webhook benchmark's yardstick view (never in the product).
ROOT_URLCONF = "benchmarks.urls"
# Measured as in production: with DEBUG on Django keeps every query in memory.
DEBUG = False
# The benchmark's own web server answers plain HTTP on the loopback interface.
SECURE_SSL_REDIRECT = False
# The sandboxes are local: client-side throttling would measure the throttle.
CANTO_RATE_LIMIT = 0.0
TRADINGGRID_RATE_LIMIT = 0.0
if os.environ.get("BENCH_CACHE") != "redis":  # the chaos run's Redis scenarios keep Redis
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if not REDIS_URL:
    # Away from a running `make run` worker and from the test suite's broker.
    _queue = str(ensure_dir(VAR_DIR / "bench-broker" / "queue"))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": _queue,
        "data_folder_out": _queue,
        "control_folder": str(ensure_dir(VAR_DIR / "bench-broker" / "control")),
    }
else:
    CELERY_TASK_DEFAULT_QUEUE = "portal-bench"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
