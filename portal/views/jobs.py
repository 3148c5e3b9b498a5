from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render

from portal.filters import JobRunFilter
from portal.listing import FilteredListView
from portal.models import JobRun


class JobListView(FilteredListView):
    model = JobRun
    filterset_class = JobRunFilter
    permission_required = "portal.view_jobrun"
    template_name = "portal/jobs/list.html"
    partial_template_name = "portal/jobs/_table.html"


@login_required
@permission_required("portal.view_jobrun", raise_exception=True)
def job_detail(request, pk: int):
    job = get_object_or_404(JobRun, pk=pk)
    return render(request, "portal/jobs/detail.html", {"job": job})
