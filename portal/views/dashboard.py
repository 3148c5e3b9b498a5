from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from audit.models import AuditEvent
from integrations.models import OutboxMessage, SyncRun
from portal.grants import communities_for
from portal.models import JobRun, Publication
from portal.releases import trace
from portal.releases.filters import review_queue
from portal.roles import role_names
from requests_app import sla
from requests_app.models import PartnerRequest
from requests_app.rules import visible_requests


@login_required
def dashboard(request):
    user = request.user
    context = {"roles": role_names(user)}
    if user.has_perm("portal.view_jobrun"):
        context["jobs"] = JobRun.objects.all()[:8]
        context["failed_jobs"] = JobRun.objects.filter(state=JobRun.State.FAILED).count()
    if user.has_perm("audit.view_auditevent"):
        context["events"] = AuditEvent.objects.all()[:10]
    if user.has_perm("portal.view_community"):
        # Differences between Trading Grid and the portal, in the person's communities only.
        context["drift"] = list(
            Publication.objects.filter(community__in=communities_for(user))
            .exclude(drift="")
            .select_related("community")
            .order_by("-drift_found_at")[:10]
        )
    if user.has_perm("portal.review_release"):
        context["reviews_waiting"] = review_queue(user).count()
    if user.has_perm("portal.change_release"):
        context["failing_releases"] = list(trace.releases_with_dead_writes(user)[:10])
        context["auto_withdrawn"] = trace.recent_auto_withdrawals(user)
    if user.has_perm("requests_app.view_partnerrequest"):
        mine = visible_requests(user)
        context["request_counts"] = {
            "overdue": sla.breached(mine).count(),
            "due_soon": sla.due_soon(mine).count(),
            "unowned": mine.filter(state=PartnerRequest.State.NEW, owner=None).count(),
        }
    if user.has_perm("integrations.view_outboxmessage"):
        context["dead_writes"] = OutboxMessage.objects.filter(
            status=OutboxMessage.Status.DEAD
        ).count()
    if user.has_perm("integrations.view_syncrun"):
        context["last_syncs"] = [
            SyncRun.objects.filter(kind__in=kinds).first()
            for kinds in (["canto_full", "canto_incremental"], ["tg_full", "tg_incremental"])
        ]
    return render(request, "portal/dashboard.html", context)
