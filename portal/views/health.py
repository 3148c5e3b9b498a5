"""Liveness and readiness probes for load balancers and orchestrators."""

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.celery import app as celery_app


@never_cache
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


def _check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


@never_cache
@require_GET
def readyz(request):
    checks = {"database": _check_database(), "broker": _check_broker()}
    failed = {name: error for name, error in checks.items() if error}
    body = {
        "status": "fail" if failed else "ok",
        "checks": {name: ("fail" if error else "ok") for name, error in checks.items()},
    }
    # What failed, in detail, only for staff: driver messages can name hosts and users.
    if failed and (settings.DEBUG or request.user.is_staff):
        body["errors"] = failed
    return JsonResponse(body, status=503 if failed else 200)
