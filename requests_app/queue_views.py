"""The request queue, its CSV export and the person's saved views of it.

The page, the export and ``/api/v1/requests/`` filter with the one ``RequestFilter``; with no
filter chosen the queue shows the open requests, the soonest due first.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import F
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.errors import ServiceError
from portal.listing import FilteredListView, iso, stream_csv
from requests_app import saved_views
from requests_app.filters import RequestFilter
from requests_app.forms import SavedViewForm
from requests_app.models import PartnerRequest, SavedView
from requests_app.rules import VIEW, visible_requests
from requests_app.views import with_standing

DEFAULT_QUERY = "status=open"
NOT_FILTERS = ("page", "format")


def filter_data(request) -> QueryDict:
    """The filter the person chose, or the default one when they chose none."""
    if any(key not in NOT_FILTERS for key in request.GET):
        return request.GET
    data = QueryDict(DEFAULT_QUERY, mutable=True)
    for key in NOT_FILTERS:
        if key in request.GET:
            data[key] = request.GET[key]
    return data


def queue(user):
    """The person's requests, the soonest due first, with what a row shows."""
    return with_standing(
        visible_requests(user)
        .select_related("community", "partner", "owner")
        .order_by(F("due_at").asc(nulls_last=True), "-received_at", "-id")
    )


class RequestListView(FilteredListView):
    model = PartnerRequest
    filterset_class = RequestFilter
    permission_required = VIEW
    template_name = "requests/list.html"
    partial_template_name = "requests/_table.html"

    def get_queryset(self):
        self.filterset = RequestFilter(
            filter_data(self.request), queryset=queue(self.request.user), request=self.request
        )
        return self.filterset.qs if self.filterset.is_valid() else PartnerRequest.objects.none()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = filter_data(self.request).copy()
        data.pop("page", None)
        context["current_query"] = data.urlencode()
        context["saved_views"] = saved_views.views_of(self.request.user)
        context["save_form"] = SavedViewForm(initial={"query": context["current_query"]})
        return context


CSV_HEADER = [
    "reference",
    "tradinggrid_id",
    "subject",
    "kind",
    "locale",
    "priority",
    "partner",
    "community",
    "state",
    "owner",
    "due_at",
    "standing",
    "received_at",
]


@login_required
@permission_required(VIEW, raise_exception=True)
def export_csv(request):
    """The queue's rows with the same filter, narrowed to the person's communities."""
    filterset = RequestFilter(filter_data(request), queryset=queue(request.user), request=request)
    if not filterset.is_valid():
        messages.error(request, "The export filter is not valid: " + filterset.errors.as_text())
        return redirect("requests:list")
    return stream_csv(
        "requests",
        CSV_HEADER,
        filterset.qs.iterator(chunk_size=500),
        lambda r: [
            r.reference,
            r.tg_id or "",
            r.subject,
            r.kind,
            r.locale,
            r.priority,
            r.partner.company_name if r.partner else "",
            r.community.name,
            r.state,
            r.owner.get_username() if r.owner else "",
            iso(r.due_at),
            r.standing,
            iso(r.received_at),
        ],
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def save_view(request):
    form = SavedViewForm(request.POST)
    query = request.POST.get("query", "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{reverse('requests:list')}?{query}")
    try:
        view = saved_views.save(request.user, form.cleaned_data["name"], query)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('requests:list')}?{query}")
    messages.success(request, f"View “{view.name}” saved.")
    return redirect(f"{reverse('requests:list')}?{view.query}")


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def delete_view(request, pk: int):
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    try:
        saved_views.delete(request.user, view)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"View “{view.name}” deleted.")
    return redirect("requests:list")
