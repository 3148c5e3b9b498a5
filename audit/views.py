import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.filters import AuditEventFilter
from audit.models import AuditEvent
from audit.services import record
from audit.tasks import verify_audit_chain
from portal.jobs import enqueue
from portal.listing import FilteredListView, stream_csv

CSV_HEADER = [
    "seq",
    "time",
    "actor_type",
    "actor",
    "via",
    "action",
    "action_label",
    "object_type",
    "object_id",
    "object",
    "reason",
    "request_id",
    "ip",
    "before",
    "after",
    "hash",
]


class AuditEventListView(FilteredListView):
    model = AuditEvent
    filterset_class = AuditEventFilter
    permission_required = "audit.view_auditevent"
    template_name = "audit/list.html"
    partial_template_name = "audit/_table.html"


@login_required
@permission_required("audit.view_auditevent", raise_exception=True)
def event_detail(request, seq: int):
    event = get_object_or_404(AuditEvent, seq=seq)
    return render(request, "audit/detail.html", {"event": event})


@login_required
@permission_required("audit.view_auditevent", raise_exception=True)
def export_csv(request):
    filterset = AuditEventFilter(request.GET or None, queryset=AuditEvent.objects.all())
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "The export filter is not valid: " + filterset.errors.as_text())
        return redirect("audit:list")
    events = (filterset.qs if filterset.is_bound else filterset.queryset).order_by("-seq")
    record("audit.exported", after={"filter": request.GET.dict()})
    return stream_csv(
        "audit-trail",
        CSV_HEADER,
        events.iterator(chunk_size=2000),
        lambda e: [
            e.seq,
            e.time.isoformat(),
            e.actor_type,
            e.actor_name,
            e.via,
            e.action,
            e.label,
            e.object_type,
            e.object_id,
            e.object_label,
            e.reason,
            e.request_id,
            e.ip,
            _json(e.before),
            _json(e.after),
            e.hash,
        ],
    )


def _json(value) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


@login_required
@permission_required("audit.view_auditevent", raise_exception=True)
@require_POST
def verify_now(request):
    enqueue(verify_audit_chain)
    messages.info(request, "Verification of the audit trail was queued; see Jobs for the result.")
    return redirect("audit:list")
