"""Settings of the partner content governance portal.

Everything comes from environment variables (a ``.env`` file is read when present); every
variable has a default that runs the embedded mode: SQLite under ``var/`` and a file-system
Celery broker, so that nothing needs configuring to try the portal.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal.conf import broker_settings, ensure_dir, oauth_host_for, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

VAR_DIR = ensure_dir(Path(env("PORTAL_VAR_DIR", default=str(BASE_DIR / "var"))))
EMBEDDED = not env("DATABASE_URL", default="")

DEBUG = env.bool("DEBUG", default=EMBEDDED)
SECRET_KEY = secret_key(env("SECRET_KEY", default=""), debug=DEBUG, var_dir=VAR_DIR)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Addresses of reverse proxies whose X-Forwarded-For and X-Request-ID headers are believed.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "csp",
    "django_htmx",
    "django_celery_beat",
    "portal",
    "audit",
    "integrations",
    "requests_app",
]

MIDDLEWARE = [
    "portal.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# Database -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        # Take the write lock when a transaction starts, so concurrent writers queue on the
        # busy timeout instead of failing when a reader tries to upgrade its lock.
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Authentication -------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.context.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ANONYMOUS_USER_NAME = None  # guardian: no anonymous object permissions
GUARDIAN_RAISE_403 = True

# Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = ensure_dir(VAR_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "portal.views.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if TRUSTED_PROXIES:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous call gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "2000/min"},
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttling.AnonThrottle",
        "portal.api.throttling.UserThrottle",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partner content governance portal API",
    "DESCRIPTION": "Releases, reviews, partner requests and the audit trail, as in the portal UI.",
    "VERSION": "1.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ViaEnum": "portal.context.VIA_CHOICES",
        "ActorTypeEnum": "portal.context.ACTOR_TYPES",
        "PartnerRequestStateEnum": "requests_app.models.PartnerRequest.State",
        "EnrollmentStateEnum": "portal.models.Enrollment.State",
    },
}
# List pages count at most this many matching rows ("more than N"), and page no further.
LIST_COUNT_LIMIT = env.int("LIST_COUNT_LIMIT", default=10_000)

# Cache (throttling counters) ------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            # A Redis that does not answer costs a request a second, not a hung worker.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = broker_settings(REDIS_URL, VAR_DIR)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("TASK_SOFT_TIME_LIMIT", default=9 * 60)
CELERY_TASK_TIME_LIMIT = env.int("TASK_TIME_LIMIT", default=10 * 60)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# What tasks print (the console e-mail backend) is information, not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "verify-audit-chain": {
        "task": "audit.tasks.verify_audit_chain",
        "schedule": timedelta(hours=env.int("AUDIT_VERIFY_EVERY_HOURS", default=24)),
    },
    "prune-job-runs": {
        "task": "portal.tasks.prune_job_runs",
        "schedule": timedelta(hours=6),
    },
    "relay-outbox": {
        "task": "integrations.tasks.relay_outbox",
        "schedule": timedelta(seconds=env.int("OUTBOX_RELAY_EVERY_SECONDS", default=30)),
    },
    "sweep-inbox": {
        "task": "integrations.tasks.sweep_inbox",
        "schedule": timedelta(seconds=env.int("INBOX_SWEEP_EVERY_SECONDS", default=60)),
    },
    "tradinggrid-partner-sync": {
        "task": "integrations.tradinggrid.tasks.sync_partners",
        "schedule": timedelta(minutes=env.int("TRADINGGRID_SYNC_EVERY_MINUTES", default=10)),
        "kwargs": {"full": False},
    },
    "tradinggrid-full-partner-sync": {
        "task": "integrations.tradinggrid.tasks.sync_partners",
        "schedule": crontab(hour=env.int("TRADINGGRID_FULL_SYNC_HOUR", default=3), minute=15),
        "kwargs": {"full": True},
    },
    "tradinggrid-request-poll": {
        "task": "requests_app.tasks.poll_requests",
        "schedule": timedelta(minutes=env.int("TRADINGGRID_REQUEST_POLL_MINUTES", default=5)),
    },
    "tradinggrid-reconcile": {
        "task": "integrations.tradinggrid.tasks.reconcile_publications",
        "schedule": timedelta(minutes=env.int("TRADINGGRID_RECONCILE_EVERY_MINUTES", default=60)),
    },
    "releases-due": {
        "task": "portal.releases.tasks.releases_due",
        "schedule": timedelta(seconds=env.int("RELEASES_DUE_EVERY_SECONDS", default=60)),
    },
    "request-breaches": {
        "task": "requests_app.tasks.note_breaches",
        "schedule": timedelta(minutes=env.int("REQUEST_BREACH_CHECK_MINUTES", default=5)),
    },
    "kit-reminders": {
        "task": "portal.kits.tasks.send_kit_reminders",
        "schedule": timedelta(minutes=env.int("KIT_REMINDER_EVERY_MINUTES", default=15)),
    },
    "request-digest": {
        "task": "requests_app.tasks.send_digest",
        "schedule": crontab(hour=env.int("REQUEST_DIGEST_HOUR", default=7), minute=0),
    },
    "canto-incremental-sync": {
        "task": "integrations.canto.tasks.sync_catalog",
        "schedule": timedelta(minutes=env.int("CANTO_INCREMENTAL_EVERY_MINUTES", default=5)),
        "kwargs": {"full": False},
    },
    "canto-full-sync": {
        "task": "integrations.canto.tasks.sync_catalog",
        "schedule": crontab(hour=env.int("CANTO_FULL_SYNC_HOUR", default=2), minute=30),
        "kwargs": {"full": True},
    },
}
JOB_RUN_RETENTION_DAYS = env.int("JOB_RUN_RETENTION_DAYS", default=30)

# Canto ----------------------------------------------------------------------------------------
PORTAL_URL = env("PORTAL_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")
CANTO_SANDBOX_PORT = env.int("CANTO_SANDBOX_PORT", default=8101)
CANTO_SANDBOX = not env("CANTO_BASE_URL", default="")
CANTO_BASE_URL = env("CANTO_BASE_URL", default=f"http://127.0.0.1:{CANTO_SANDBOX_PORT}")
CANTO_OAUTH_URL = env("CANTO_OAUTH_URL", default=oauth_host_for(CANTO_BASE_URL, CANTO_SANDBOX))
CANTO_APP_ID = env("CANTO_APP_ID", default="sandbox-app")
CANTO_APP_SECRET = env("CANTO_APP_SECRET", default="sandbox-secret")
CANTO_WEBHOOK_TOKEN = env("CANTO_WEBHOOK_TOKEN", default="sandbox-webhook-token")
CANTO_SANDBOX_WEBHOOK_URL = f"{PORTAL_URL}/webhooks/canto/"
CANTO_ASSET_URL_TEMPLATE = env("CANTO_ASSET_URL_TEMPLATE", default="{base}/{scheme}/{id}")
CANTO_CONNECT_TIMEOUT = env.float("CANTO_CONNECT_TIMEOUT", default=5.0)
CANTO_READ_TIMEOUT = env.float("CANTO_READ_TIMEOUT", default=30.0)
CANTO_MAX_ATTEMPTS = env.int("CANTO_MAX_ATTEMPTS", default=5)
CANTO_RATE_LIMIT = env.float("CANTO_RATE_LIMIT", default=20.0)  # requests per second per tenant
CANTO_PAGE_SIZE = env.int("CANTO_PAGE_SIZE", default=1000)
CANTO_SYNC_OVERLAP_SECONDS = env.int("CANTO_SYNC_OVERLAP_SECONDS", default=120)
CANTO_SYNC_STALE_MINUTES = env.int("CANTO_SYNC_STALE_MINUTES", default=30)
CANTO_WEBHOOK_MAX_BYTES = env.int("CANTO_WEBHOOK_MAX_BYTES", default=16 * 1024)
CANTO_WEBHOOK_DEDUP_SECONDS = env.int("CANTO_WEBHOOK_DEDUP_SECONDS", default=300)
# Trading Grid (the Active Community adapter) ---------------------------------------------------
TRADINGGRID_SANDBOX_PORT = env.int("TRADINGGRID_SANDBOX_PORT", default=8102)
TRADINGGRID_SANDBOX = not env("TRADINGGRID_BASE_URL", default="")
TRADINGGRID_BASE_URL = env(
    "TRADINGGRID_BASE_URL", default=f"http://127.0.0.1:{TRADINGGRID_SANDBOX_PORT}"
)
TRADINGGRID_TENANT_ID = env("TRADINGGRID_TENANT_ID", default="sandbox-tenant")
TRADINGGRID_CLIENT_ID = env("TRADINGGRID_CLIENT_ID", default="sandbox-client")
TRADINGGRID_CLIENT_SECRET = env("TRADINGGRID_CLIENT_SECRET", default="sandbox-secret")
TRADINGGRID_WEBHOOK_SECRET = env("TRADINGGRID_WEBHOOK_SECRET", default="sandbox-webhook-secret")
TRADINGGRID_SANDBOX_WEBHOOK_URL = f"{PORTAL_URL}/webhooks/tradinggrid/"
TRADINGGRID_CONNECT_TIMEOUT = env.float("TRADINGGRID_CONNECT_TIMEOUT", default=5.0)
TRADINGGRID_READ_TIMEOUT = env.float("TRADINGGRID_READ_TIMEOUT", default=30.0)
TRADINGGRID_MAX_ATTEMPTS = env.int("TRADINGGRID_MAX_ATTEMPTS", default=5)
TRADINGGRID_RATE_LIMIT = env.float("TRADINGGRID_RATE_LIMIT", default=20.0)
TRADINGGRID_PAGE_SIZE = env.int("TRADINGGRID_PAGE_SIZE", default=100)
TRADINGGRID_WEBHOOK_MAX_BYTES = env.int("TRADINGGRID_WEBHOOK_MAX_BYTES", default=64 * 1024)

# A real Canto or Trading Grid must never be trusted with the sandboxes' published secrets.
for _real, _name, _value, _default in (
    (not CANTO_SANDBOX, "CANTO_WEBHOOK_TOKEN", CANTO_WEBHOOK_TOKEN, "sandbox-webhook-token"),
    (
        not TRADINGGRID_SANDBOX,
        "TRADINGGRID_WEBHOOK_SECRET",
        TRADINGGRID_WEBHOOK_SECRET,
        "sandbox-webhook-secret",
    ),
):
    if _real and _value == _default:
        raise ImproperlyConfigured(
            f"{_name} must be set to the secret configured in the real service, not the "
            "sandbox default."
        )

# Outbox: external writes owed to Trading Grid and Canto.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
# How many relays may share a backlog (each started by the one before when a batch was full).
OUTBOX_RELAYS = env.int("OUTBOX_RELAYS", default=4)
OUTBOX_BASE_DELAY = env.float("OUTBOX_BASE_DELAY", default=5.0)
OUTBOX_MAX_DELAY = env.float("OUTBOX_MAX_DELAY", default=15 * 60.0)
OUTBOX_BATCH = env.int("OUTBOX_BATCH", default=50)
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=300)
# A received event that no worker has started this long after it arrived (its task was lost
# with the broker, or with a killed worker) is queued again by beat's inbox sweep.
INBOX_SWEEP_AFTER_SECONDS = env.int("INBOX_SWEEP_AFTER_SECONDS", default=120)

# Defaults of the admin-editable field mapping (Canto custom fields are tenant configuration).
CANTO_FIELDS = {
    "category": env("CANTO_FIELD_CATEGORY", default="Category"),
    "language": env("CANTO_FIELD_LANGUAGE", default="Language"),
    "region": env("CANTO_FIELD_REGION", default="Region"),
    "regulated": env("CANTO_FIELD_REGULATED", default="Regulated"),
    "regulated_values": env("CANTO_REGULATED_VALUES", default="yes,true,1,regulated"),
    "regulated_categories": env(
        "CANTO_REGULATED_CATEGORIES",
        default="Safety data sheet,Warranty,Product claim,Regional disclosure",
    ),
    "expiry": env("CANTO_FIELD_EXPIRY", default="Expiration Date"),
}

# E-mail ---------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portal@localhost")
# Where links in e-mails point: the address people use to reach the portal.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# Partner requests -----------------------------------------------------------------------------
# Hours from receipt to delivery per kind, unless a portal admin sets a service level.
REQUEST_SERVICE_HOURS = {
    "asset_request": env.int("REQUEST_HOURS_ASSET", default=5 * 24),
    "new_asset": env.int("REQUEST_HOURS_NEW_ASSET", default=10 * 24),
    "localized_version": env.int("REQUEST_HOURS_LOCALISED", default=10 * 24),
    "missing": env.int("REQUEST_HOURS_CONTENT_ISSUE", default=3 * 24),
    "outdated": env.int("REQUEST_HOURS_CONTENT_ISSUE", default=3 * 24),
    "hard_to_find": env.int("REQUEST_HOURS_CONTENT_ISSUE", default=3 * 24),
    "question": env.int("REQUEST_HOURS_QUESTION", default=2 * 24),
}
REQUEST_WARN_HOURS = env.int("REQUEST_WARN_HOURS", default=24)
# The Canto folder (id or name) under which an album is created for each new-content request.
CANTO_REQUESTS_FOLDER = env("CANTO_REQUESTS_FOLDER", default="Partner requests")
STATUS_LINK_DAYS = env.int("STATUS_LINK_DAYS", default=90)
STATUS_LINK_RATE = env("STATUS_LINK_RATE", default="30/m")
# Where a partner opens a Trading Grid publication; {base}, {id}, {community} and {partner}
# are filled in.
TRADINGGRID_PUBLICATION_URL = env(
    "TRADINGGRID_PUBLICATION_URL", default="{base}/_sandbox/?partner={partner}#{id}"
)
# The languages every asset should exist in; the asset page lists the missing ones.
CONTENT_LOCALES = env.list("CONTENT_LOCALES", default=["en", "de", "fr", "es", "it", "nl"])

# Usage feedback: Trading Grid's counts re-read on each publication event and by beat, and
# written back to Canto custom fields (admin site → Usage write-back fields; blank: not written).
USAGE_WRITEBACK_DELAY_SECONDS = env.int("USAGE_WRITEBACK_DELAY_SECONDS", default=30)
USAGE_CANTO_FIELDS = {
    "downloads": env("USAGE_FIELD_DOWNLOADS", default=""),
    "views": env("USAGE_FIELD_VIEWS", default=""),
    "acknowledgements": env("USAGE_FIELD_ACKNOWLEDGEMENTS", default=""),
    "communities": env("USAGE_FIELD_COMMUNITIES", default=""),
}
CELERY_BEAT_SCHEDULE["usage-poll"] = {
    "task": "portal.usage.tasks.poll_usage",
    "schedule": timedelta(minutes=env.int("USAGE_POLL_EVERY_MINUTES", default=30)),
}
CELERY_BEAT_SCHEDULE["usage-writeback"] = {
    "task": "portal.usage.tasks.write_back_usage",
    "schedule": timedelta(minutes=env.int("USAGE_WRITEBACK_EVERY_MINUTES", default=15)),
    "kwargs": {"everything": True},
}
CELERY_BEAT_SCHEDULE["onboarding-follow-ups"] = {
    "task": "portal.onboarding.tasks.follow_up_overdue",
    "schedule": timedelta(minutes=env.int("ONBOARDING_FOLLOW_UP_EVERY_MINUTES", default=60)),
}
CELERY_BEAT_SCHEDULE["onboarding-audiences"] = {
    "task": "portal.onboarding.tasks.follow_enrolled_partners",
    "schedule": timedelta(minutes=env.int("ONBOARDING_AUDIENCE_EVERY_MINUTES", default=15)),
}

# Logging --------------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="console" if DEBUG else "json")
# Status-link tokens are redacted from every record, at each handler and at the loggers that
# write request paths (Django's 404 warnings, runserver's and gunicorn's access lines).
_REDACT = ["redact_status_links"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_status_links": {"()": "portal.logging.RedactStatusLinks"}},
    "formatters": {
        "structured": {
            "()": "portal.logging.formatter",
            "renderer": LOG_FORMAT,
        },
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "structured",
            "filters": _REDACT,
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": _REDACT,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Replaces Django's default handlers of "django" (they would bypass the redaction);
        # its records reach the root's console handler.
        "django": {"level": "INFO"},
        "django.request": {"filters": _REDACT},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": _REDACT,
        },
        "gunicorn.access": {"handlers": ["console"], "propagate": False, "filters": _REDACT},
        "gunicorn.error": {"handlers": ["console"], "propagate": False, "filters": _REDACT},
    },
}
