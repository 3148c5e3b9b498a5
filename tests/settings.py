"""Test settings: the portal's own settings with a separate broker folder and fast hashing."""

import os

from portal.conf import ensure_dir
from portal.settings import *  # noqa: F403
from portal.settings import CELERY_BROKER_TRANSPORT_OPTIONS, REDIS_URL, VAR_DIR

if not REDIS_URL:
    # Keep test tasks away from a running `make run` worker.
    _queue = str(ensure_dir(VAR_DIR / "test-broker" / "queue"))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": _queue,
        "data_folder_out": _queue,
        "control_folder": str(ensure_dir(VAR_DIR / "test-broker" / "control")),
    }
else:
    CELERY_TASK_DEFAULT_QUEUE = "portal-tests"
    # Messages taken but not acknowledged by a test worker are kept under keys of their own,
    # so the suite can drop those of a killed worker without touching a `make run` worker's.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "unacked_key": "portal-tests-unacked",
        "unacked_index_key": "portal-tests-unacked-index",
        "unacked_mutex_key": "portal-tests-unacked-mutex",
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Live-server threads must not keep connections open past a test (PostgreSQL test DB teardown).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# The Canto sandbox the suite starts (tests/sandboxes.py) listens here.
CANTO_SANDBOX_TEST_PORT = int(os.environ.get("CANTO_SANDBOX_TEST_PORT", "18101"))
CANTO_BASE_URL = CANTO_OAUTH_URL = f"http://127.0.0.1:{CANTO_SANDBOX_TEST_PORT}"
CANTO_SANDBOX = True
# Keep retry waits short in tests; the retry rules themselves are what is tested.
CANTO_RATE_LIMIT = 0.0

TRADINGGRID_SANDBOX_TEST_PORT = int(os.environ.get("TRADINGGRID_SANDBOX_TEST_PORT", "18102"))
TRADINGGRID_BASE_URL = f"http://127.0.0.1:{TRADINGGRID_SANDBOX_TEST_PORT}"
TRADINGGRID_SANDBOX = True
TRADINGGRID_RATE_LIMIT = 0.0
OUTBOX_BASE_DELAY = 0.2
