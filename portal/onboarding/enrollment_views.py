"""Enrollment pages: the list and its CSV export (one FilterSet), an enrollment's page, and
follow-ups (the list and "done")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.errors import ServiceError
from portal.grants import may_act_on
from portal.listing import FilteredListView, iso, stream_csv
from portal.models import Enrollment, FollowUp
from portal.onboarding import follow_ups, progress
from portal.onboarding.filters import EnrollmentFilter, FollowUpFilter
from portal.onboarding.forms import DoneForm
from portal.onboarding.rules import (
    CHANGE_FOLLOW_UP,
    VIEW_ENROLLMENT,
    VIEW_FOLLOW_UP,
    visible_enrollments,
    visible_follow_ups,
)


def listed(user):
    return progress.with_progress(visible_enrollments(user)).order_by("-enrolled_at", "-pk")


class EnrollmentListView(FilteredListView):
    model = Enrollment
    filterset_class = EnrollmentFilter
    permission_required = VIEW_ENROLLMENT
    template_name = "onboarding/enrollments.html"
    partial_template_name = "onboarding/_enrollments_table.html"

    def get_base_queryset(self):
        return listed(self.request.user)


CSV_HEADER = [
    "id",
    "program",
    "community",
    "partner_tg_id",
    "partner",
    "state",
    "source",
    "enrolled_at",
    "due_at",
    "completed_at",
    "left_at",
    "overdue",
    "acknowledged",
    "required",
    "open_follow_ups",
    "questions",
]


@login_required
@permission_required(VIEW_ENROLLMENT, raise_exception=True)
def export_csv(request):
    """The enrollments of the list, with the same filters, narrowed to the person's communities."""
    filterset = EnrollmentFilter(
        request.GET or None, queryset=listed(request.user), request=request
    )
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "The export filter is not valid: " + filterset.errors.as_text())
        return redirect("onboarding:enrollments")
    rows = filterset.qs if filterset.is_bound else filterset.queryset
    return stream_csv(
        "enrollments",
        CSV_HEADER,
        rows.iterator(chunk_size=500),
        lambda e: [
            e.pk,
            e.program.release.name,
            e.program.community.name,
            e.partner.tg_id,
            e.partner.company_name,
            e.state,
            e.source,
            iso(e.enrolled_at),
            iso(e.due_at),
            iso(e.completed_at),
            iso(e.left_at),
            e.overdue,
            e.acknowledged,
            e.required,
            e.open_follow_ups,
            e.questions_count,
        ],
    )


@login_required
@permission_required(VIEW_ENROLLMENT, raise_exception=True)
def enrollment_detail(request, pk: int):
    enrollment = get_object_or_404(listed(request.user), pk=pk)
    progress.with_details(enrollment)
    user = request.user
    context = {
        "enrollment": enrollment,
        "program": enrollment.program,
        "follow_ups": list(
            enrollment.follow_ups.select_related("item__asset", "assigned_to", "done_by")
        ),
        "done_form": DoneForm(),
        "can_close_follow_ups": user.has_perm(CHANGE_FOLLOW_UP)
        and may_act_on(user, enrollment.program.community),
    }
    return render(request, "onboarding/enrollment.html", context)


class FollowUpListView(FilteredListView):
    model = FollowUp
    filterset_class = FollowUpFilter
    permission_required = VIEW_FOLLOW_UP
    template_name = "onboarding/follow_ups.html"
    partial_template_name = "onboarding/_follow_ups_table.html"

    def get_base_queryset(self):
        return (
            visible_follow_ups(self.request.user)
            .select_related(
                "enrollment__partner",
                "enrollment__program__release",
                "enrollment__program__community",
                "item__asset",
                "assigned_to",
                "done_by",
            )
            .order_by("done_at", "created_at", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["done_form"] = DoneForm()
        context["can_close_follow_ups"] = self.request.user.has_perm(CHANGE_FOLLOW_UP)
        return context


@login_required
@permission_required(CHANGE_FOLLOW_UP, raise_exception=True)
@require_POST
def follow_up_done(request, pk: int):
    follow_up = get_object_or_404(visible_follow_ups(request.user), pk=pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    form = DoneForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("note", []):
            messages.error(request, error)
    else:
        try:
            follow_ups.mark_done(request.user, follow_up, note=form.cleaned_data["note"])
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Follow-up done.")
    if back:
        return redirect(back)
    return redirect("onboarding:enrollment", follow_up.enrollment_id)
