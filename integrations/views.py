"""The operations page: what the portal owes Trading Grid and Canto, and what went wrong."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from integrations import outbox
from integrations.filters import OutboxFilter
from integrations.models import OutboxMessage
from portal.listing import FilteredListView


class OutboxListView(FilteredListView):
    model = OutboxMessage
    filterset_class = OutboxFilter
    permission_required = "integrations.view_outboxmessage"
    template_name = "integrations/outbox.html"
    partial_template_name = "integrations/_outbox_table.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["counts"] = {
            status: OutboxMessage.objects.filter(status=status).count()
            for status in ("pending", "retrying", "dead")
        }
        return context


@login_required
@permission_required("integrations.manage_outbox", raise_exception=True)
@require_POST
def outbox_action(request, pk: int, action: str):
    message = get_object_or_404(OutboxMessage, pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "retry":
            outbox.retry(message, reason=reason)
            messages.success(request, f"Message #{pk} queued again.")
        elif action == "cancel":
            outbox.cancel(message, reason=reason)
            messages.success(request, f"Message #{pk} cancelled.")
        else:
            messages.error(request, f"Unknown action {action!r}.")
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("operations:outbox")


@login_required
@permission_required("integrations.manage_outbox", raise_exception=True)
@require_POST
def reconcile_now(request):
    """Compare Trading Grid with the portal's publications now instead of at the next hour."""
    from integrations.tradinggrid.tasks import reconcile_publications
    from portal.jobs import enqueue

    enqueue(reconcile_publications)
    messages.info(request, "Reconciliation with Trading Grid was queued; see Jobs for the result.")
    return redirect("operations:outbox")
