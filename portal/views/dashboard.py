from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from audit.models import AuditEvent
from portal import dashboard_data
from portal.models import JobRun
from portal.roles import role_names


@login_required
def dashboard(request):
    user = request.user
    context = {
        "roles": role_names(user),
        "charts": dashboard_data.charts_for(user),
        **dashboard_data.needs_now(user),
    }
    if user.has_perm("portal.view_jobrun"):
        context["jobs"] = JobRun.objects.all()[:8]
        context["failed_jobs"] = JobRun.objects.filter(state=JobRun.State.FAILED).count()
    if user.has_perm("audit.view_auditevent"):
        context["events"] = AuditEvent.objects.all()[:10]
    return render(request, "portal/dashboard.html", context)
